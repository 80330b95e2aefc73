"""The case worker's JSON API for results orders, per institution: ``/api/institutions/{code}/...``.

Every route needs a case worker's bearer token issued by that institution; a token of one institution gives no
access to another's orders or people.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from vitnemal.audit.service import audit_log as audit_log_of
from vitnemal.exchange import service
from vitnemal.exchange.views import AuditEntryView, ExternalRecordView, OrderView
from vitnemal.i18n import Language
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.staff.service import NotAuthenticated, authenticate
from vitnemal.web.deps import RowId, ServedHost, served_host, wake_worker

router = APIRouter(prefix="/api/institutions/{code}", tags=["exchange"])
# How the app answers the service's refusals wherever they are raised (installed by web.app.create_app).
ERRORS: dict[type[Exception], int] = {service.OrderRefused: 422}


class OrderIn(BaseModel):
    national_id: str = Field(min_length=1, max_length=40, description="fødselsnummer or D-number; spaces allowed")


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
    host = served_host(request, code)
    header = f"Bearer {credentials.credentials}" if credentials else None
    try:
        with host.db(code).read_session() as session:
            return authenticate(session, header)
    except NotAuthenticated as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None


CaseWorker = Annotated[str, Depends(case_worker)]
# The language of the sentences in an answer (``text``, ``status_text``, ``label``); codes stay as they are.
LangQuery = Annotated[Language, Query(description="nb (default), nn or en")]


def names(host: LocalInstitutions, lang: Language) -> dict[str, str]:
    """Every member institution's name in ``lang`` (the registry has bokmål and English names), told apart from
    the others that share it since a merger ("Høgskulen på Vestlandet (tidligere Høgskulen i Sogn og Fjordane)")."""
    registry = host.registry
    return {code: registry.distinct_name(code, lang) for code in registry.institutions}


@router.post("/orders", status_code=201)
def create_order(code: str, body: OrderIn, request: Request, host: ServedHost, user: CaseWorker,
                 lang: LangQuery = "nb") -> OrderView:
    """Order the person's results from every institution ("Hent ekstern norsk utdanning")."""
    with host.db(code).session() as session:
        order = service.place_order(session, national_id=body.national_id, ordered_by=user, own_code=code,
                                    members=host.registry.codes(), now=datetime.now(UTC))
        view = service.order_view(order, names=names(host, lang), lang=lang)
    wake_worker(request, code)
    return view


@router.get("/orders/{order_id}")
def get_order(code: str, order_id: RowId, host: ServedHost, user: CaseWorker,
              lang: LangQuery = "nb") -> OrderView:
    """The order's status (Resultatbestilling), every institution's outcome, and the changes found."""
    with host.db(code).session() as session:
        order = service.view_order(session, order_id, actor=user, now=datetime.now(UTC))
        if order is None:
            raise HTTPException(404, f"No order {order_id} at {code}.")
        return service.order_view(order, names=names(host, lang), lang=lang)


@router.get("/orders")
def list_orders(code: str, host: ServedHost, user: CaseWorker, national_id: str | None = None,
                limit: int = 50, lang: LangQuery = "nb") -> list[OrderView]:
    """The newest orders, optionally for one person."""
    with host.db(code).session() as session:
        orders = service.list_orders(session, actor=user, now=datetime.now(UTC), national_id=national_id, limit=limit)
        return [service.order_view(o, names=names(host, lang), lang=lang) for o in orders]


@router.get("/people/{national_id}/external-records")
def external_records(code: str, national_id: str, host: ServedHost, user: CaseWorker) -> list[ExternalRecordView]:
    """Person eksternstudium: the imported results, one entry per source institution."""
    with host.db(code).session() as session:
        records = service.view_external_records(session, national_id, actor=user, now=datetime.now(UTC))
        if records is None:
            raise HTTPException(404, f"No person {national_id} at {code}.")
        return records


@router.get("/people/{national_id}/audit")
def audit_log(code: str, national_id: str, host: ServedHost, user: CaseWorker) -> list[AuditEntryView]:
    """Who ordered or looked at this person's results here, newest first (itself an audited look)."""
    with host.db(code).session() as session:
        events = audit_log_of(session, national_id.replace(" ", ""), actor=user, now=datetime.now(UTC))
        return [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail} for e in events]
