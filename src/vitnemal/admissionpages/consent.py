"""The applicant's consent page: ``/institutions/{code}/admission/consent`` ("Samtykke til henting av resultater").

At Samordna opptak (a member of kind admission) it is the online application's question; at an institution it is
its local admission's (Søknadsweb). The applicant logs in with ID-porten (``require_login``: the national id from
the ID token), answers J or N, sees when and can withdraw. Anyone may apply, so no registration is needed: the
answer is held by national id in that member's database (``records.consent``, which records the audit event).
"""

from __future__ import annotations

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.db import Database
from vitnemal.institutions.registry import InstitutionEntry, MemberKind
from vitnemal.records.consent import admission_consent_state, answer_admission_consent
from vitnemal.staffpages.access import CODE, served_institution
from vitnemal.staffpages.render import render_staff
from vitnemal.web.routing import page_router, require_login
from vitnemal.web.sessions import BrowserSession

router = page_router(prefix="/institutions/{code}/admission")
ADMITTING = (MemberKind.ADMISSION, MemberKind.INSTITUTION)


class NoAdmission(HTTPException):
    """The member is served here but admits no one (the portal, the language-test register)."""

    def __init__(self, member: InstitutionEntry) -> None:
        super().__init__(404, f"{member.code} has no admission")
        self.member = member


def admitting_member(request: Request, code: str) -> tuple[InstitutionEntry, Database]:
    """The member served here that admits applicants (an admission body, or an institution's local admission)."""
    entry, db = served_institution(request, code)
    if entry.kind not in ADMITTING:
        raise NoAdmission(entry)
    return entry, db


def _no_admission(request: Request, exc: NoAdmission) -> HTMLResponse:
    # Said in words: the applicant followed a link to a member that takes no applications, not a mistyped address.
    return render_staff(request, None, "admissionpages/no_admission.html", {"member": exc.member}, status_code=404)


def _actor(session: BrowserSession) -> str:
    return f"applicant:{session.national_id}"


@router.get("/consent", response_class=HTMLResponse)
def consent_page(request: Request, code: str = CODE, session: BrowserSession = Depends(require_login),
                 saved: str | None = None) -> HTMLResponse:
    try:
        member, db = admitting_member(request, code)
    except NoAdmission as exc:
        return _no_admission(request, exc)
    assert session.national_id is not None
    with db.read_session() as s:
        state = admission_consent_state(s, session.national_id)
        return render_staff(request, None, "admissionpages/applicant_consent.html", {
            "member": member, "body": member.kind is MemberKind.ADMISSION, "state": state,
            "saved": saved if saved in ("J", "N") else None})


@router.post("/consent")
def consent_answer(request: Request, code: str = CODE, session: BrowserSession = Depends(require_login),
                   answer: str = Form(..., pattern="^[JN]$")) -> Response:
    try:
        _, db = admitting_member(request, code)
    except NoAdmission as exc:
        return _no_admission(request, exc)
    assert session.national_id is not None
    with db.session() as s:
        answer_admission_consent(s, session.national_id, answer == "J", actor=_actor(session))
    return RedirectResponse(f"/institutions/{code}/admission/consent?saved={answer}", status_code=303)
