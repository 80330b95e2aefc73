"""What the exchange shows of an order (issue 12 #4): the shape of :func:`vitnemal.exchange.service.order_view`,
which the case workers' API answers (and its OpenAPI document describes), ``vitnemal recognition fetch`` prints
and the case pages render. Written once here so that every reader indexes the same keys and mypy checks them.

``text``, ``status_text`` and ``label`` are what a person reads (in the asked language); ``outcome``, ``state``
and ``message`` are the codes and the technical detail for programs and operators. Times are ISO 8601 (UTC).
"""

from __future__ import annotations

# typing_extensions' TypedDict: pydantic (FastAPI's response model) needs it before Python 3.12
from typing_extensions import TypedDict


class OutcomeView(TypedDict):
    """One institution's answer to the order."""

    institution: str
    institution_name: str
    outcome: str  # an exchange.outcomes.Outcome, or "pending" before the institution has answered
    label: str
    tone: str  # success, neutral, info, warning or danger
    text: str
    results: int
    qualifications: int
    state: str  # an exchange.states.OutcomeState
    attempts: int
    next_attempt_at: str | None
    elapsed_ms: int | None
    message: str


class ChangeView(TypedDict):
    """What an order found new or different at one institution since the previous fetch."""

    institution: str
    institution_name: str
    kind: str  # an exchange.changes kind
    code: str
    detail: str
    text: str


class OrderView(TypedDict):
    order_id: int
    status: str  # an exchange.states.OrderStatus
    status_text: str
    national_id: str
    ordered_at: str
    ordered_by: str
    label: str
    next_run_at: str | None
    finished_at: str | None
    outcomes: list[OutcomeView]
    changes: list[ChangeView]


class ExternalResultView(TypedDict):
    """One imported course result on Person eksternstudium (``change``: what its last fetch found, or None)."""

    id: int
    category: str  # "Emne"
    kind: str
    code: str
    name_nb: str
    name_en: str
    thesis_title: str | None
    term: str  # "2022 HØST"
    credits: str  # a decimal, as text
    grade: str
    removed_at_source: bool
    part_of: list[str]  # the codes of the qualifications it counts in
    change: str | None


class ExternalQualificationView(TypedDict):
    category: str  # "Kvalifikasjon"
    code: str
    name_nb: str
    name_en: str
    credits: str
    award_date: str
    courses: list[str]  # the course codes that count in it
    change: str | None


class ExternalRecordView(TypedDict):
    """Person eksternstudium: what one source institution answered, as last fetched."""

    institution: str
    institution_name: str
    first_fetched_at: str
    last_fetched_at: str
    results: list[ExternalResultView]
    qualifications: list[ExternalQualificationView]


class AuditEntryView(TypedDict):
    """One event of the institution's audit log about a person: who ordered or looked at their results, when."""

    at: str
    actor: str
    action: str  # an audit.events.AuditAction value
    detail: str | None
