"""The case worker's JSON API for results orders, per institution: ``/api/institutions/{code}/...``.

Every route needs a case worker's bearer token issued by that institution; a token of one institution gives no
access to another's orders or people.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import select

from vitnemal.audit.service import events_for, record_event
from vitnemal.exchange import service
from vitnemal.exchange.models import ResultsOrder
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.staff.service import NotAuthenticated, authenticate

# Path ids beyond SQL's 64-bit integers are a 422, not a database error.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]

router = APIRouter(prefix="/api/institutions/{code}", tags=["exchange"])


class OrderIn(BaseModel):
    national_id: str = Field(min_length=1, max_length=40, description="fødselsnummer or D-number; spaces allowed")


def _host(request: Request, code: str) -> LocalInstitutions:
    host: LocalInstitutions = request.app.state.host
    if not host.serves(code):
        raise HTTPException(404, f"Institution {code!r} is not served here.")
    return host


_bearer = HTTPBearer(auto_error=False, scheme_name="caseWorkerToken",
                     description="A case worker's API token of this institution (`vitnemal tokens issue`).")


def case_worker(request: Request, code: str,
                credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None) -> str:
    """The username behind the bearer token, checked against the institution's own staff tokens.

    The app's gate (vitnemal.web.gate) has normally checked it already, before the body was read; it is checked
    here again only when this router runs without that gate.
    """
    checked = getattr(request.state, "case_worker", None)
    if checked is not None and checked[0] == code:
        return str(checked[1])
    host = _host(request, code)
    header = f"Bearer {credentials.credentials}" if credentials else None
    try:
        with host.db(code).read_session() as session:
            return authenticate(session, header)
    except NotAuthenticated as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None


CaseWorker = Annotated[str, Depends(case_worker)]


@router.post("/orders", status_code=201)
def create_order(code: str, body: OrderIn, request: Request, user: CaseWorker) -> dict[str, Any]:
    """Order the person's results from every institution ("Hent ekstern norsk utdanning")."""
    host = _host(request, code)
    try:
        with host.db(code).session() as session:
            order = service.place_order(session, national_id=body.national_id, ordered_by=user, own_code=code,
                                        members=host.registry.codes(), now=datetime.now(UTC))
            record_event(session, actor=user, action="place_order", subject=order.national_id,
                         detail=f"order {order.id}")
            view = service.order_view(order)
    except service.OrderRefused as exc:
        raise HTTPException(422, str(exc)) from None
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
    return view


@router.get("/orders/{order_id}")
def get_order(code: str, order_id: RowId, request: Request, user: CaseWorker) -> dict[str, Any]:
    """The order's status (Resultatbestilling), every institution's outcome, and the changes found."""
    with _host(request, code).db(code).session() as session:
        order = service.load_order(session, order_id)
        if order is None:
            raise HTTPException(404, f"No order {order_id} at {code}.")
        record_event(session, actor=user, action="view_order", subject=order.national_id, detail=f"order {order_id}")
        return service.order_view(order)


@router.get("/orders")
def list_orders(code: str, request: Request, user: CaseWorker, national_id: str | None = None,
                limit: int = 50) -> list[dict[str, Any]]:
    """The newest orders, optionally for one person."""
    with _host(request, code).db(code).session() as session:
        query = select(ResultsOrder.id).order_by(ResultsOrder.id.desc()).limit(min(max(limit, 1), 500))
        if national_id:
            person = service.find_person(session, national_id.replace(" ", ""))  # also by an earlier id
            query = query.where(ResultsOrder.person_id == (person.id if person else -1))
        views = []
        for order_id in session.scalars(query).all():
            order = service.load_order(session, order_id)
            if order is not None:
                views.append(service.order_view(order))
        for subject in sorted({v["national_id"] for v in views}):
            record_event(session, actor=user, action="list_orders", subject=subject)
        return views


@router.get("/people/{national_id}/external-records")
def external_records(code: str, national_id: str, request: Request, user: CaseWorker) -> list[dict[str, Any]]:
    """Person eksternstudium: the imported results, one entry per source institution."""
    with _host(request, code).db(code).session() as session:
        person = service.find_person(session, national_id.replace(" ", ""))
        if person is None:
            raise HTTPException(404, f"No person {national_id} at {code}.")
        record_event(session, actor=user, action="view_external_records", subject=person.national_id)
        return service.external_records_view(session, person.id)


@router.get("/people/{national_id}/audit")
def audit_log(code: str, national_id: str, request: Request, user: CaseWorker) -> list[dict[str, Any]]:
    """Who ordered or looked at this person's results here, newest first (itself an audited look)."""
    with _host(request, code).db(code).session() as session:
        nid = national_id.replace(" ", "")
        events = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
                  for e in events_for(session, nid)]
        record_event(session, actor=user, action="view_audit_log", subject=nid)
        return events
