"""The administrator's pages: "WebApplikasjon – Modulvalg" (RESUTVEKSL, RESERVER) and "Akseptansetype".

Each form posts back to its page (CSRF checked by the page router); a change goes through ``records.admin``, which
records the audit event, and the browser is sent back to the page (``?saved=1``), so a reload never posts twice.
"""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.records.admin import MAX_SEQUENCE, change_consent_type, change_exchange_settings, consent_type
from vitnemal.records.service import get_exchange_settings
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.context import language
from vitnemal.web.routing import page_router
from vitnemal.web.templating import gettext_for

router = page_router(prefix="/institutions/{code}/settings")
ADMIN = Depends(require_staff(Role.ADMIN))
YES_NO = "^[JN]$"


@router.get("/modules", response_class=HTMLResponse)
def modules(request: Request, access: StaffAccess = ADMIN, saved: bool = False) -> HTMLResponse:
    with access.db.read_session() as session:
        row = get_exchange_settings(session)
        values = {"module_active": row.module_active, "reserved": row.reserved, "updated_at": row.updated_at}
    return render_staff(request, access, "staffpages/modules.html", {**values, "saved": saved})


@router.post("/modules")
def modules_save(request: Request, access: StaffAccess = ADMIN, module_active: str = Form(..., pattern=YES_NO),
                 reserved: str = Form(..., pattern=YES_NO)) -> Response:
    with access.db.session() as session:
        change_exchange_settings(session, actor=access.actor, module_active=module_active == "J",
                                 reserved=reserved == "J")
    return RedirectResponse(access.path("/settings/modules?saved=1"), status_code=303)


def _sequence(text: str, label: str, lang: str) -> tuple[int | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    if text.isdigit() and 1 <= int(text) <= MAX_SEQUENCE:
        return int(text), None
    _ = gettext_for(lang)
    return None, _("%(field)s is a whole number from 1 to %(max)s.") % {"field": label, "max": MAX_SEQUENCE}


@router.get("/consent-types", response_class=HTMLResponse)
def consent_types(request: Request, access: StaffAccess = ADMIN, saved: bool = False) -> HTMLResponse:
    with access.db.read_session() as session:
        view = consent_type(session)
    return render_staff(request, access, "staffpages/consent_types.html", {
        "type": view, "saved": saved, "errors": [], "form": None})


@router.post("/consent-types")
def consent_types_save(request: Request, access: StaffAccess = ADMIN, active: str = Form(..., pattern=YES_NO),
                       seq_semreg: str = Form("", max_length=10),
                       seq_studentweb: str = Form("", max_length=10)) -> Response:
    lang = language(request)
    _ = gettext_for(lang)
    semreg, problem1 = _sequence(seq_semreg, _("Sequence number semreg"), lang)
    studentweb, problem2 = _sequence(seq_studentweb, _("Sequence number studentweb"), lang)
    errors = [p for p in (problem1, problem2) if p]
    if not errors and active == "J" and (semreg is None or studentweb is None):
        errors.append(_("An active consent type needs both sequence numbers."))
    if errors:
        with access.db.read_session() as session:
            view = consent_type(session)
        return render_staff(request, access, "staffpages/consent_types.html", {
            "type": view, "saved": False, "errors": errors,
            "form": {"active": active, "seq_semreg": seq_semreg[:10], "seq_studentweb": seq_studentweb[:10]},
        }, status_code=400)
    with access.db.session() as session:
        change_consent_type(session, actor=access.actor, active=active == "J", seq_semreg=semreg,
                            seq_studentweb=studentweb)
    return RedirectResponse(access.path("/settings/consent-types?saved=1"), status_code=303)
