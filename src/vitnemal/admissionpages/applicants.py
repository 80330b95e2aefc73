"""One applicant of a round, as admission decides: ``/institutions/{code}/admission/rounds/{id}/applicants/{id}``.

The summary of what was fetched (degrees with level and date, credits per level, courses with grade), every
institution's answer as a sentence, and why the fetch is incomplete. Looking is an audit event (the service's).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Request
from fastapi import Path as FastApiPath
from fastapi.responses import HTMLResponse

from vitnemal.admissionpages import views
from vitnemal.admissionpages.rounds import Officer, RoundId, lang_of, names, now, router
from vitnemal.admissions import roster, service
from vitnemal.admissions.service import RoundNotFound
from vitnemal.staffpages.render import render_staff

ApplicantId = Annotated[int, FastApiPath(ge=1, le=2**63 - 1)]


@router.get("/rounds/{round_id}/applicants/{applicant_id}", response_class=HTMLResponse)
def applicant_page(request: Request, access: Officer, round_id: RoundId, applicant_id: ApplicantId) -> HTMLResponse:
    lang = lang_of(request)
    registry = request.app.state.host.registry
    try:
        with access.db.session() as session:  # the look is recorded: a writing transaction
            found = roster.applicant_view(session, registry, round_id, applicant_id, viewer=access.actor, now=now(),
                                           lang=lang)
            round_name = service.get_round(session, round_id).name
    except (RoundNotFound, LookupError):
        raise HTTPException(404, f"round {round_id} has no applicant {applicant_id} here") from None
    return render_staff(request, access, "admissionpages/applicant.html", {
        "round_id": round_id, "round_name": round_name, "a": views.applicant_view(found, names(request, lang), lang)})
