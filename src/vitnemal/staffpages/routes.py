"""The staff pages' own routes: the staff login page, the list of one's institutions, an institution's front page.

``install(app)`` mounts them with the handler that sends a visitor without a staff login to ``/staff/login``.
Other packages' staff pages use ``require_staff`` and ``render_staff`` and are included in ``web/pages.py``.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.staff.roles import INSTITUTION_ROLES, Role
from vitnemal.staffpages.access import (
    StaffAccess,
    StaffLoginRequired,
    StaffUser,
    host_of,
    institution_roles,
    operator_roles,
    require_staff,
    require_staff_user,
)
from vitnemal.staffpages.render import render_staff
from vitnemal.web.auth.routes import PROBLEMS
from vitnemal.web.context import web
from vitnemal.web.routing import page_router, safe_next

router = page_router()
STAFF_HOME = "/staff"


def staff_providers(request: Request) -> list[object]:
    return [p for p in web(request).providers if p.kind == "staff"]


@router.get("/staff/login", response_class=HTMLResponse)
def staff_login(request: Request, return_to: str = Query(STAFF_HOME, alias="next", max_length=600),
                problem: str | None = Query(None, max_length=20)) -> HTMLResponse:
    return render_staff(request, None, "staffpages/login.html", {
        "providers": staff_providers(request), "next": safe_next(return_to) if return_to else STAFF_HOME,
        "problem": problem if problem in PROBLEMS else None, "logged_out": False})


@router.get("/staff/logged-out", response_class=HTMLResponse)
def staff_logged_out(request: Request) -> HTMLResponse:
    return render_staff(request, None, "staffpages/login.html", {
        "providers": staff_providers(request), "next": STAFF_HOME, "problem": None, "logged_out": True})


@router.get(STAFF_HOME, response_class=HTMLResponse)
def staff_home(request: Request, user: StaffUser = Depends(require_staff_user)) -> Response:
    """The institutions served here where the user holds a role (one: straight to it), and the operator's pages."""
    host = host_of(request)
    places = []
    for code in host.codes:
        roles = institution_roles(request, code, user)
        if roles:
            places.append((host.registry.get(code), sorted(roles, key=list(INSTITUTION_ROLES).index)))
    operator = bool(operator_roles(request, user))
    if len(places) == 1 and not operator:
        return RedirectResponse(f"/institutions/{places[0][0].code}", status_code=303)
    return render_staff(request, user, "staffpages/home.html", {"places": places, "operator": operator})


@router.get("/institutions/{code}", response_class=HTMLResponse)
def institution_home(request: Request, access: StaffAccess = Depends(require_staff())) -> HTMLResponse:
    return render_staff(request, access, "staffpages/institution.html", {
        "roles": sorted(access.roles, key=list(INSTITUTION_ROLES).index)})


def install(app: FastAPI) -> None:
    @app.exception_handler(StaffLoginRequired)
    async def _staff_login(request: Request, exc: StaffLoginRequired) -> Response:
        return RedirectResponse(f"/staff/login?next={quote(safe_next(exc.next_path))}", status_code=303)

    from vitnemal.staffpages import consent, disclosures, people, roles, settings

    app.include_router(router)
    app.include_router(settings.router)
    app.include_router(disclosures.router)
    app.include_router(consent.router)
    app.include_router(roles.router)
    app.include_router(people.router)


__all__ = ["Role", "install", "router"]
