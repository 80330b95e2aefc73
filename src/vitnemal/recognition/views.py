"""The shapes of a recognition case as the API, the CLI's --json and the case pages read it (issue 12 #4: declared,
not ``dict[str, Any]``). JSON-ready: times are ISO 8601 text, credits text ("7.5"), codes as stored. No I/O.

``recognition.service`` builds them (``case_view``, ``item_view``, ``view_case``, ``external_results``); the API's
routes declare them as their response models, so the OpenAPI document says what a case holds.
"""

from __future__ import annotations

from typing_extensions import TypedDict  # pydantic (the API's response models) needs it before Python 3.12


class CaseOrder(TypedDict):
    """The case's results order ("Hent ekstern norsk utdanning"), with its "Bestilt <time>" label."""

    order_id: int
    status: str  # an exchange.states.OrderStatus
    label: str
    ordered_at: str  # ISO 8601, UTC: the label in another language


class ItemView(TypedDict):
    """One decision: an external course (``kind`` "result") or a block ("block") recognised toward a
    qualification."""

    id: int
    kind: str  # "result" or "block"
    external_result_id: int | None
    toward: str
    group: str | None
    code: str | None
    name_nb: str
    name_en: str
    institution: str | None
    institution_name: str
    term: str | None  # "2014 HØST"
    credits: str
    credits_counted: str | None  # part of a course: what counts
    note: str | None
    recognised_at: str
    recognised_by: str
    withdrawn_at: str | None
    withdrawn_by: str | None


class RecognisedItem(ItemView):
    """A decision just made, with what the case worker should know about the course (the notes, in English)."""

    warnings: list[str]


class CaseView(TypedDict):
    """A case as it is listed (the API, ``vitnemal recognition list``, the list of cases)."""

    case_id: int
    status: str  # BEHANDLES, FERDIG or AVSLÅTT
    national_id: str
    name: str
    qualification_code: str | None
    opened_at: str
    opened_by: str
    order: CaseOrder | None
    decided_at: str | None
    decided_by: str | None
    decision_note: str | None
    items: list[ItemView]


class ImportedResult(TypedDict):
    """One of the person's imported external results, with the id a case worker recognises it by."""

    id: int
    institution: str
    institution_name: str
    code: str
    name_nb: str
    name_en: str
    term: str
    credits: str
    grade: str
    kind: str
    removed_at_source: bool


class CaseDetail(CaseView):
    """A case as it is opened (Godkjenningssak samlebilde, ``vitnemal recognition show``): with the results."""

    external_results: list[ImportedResult]
