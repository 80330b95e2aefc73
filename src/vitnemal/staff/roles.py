"""The roles of staff who log in to the institution's pages: granting, revoking and looking them up.

A role is held by a user name (Feide's eduPersonPrincipalName, e.g. ``kari@uio.no``), never by a national id: the
identity provider says who someone is, the institution's own database says what they may do. An institution's roles
are rows in that institution's database (so a case worker at 185 holds nothing that opens 216's pages); the
federation operator's role is a row in the web surface's database. Every grant and revocation is an audit event in
the same database, in the caller's transaction.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.staff.models import StaffRole

# Feide user names are eduPersonPrincipalNames (user@realm); other providers' names are held to the same shape.
USERNAME = re.compile(r"[A-Za-z0-9._%+-]{1,100}@[A-Za-z0-9.-]{1,99}")


class Role(StrEnum):
    """What a member of staff may do. The values are what the database holds, so they never change."""

    CASE_WORKER = "case_worker"  # saksbehandler: recognition cases, orders, external results
    DIPLOMA_OFFICER = "diploma_officer"  # diplomas: preview, issue, reissue, revoke
    ADMIN = "institution_admin"  # the institution's settings (Akseptansetype, Modulvalg) and disclosure log
    OPERATOR = "federation_operator"  # the federation's members and keys (held in the web surface's database)
    # Samordna opptak's, or an institution's local admission's: admission rounds and what they fetched.
    ADMISSIONS_OFFICER = "admissions_officer"


INSTITUTION_ROLES = (Role.CASE_WORKER, Role.DIPLOMA_OFFICER, Role.ADMIN, Role.ADMISSIONS_OFFICER)


def check_username(username: str) -> str:
    """The user name, trimmed and lower-cased; ValueError saying the expected shape otherwise."""
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise ValueError(f"{username[:120]!r} is not a user name: use the login's name, e.g. kari@uio.no")
    return name


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a role; use one of {', '.join(r.value for r in Role)}") from None


def roles_of(session: Session, username: str) -> frozenset[Role]:
    """The roles ``username`` holds in this database (none for a name that is not a user name)."""
    try:
        name = check_username(username)
    except ValueError:
        return frozenset()
    values = session.scalars(select(StaffRole.role).where(StaffRole.username == name))
    return frozenset(Role(v) for v in values if v in Role._value2member_map_)


def grant_role(session: Session, username: str, role: Role, *, by: str, now: datetime | None = None) -> bool:
    """Give ``username`` the role; False (and nothing recorded) when they already hold it."""
    name = check_username(username)
    role = Role(role)
    if session.scalar(select(StaffRole.id).where(StaffRole.username == name, StaffRole.role == role.value)):
        return False
    when = now or datetime.now(UTC)
    session.add(StaffRole(username=name, role=role.value, granted_at=when, granted_by=by[:200]))
    record_event(session, actor=by, action=AuditAction.STAFF_ROLE_GRANTED, detail=f"{name} {role.value}", now=when)
    session.flush()
    return True


def revoke_role(session: Session, username: str, role: Role, *, by: str, now: datetime | None = None) -> bool:
    """Take the role from ``username`` at once; False when they did not hold it."""
    name = check_username(username)
    role = Role(role)
    result = session.execute(delete(StaffRole).where(StaffRole.username == name, StaffRole.role == role.value))
    if not getattr(result, "rowcount", 0):
        return False
    record_event(session, actor=by, action=AuditAction.STAFF_ROLE_REVOKED, detail=f"{name} {role.value}",
                 now=now or datetime.now(UTC))
    return True


def list_roles(session: Session) -> list[StaffRole]:
    """Every role held in this database, by user name then role."""
    return list(session.scalars(select(StaffRole).order_by(StaffRole.username, StaffRole.role)))
