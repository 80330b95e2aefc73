"""The student's consent page (StudentWeb's akseptansespørsmål): ``/institutions/{code}/student/consent``.

The student logs in with ID-porten (``require_login``: the national id from the ID token) and sees the RESUTVEKSL
question of *that* institution in nb/nn/en, answers J or N, sees when they answered and can withdraw. Only a
person registered at the institution (by their national id or an earlier id of theirs) can answer, and only while
the institution's consent type is active (Akseptansetype). ``records.consent`` records the answer and its audit
event.
"""

from __future__ import annotations

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.records.consent import NotAsked, answer_consent, consent_state
from vitnemal.staffpages.access import CODE, served_institution
from vitnemal.staffpages.render import render_staff
from vitnemal.web.routing import page_router, require_login
from vitnemal.web.sessions import BrowserSession

router = page_router(prefix="/institutions/{code}/student")


def _actor(session: BrowserSession) -> str:
    return f"student:{session.national_id}"


@router.get("/consent", response_class=HTMLResponse)
def consent_page(request: Request, code: str = CODE, session: BrowserSession = Depends(require_login),
                 saved: str | None = None) -> HTMLResponse:
    institution, db = served_institution(request, code)
    assert session.national_id is not None
    with db.read_session() as s:
        state = consent_state(s, session.national_id)
        page = render_staff(request, None, "staffpages/student_consent.html", {
            "institution": institution, "state": state, "saved": saved if saved in ("J", "N") else None})
    return page


@router.post("/consent")
def consent_answer(request: Request, code: str = CODE, session: BrowserSession = Depends(require_login),
                   answer: str = Form(..., pattern="^[JN]$")) -> Response:
    _, db = served_institution(request, code)
    assert session.national_id is not None
    try:
        with db.session() as s:
            answer_consent(s, session.national_id, answer == "J", actor=_actor(session))
    except LookupError:
        raise HTTPException(403, "not registered at this institution") from None
    except NotAsked:
        raise HTTPException(409, "the institution does not ask for this consent now") from None
    return RedirectResponse(f"/institutions/{code}/student/consent?saved={answer}", status_code=303)
