"""The case worker's JSON API for recognition cases: ``/api/institutions/{code}/recognition/...``.

Every route needs a case worker's bearer token issued by that institution (the exchange API's
:func:`~vitnemal.exchange.routes.case_worker` check); the token's user is recorded as who decided.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from vitnemal.exchange import service as exchange
from vitnemal.exchange.routes import case_worker, names
from vitnemal.exchange.views import OrderView
from vitnemal.recognition import service
from vitnemal.recognition.views import CaseDetail, CaseView, ItemView, RecognisedItem
from vitnemal.web.deps import RowId, ServedHost, wake_worker

router = APIRouter(prefix="/api/institutions/{code}/recognition", tags=["recognition"])
CaseWorker = Annotated[str, Depends(case_worker)]
# How the app answers the service's refusals wherever they are raised (installed by web.app.create_app).
ERRORS: dict[type[Exception], int] = {service.CaseNotFound: 404, service.RecognitionError: 422}


class CaseIn(BaseModel):
    national_id: str = Field(min_length=1, max_length=40, description="fødselsnummer or D-number")
    qualification_code: str | None = Field(None, max_length=30, description="the qualification the case is about")


class BlockIn(BaseModel):
    title: str = Field(min_length=1, max_length=300, description="what the block contains, in bokmål")
    title_en: str | None = Field(None, max_length=300)
    institution_name: str = Field(min_length=1, max_length=200)
    institution_code: str | None = Field(None, max_length=10)
    credits: str = Field(min_length=1, max_length=10, description="e.g. 30 or 7.5")
    term: str | None = Field(None, max_length=20, description="e.g. 2019 HØST")


class ItemIn(BaseModel):
    toward: str = Field(min_length=1, max_length=30, description="qualification code, e.g. MA-INF")
    external_result_id: int | None = None
    block: BlockIn | None = None
    group: str | None = Field(None, max_length=200, description="heading of the degree's structure")
    credits_counted: str | None = Field(None, max_length=10, description="only part of the course counts")
    note: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def one_of(self) -> ItemIn:
        if (self.external_result_id is None) == (self.block is None):
            raise ValueError("give either external_result_id (a whole external course) or block (a block "
                             "defined by the faculty)")
        return self


class DecisionIn(BaseModel):
    status: str = Field(description="FERDIG or AVSLÅTT")
    note: str | None = Field(None, max_length=2000)


@router.post("/cases", status_code=201)
def open_case(code: str, body: CaseIn, host: ServedHost, user: CaseWorker) -> CaseView:
    """Open a recognition case (status BEHANDLES) for a person registered here."""
    with host.db(code).session() as session:
        case = service.open_case(session, national_id=body.national_id, opened_by=user, now=datetime.now(UTC),
                                 qualification_code=body.qualification_code)
        return service.case_view(service.get_case(session, case.id))


@router.get("/cases")
def list_cases(code: str, host: ServedHost, user: CaseWorker, national_id: str | None = None,
               status: str | None = None, limit: int = 100) -> list[CaseView]:
    """The newest cases, optionally for one person or with one status."""
    with host.db(code).session() as session:
        return [service.case_view(c) for c in service.list_cases(session, actor=user, now=datetime.now(UTC),
                                                                  national_id=national_id, status=status,
                                                                  limit=limit)]


@router.get("/cases/{case_id}")
def get_case(code: str, case_id: RowId, host: ServedHost, user: CaseWorker) -> CaseDetail:
    """The case, its decisions, and the person's imported external results (with the ids to recognise them by)."""
    with host.db(code).session() as session:
        return service.view_case(session, case_id, actor=user, now=datetime.now(UTC))


@router.post("/cases/{case_id}/fetch", status_code=201)
def fetch(code: str, case_id: RowId, request: Request, host: ServedHost, user: CaseWorker) -> OrderView:
    """"Hent ekstern norsk utdanning": order the person's results from every institution into the case."""
    with host.db(code).session() as session:
        order = service.fetch_external(session, case_id, ordered_by=user, own_code=code,
                                       members=host.registry.codes(), now=datetime.now(UTC))
        view = exchange.order_view(order, names=names(host, "nb"))
    wake_worker(request, code)
    return view


@router.post("/cases/{case_id}/items", status_code=201)
def recognise(code: str, case_id: RowId, body: ItemIn, host: ServedHost, user: CaseWorker) -> RecognisedItem:
    """Recognise a whole external course or a block toward a qualification; the answer carries any warnings."""
    now = datetime.now(UTC)
    with host.db(code).session() as session:
        if body.external_result_id is not None:
            item = service.recognise_result(session, case_id, external_result_id=body.external_result_id,
                                            toward=body.toward, by=user, now=now, group=body.group,
                                            credits_counted=body.credits_counted, note=body.note,
                                            registry=host.registry)
            warnings = [str(w) for w in service.result_warnings(session, body.external_result_id)]
        else:
            assert body.block is not None
            b = body.block
            item = service.recognise_block(session, case_id, title=b.title, title_en=b.title_en,
                                           institution_name=b.institution_name,
                                           institution_code=b.institution_code, credits=b.credits,
                                           term=b.term, toward=body.toward, by=user, now=now, group=body.group,
                                           note=body.note)
            warnings = []
        return RecognisedItem(**service.item_view(item), warnings=warnings)


@router.delete("/cases/{case_id}/items/{item_id}")
def withdraw(code: str, case_id: RowId, item_id: RowId, host: ServedHost, user: CaseWorker) -> ItemView:
    """Withdraw a recognition while the case is open (the decision's row stays, marked withdrawn)."""
    with host.db(code).session() as session:
        return service.item_view(service.withdraw(session, case_id, item_id, by=user, now=datetime.now(UTC)))


@router.post("/cases/{case_id}/decision")
def decide(code: str, case_id: RowId, body: DecisionIn, host: ServedHost, user: CaseWorker) -> CaseView:
    """Close the case: FERDIG (what is recognised counts on the diploma) or AVSLÅTT (with the reason)."""
    with host.db(code).session() as session:
        case = service.decide(session, case_id, status=body.status, by=user, now=datetime.now(UTC),
                              note=body.note)
        return service.case_view(case)
