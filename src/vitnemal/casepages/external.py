"""Person eksternstudium: one record per source institution, the tab "Resultater" (category, code, names in
bokmål and English, thesis title, term, credits, result), courses linked to the qualifications they are part of,
and what the last fetch found new highlighted (new result, improved grade, new degree).

Every look is a view of the person's external results: the exchange service records it in this institution's
audit log, so it runs in a write session.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.casepages.common import now
from vitnemal.exchange import service as exchange
from vitnemal.exchange.changes import HIGHLIGHTED
from vitnemal.identity.models import Person
from vitnemal.interop.elmo_store import elmo_sources
from vitnemal.recognition.models import OPEN, RecognitionCase
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.deps import RowId
from vitnemal.web.routing import page_router

router = page_router(prefix="/institutions/{code}")
CaseWorker = Annotated[StaffAccess, Depends(require_staff(Role.CASE_WORKER))]
TABS = ("results", "qualifications")


@router.get("/people/{person_id}/external", response_class=HTMLResponse)
def external_studies(request: Request, access: CaseWorker, person_id: RowId,
                     tab: str = Query("results", max_length=20)) -> HTMLResponse:
    """Person eksternstudium for one person registered here."""
    with access.db.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise HTTPException(404, "no such person here")
        found = exchange.view_external_records(session, person.national_id, actor=access.actor, now=now()) or []
        records = [{**rec, "last_fetched": datetime.fromisoformat(rec["last_fetched_at"]),
                    "changed": sum(1 for r in rec["results"] if r["change"])
                    + sum(1 for q in rec["qualifications"] if q["change"])} for rec in found]
        cases = [c.id for c in person_cases(session, person_id)]
        from_elmo = elmo_sources(session, person_id)  # emrex's: where a record read from an ELMO file came from
        who = {"id": person.id, "name": person.name, "national_id": person.national_id}
    return render_staff(request, access, "casepages/external.html", {
        "person": who, "records": records, "tab": tab if tab in TABS else "results", "highlighted": HIGHLIGHTED,
        "open_cases": cases, "from_elmo": from_elmo})


def person_cases(session: Session, person_id: int) -> list[RecognitionCase]:
    return list(session.scalars(select(RecognitionCase).where(RecognitionCase.person_id == person_id,
                                                              RecognitionCase.status == OPEN)
                                .order_by(RecognitionCase.id)))
