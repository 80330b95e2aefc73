"""Who may open an institution's page: the staff login in the browser session and the roles in the database.

``require_staff(*roles)`` is the dependency of every page under ``/institutions/{code}/…``: it answers 404 for an
institution not served here, sends a visitor without a staff login to ``/staff/login`` (and back), and answers 403
unless the user holds one of ``roles`` in *that* institution's database. So a case worker at 185 gets 403 on every
page of 216, whatever they type in the address. ``require_operator`` does the same for the federation operator,
whose role is in the web surface's database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Path, Request

from vitnemal.db import Database
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.institutions.registry import InstitutionEntry
from vitnemal.staff.roles import INSTITUTION_ROLES, Role, roles_of
from vitnemal.web.context import current_session, web
from vitnemal.web.sessions import BrowserSession

CODE = Path(..., max_length=10, pattern=r"^[0-9A-Za-z]{1,10}$", description="The institution's code, e.g. 185.")


class StaffLoginRequired(Exception):
    """No staff login in this browser: the handler sends it to ``/staff/login?next=<path>``."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


@dataclass(frozen=True)
class StaffUser:
    """A member of staff logged in through Feide (or the test provider's Feide-like side)."""

    username: str
    name: str | None

    @property
    def actor(self) -> str:
        """How audit events name them: the same user name the API's tokens carry."""
        return self.username


@dataclass(frozen=True)
class StaffAccess:
    """A staff user at one institution, with the roles they hold there and that institution's database."""

    code: str
    institution: InstitutionEntry
    user: StaffUser
    roles: frozenset[Role]
    db: Database

    @property
    def actor(self) -> str:
        return self.user.actor

    def has(self, role: Role) -> bool:
        return role in self.roles

    def path(self, suffix: str = "") -> str:
        """The URL of one of this institution's pages: ``access.path("/settings/modules")``."""
        return f"/institutions/{self.code}{suffix}"


def staff_of(session: BrowserSession | None) -> StaffUser | None:
    if session is None:
        return None
    username = session.data.get("staff")
    if not isinstance(username, str) or not username:
        return None
    name = session.data.get("name")
    return StaffUser(username, name if isinstance(name, str) else None)


def require_staff_user(request: Request) -> StaffUser:
    """Dependency: the logged-in member of staff, whatever their roles (``/staff``)."""
    user = staff_of(current_session(request))
    if user is None:
        raise StaffLoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return user


def host_of(request: Request) -> LocalInstitutions:
    host: LocalInstitutions = request.app.state.host
    return host


def served_institution(request: Request, code: str) -> tuple[InstitutionEntry, Database]:
    """The institution and its database; 404 when it is not served here, 503 when its database is set aside."""
    host = host_of(request)
    if code in host.unavailable:
        raise HTTPException(503, f"institution {code}'s records are unavailable on this host just now")
    if not host.serves(code):
        raise HTTPException(404, f"institution {code!r} is not served here")
    return host.registry.get(code), host.db(code)


def institution_roles(request: Request, code: str, user: StaffUser) -> frozenset[Role]:
    _, db = served_institution(request, code)
    with db.read_session() as session:
        return roles_of(session, user.username) & frozenset(INSTITUTION_ROLES)


def require_staff(*roles: Role) -> Callable[..., StaffAccess]:
    """The dependency for a page of institution ``{code}`` that one of ``roles`` may open (none given: any
    institution role). Use as ``access: StaffAccess = Depends(require_staff(Role.ADMIN))``."""
    wanted = frozenset(roles or INSTITUTION_ROLES)

    def dependency(request: Request, code: str = CODE) -> StaffAccess:
        institution, db = served_institution(request, code)
        user = require_staff_user(request)
        with db.read_session() as session:
            held = roles_of(session, user.username) & frozenset(INSTITUTION_ROLES)
        if not held & wanted:
            raise HTTPException(403, "your login has no role here that opens this page")
        return StaffAccess(code, institution, user, held, db)

    return dependency


def operator_roles(request: Request, user: StaffUser) -> frozenset[Role]:
    with web(request).db.read_session() as session:
        return roles_of(session, user.username) & {Role.OPERATOR}


def require_operator(request: Request) -> StaffUser:
    """Dependency: the logged-in federation operator (the role is in the web surface's database)."""
    user = require_staff_user(request)
    if not operator_roles(request, user):
        raise HTTPException(403, "your login is not a federation operator's")
    return user
