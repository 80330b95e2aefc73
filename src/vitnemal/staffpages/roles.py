"""The administrator's page of the institution's staff and their roles: ``/institutions/{code}/staff``.

The same services as ``vitnemal staff`` (``staff.roles``): every grant and revocation is an audit event with the
administrator as actor. An administrator cannot take their own administrator role (someone else must), so an
institution is never left without one by a slip of the mouse.
"""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.staff.roles import INSTITUTION_ROLES, Role, check_username, grant_role, list_roles, revoke_role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.context import language
from vitnemal.web.routing import page_router
from vitnemal.web.templating import gettext_for

router = page_router(prefix="/institutions/{code}/staff")
ADMIN = Depends(require_staff(Role.ADMIN))
ROLE_PATTERN = "^(" + "|".join(r.value for r in INSTITUTION_ROLES) + ")$"


def _page(request: Request, access: StaffAccess, *, done: str | None = None, error: str | None = None,
          username: str = "", status_code: int = 200) -> HTMLResponse:
    with access.db.read_session() as session:
        rows = [(r.username, Role(r.role), r.granted_at, r.granted_by) for r in list_roles(session)
                if r.role in {x.value for x in INSTITUTION_ROLES}]
    return render_staff(request, access, "staffpages/roles.html", {
        "rows": rows, "roles": INSTITUTION_ROLES, "done": done, "error": error, "username": username},
        status_code=status_code)


@router.get("", response_class=HTMLResponse)
def staff_roles(request: Request, access: StaffAccess = ADMIN, done: str | None = None) -> HTMLResponse:
    return _page(request, access, done=done if done in ("granted", "revoked") else None)


@router.post("/grant")
def grant(request: Request, access: StaffAccess = ADMIN, username: str = Form(..., max_length=200),
          role: str = Form(..., pattern=ROLE_PATTERN)) -> Response:
    _ = gettext_for(language(request))
    try:
        name = check_username(username)
    except ValueError:
        return _page(request, access, error=_("Type the login's user name, such as kari@uio.no."),
                     username=username[:200], status_code=400)
    with access.db.session() as session:
        grant_role(session, name, Role(role), by=access.actor)
    return RedirectResponse(access.path("/staff?done=granted"), status_code=303)


@router.post("/revoke")
def revoke(request: Request, access: StaffAccess = ADMIN, username: str = Form(..., max_length=200),
           role: str = Form(..., pattern=ROLE_PATTERN)) -> Response:
    _ = gettext_for(language(request))
    if role == Role.ADMIN.value and username.strip().lower() == access.user.username:
        return _page(request, access, error=_("You cannot take your own administrator role; ask another "
                                              "administrator."), status_code=400)
    try:
        with access.db.session() as session:
            revoke_role(session, username, Role(role), by=access.actor)
    except ValueError:
        return _page(request, access, error=_("Type the login's user name, such as kari@uio.no."),
                     status_code=400)
    return RedirectResponse(access.path("/staff?done=revoked"), status_code=303)
