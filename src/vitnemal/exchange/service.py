"""Results orders: placing one, recording each institution's outcome, reading them back (claiming and finishing
are in lifecycle.py).

Entry points (API route, CLI, worker) call these with a session they own; the functions never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, selectinload

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event, record_view
from vitnemal.exchange import lifecycle
from vitnemal.exchange.importer import ImportReport, SourceAnswer, import_answers
from vitnemal.exchange.messages import change_text, order_label, outcome_text, outcome_tone, status_text
from vitnemal.exchange.models import (
    ExternalQualification,
    ExternalStudyRecord,
    OrderChange,
    OrderOutcome,
    ResultsOrder,
)
from vitnemal.exchange.outcomes import OUTCOME_LABELS_NB, Outcome, Verdict
from vitnemal.exchange.states import OrderStatus, OutcomeState, RetryPolicy, after_attempt
from vitnemal.exchange.views import ExternalRecordView, OrderView
from vitnemal.i18n import Language
from vitnemal.identity.national_id import InvalidNationalId, parse_national_id
from vitnemal.records.models import CONSENT_RESULTS_EXCHANGE, Consent, ConsentAnswer
from vitnemal.records.service import find_person_by_any_id
from vitnemal.records.terms import season_order


class OrderRefused(ValueError):
    """An order that cannot be placed; the message says why and what to do, ``reason`` which refusal it is (for
    an entry point that says it in its reader's language): "invalid_id", "not_registered", "not_answered" or
    "answered_no" (the consent)."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


def current_consent(session: Session, person_id: int) -> Consent | None:
    """The person's latest answer to the RESUTVEKSL question, or None if never asked."""
    return session.scalar(
        select(Consent)
        .where(Consent.person_id == person_id, Consent.type == CONSENT_RESULTS_EXCHANGE)
        .order_by(Consent.answered_at.desc(), Consent.id.desc())
        .limit(1)
    )


def place_order(session: Session, *, national_id: str, ordered_by: str, own_code: str, members: list[str],
                now: datetime) -> ResultsOrder:
    """Create a queued order ("Bestilt <time>") with one pending outcome for every other institution.

    Refused, with what to do, when the id is invalid, the person is not registered here (the seed's step 3), or
    has not consented (step 4): sending someone's id to every institution without consent would itself disclose.
    """
    try:
        nid = parse_national_id(national_id)
    except InvalidNationalId as exc:
        raise OrderRefused(f"Invalid national id: {exc.message}", reason="invalid_id") from None
    person = find_person_by_any_id(session, [nid.number])
    if person is None:
        raise OrderRefused(f"{nid.formatted} is not registered as a person at {own_code}. "
                           "Register the person first, then order again.", reason="not_registered")
    consent = current_consent(session, person.id)
    if consent is None or consent.answer != ConsentAnswer.YES:
        state = "answered no (N)" if consent else "not answered"
        raise OrderRefused(f"{person.name} has {state} to results exchange ({CONSENT_RESULTS_EXCHANGE}). "
                           "The student must consent in Studentweb before results can be fetched.",
                           reason="answered_no" if consent else "not_answered")
    order = ResultsOrder(person_id=person.id, national_id=person.national_id, ordered_at=now, ordered_by=ordered_by,
                         status=OrderStatus.QUEUED, next_run_at=now)
    session.add(order)
    session.flush()
    # One pending outcome per institution, in one Core statement: the ORM's unit of work for some fifty rows cost
    # the requester more than the rest of placing the order (issue 11 #3). ``order.outcomes`` loads them on use.
    pending = [{"order_id": order.id, "institution_code": code, "state": OutcomeState.PENDING}
               for code in members if code != own_code]
    if pending:
        session.connection().execute(insert(cast(Table, OrderOutcome.__table__)), pending)
    record_event(session, actor=ordered_by, action=AuditAction.PLACE_ORDER, subject=order.national_id,
                 detail=f"order {order.id}", now=now)
    return order


@dataclass(frozen=True)
class Answered:
    """One institution's checked reply, ready to be recorded."""

    institution: str
    source_name: str
    verdict: Verdict
    elapsed_ms: int


def outcome_update(attempts: int, item: Answered, now: datetime, policy: RetryPolicy) -> dict[str, Any]:
    """The outcome row's new values after this attempt: final, or to be asked again at the same time tomorrow."""
    verdict = item.verdict
    state, again = after_attempt(attempts, verdict.retry, now, policy, verdict.retry_after_s)
    message = verdict.message
    if again is not None:
        message = f"{message}; asked again at {again.isoformat(timespec='minutes')}"
    return {
        "attempts": attempts + 1, "last_attempt_at": now, "elapsed_ms": item.elapsed_ms,
        "outcome": verdict.outcome.value, "message": message, "results_count": len(verdict.results),
        "qualifications_count": len(verdict.qualifications), "state": state, "next_attempt_at": again,
    }


def record_outcomes(session: Session, *, order_id: int, owner: str, answered: list[Answered], now: datetime,
                    policy: RetryPolicy, lease_s: float) -> list[ImportReport] | None:
    """Import what each reply carries and record each institution's outcome, all in the caller's transaction.

    Returns None without writing when this worker no longer owns the order (its lease ran out and another worker
    took over); outcomes already final are skipped. That is how a crash or a slow worker never duplicates anything.
    The outcome rows are written with one statement per batch: on PostgreSQL every statement is a round trip.
    """
    person_id = lifecycle.hold(session, order_id, owner)
    if person_id is None:
        return None
    rows = {r.institution_code: r for r in session.execute(
        select(OrderOutcome.id, OrderOutcome.institution_code, OrderOutcome.state, OrderOutcome.attempts)
        .where(OrderOutcome.order_id == order_id,
               OrderOutcome.institution_code.in_([a.institution for a in answered])))}
    due = [(item, rows[item.institution]) for item in answered
           if item.institution in rows and rows[item.institution].state is not OutcomeState.FINAL]
    imported = [item for item, _ in due if item.verdict.outcome is Outcome.IMPORTED]
    reports = import_answers(session, person_id=person_id, order_id=order_id, now=now, answers=[
        SourceAnswer(i.institution, i.source_name, i.verdict.results, i.verdict.qualifications) for i in imported])
    changes = [{"order_id": order_id, "institution_code": item.institution, "kind": c.kind, "code": c.code,
                "detail": c.detail, "source_key": c.key}
               for item, report in zip(imported, reports, strict=True) for c in report.changes]
    updates = [{"row_id": row.id, **outcome_update(row.attempts, item, now, policy)} for item, row in due]
    connection = session.connection()
    if updates:
        outcomes = cast(Table, OrderOutcome.__table__)
        columns = [c for c in updates[0] if c != "row_id"]
        connection.execute(update(outcomes).where(outcomes.c.id == bindparam("row_id"))
                           .values({c: bindparam(c) for c in columns}), updates)
    if changes:
        connection.execute(insert(cast(Table, OrderChange.__table__)), changes)
    lifecycle.extend_lease(session, order_id, now, lease_s)
    return reports


def order_view(order: ResultsOrder, *, names: Mapping[str, str] | None = None, lang: Language = "nb") -> OrderView:
    """The order as the API and CLI show it: status, every institution's outcome, and the changes found.

    ``text``, ``status_text`` and ``label`` are what a person reads (in ``lang``, naming institutions by
    ``names``, times in Norwegian time); ``outcome``, ``state`` and ``message`` are the codes and technical
    detail for programs and operators.
    """
    names = names or {}

    def name(code: str) -> str:
        return names.get(code) or code

    retrying = [o for o in order.outcomes if o.state is OutcomeState.RETRY]
    return {
        "order_id": order.id,
        "status": order.status,
        "status_text": status_text(status=order.status, ordered_at=order.ordered_at, next_run_at=order.next_run_at,
                                   finished_at=order.finished_at,
                                   waiting_for=[name(o.institution_code) for o in retrying], lang=lang),
        "national_id": order.national_id,
        "ordered_at": order.ordered_at.isoformat(),
        "ordered_by": order.ordered_by,
        "label": order_label(order.ordered_at, lang),
        "next_run_at": order.next_run_at.isoformat() if order.next_run_at else None,
        "finished_at": order.finished_at.isoformat() if order.finished_at else None,
        "outcomes": [
            {
                "institution": o.institution_code,
                "institution_name": name(o.institution_code),
                "outcome": o.outcome or OutcomeState.PENDING,
                "label": OUTCOME_LABELS_NB.get(Outcome(o.outcome), o.outcome) if o.outcome else "Venter",
                "tone": outcome_tone(o.outcome, o.state),
                "text": outcome_text(name=name(o.institution_code), outcome=o.outcome, state=o.state,
                                     results=o.results_count, degrees=o.qualifications_count, attempts=o.attempts,
                                     next_attempt_at=o.next_attempt_at, order_id=order.id, lang=lang),
                "results": o.results_count,
                "qualifications": o.qualifications_count,
                "state": o.state,
                "attempts": o.attempts,
                "next_attempt_at": o.next_attempt_at.isoformat() if o.next_attempt_at else None,
                "elapsed_ms": o.elapsed_ms,
                "message": o.message or "",
            }
            for o in order.outcomes
        ],
        "changes": [{"institution": c.institution_code, "institution_name": name(c.institution_code),
                     "kind": c.kind, "code": c.code, "detail": c.detail,
                     "text": change_text(name=name(c.institution_code), kind=c.kind, code=c.code, lang=lang)}
                    for c in order.changes],
    }


def load_order(session: Session, order_id: int) -> ResultsOrder | None:
    """The order with its outcomes and changes, for internal use (nothing is recorded; see view_order)."""
    return session.scalar(select(ResultsOrder).where(ResultsOrder.id == order_id)
                          .options(selectinload(ResultsOrder.outcomes), selectinload(ResultsOrder.changes)))


def view_order(session: Session, order_id: int, *, actor: str, now: datetime) -> ResultsOrder | None:
    """The order as a case worker looks at it; the look is audited (repeated polls within a minute once)."""
    order = load_order(session, order_id)
    if order is not None:
        record_view(session, actor=actor, action=AuditAction.VIEW_ORDER, subject=order.national_id,
                    detail=f"order {order_id}", now=now)
    return order


def list_orders(session: Session, *, actor: str, now: datetime, national_id: str | None = None,
                status: OrderStatus | str | None = None, limit: int = 50) -> list[ResultsOrder]:
    """The newest orders, optionally for one person (also found by an earlier id) or in one status; each person
    shown is audited."""
    query = select(ResultsOrder.id).order_by(ResultsOrder.id.desc()).limit(min(max(limit, 1), 500))
    if national_id:
        person = find_person_by_any_id(session, [national_id])
        query = query.where(ResultsOrder.person_id == (person.id if person else -1))
    if status:
        query = query.where(ResultsOrder.status == OrderStatus(status))
    orders = [o for o in (load_order(session, i) for i in session.scalars(query).all()) if o is not None]
    for subject in sorted({o.national_id for o in orders}):
        record_view(session, actor=actor, action=AuditAction.LIST_ORDERS, subject=subject, now=now)
    return orders


def view_external_records(session: Session, national_id: str, *, actor: str,
                          now: datetime) -> list[ExternalRecordView] | None:
    """Person eksternstudium for a case worker (audited); None when no such person is registered here."""
    person = find_person_by_any_id(session, [national_id])
    if person is None:
        return None
    record_view(session, actor=actor, action=AuditAction.VIEW_EXTERNAL_RECORDS, subject=person.national_id, now=now)
    return external_records_view(session, person.id)


def _last_changes(session: Session, records: list[ExternalStudyRecord]) -> dict[tuple[str, str], str]:
    """{(institution, source key): change kind} of each record's last fetch: what a page highlights."""
    wanted = {(r.last_order_id, r.source_code) for r in records if r.last_order_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(OrderChange.order_id, OrderChange.institution_code, OrderChange.source_key,
                                  OrderChange.kind)
                           .where(OrderChange.order_id.in_({order for order, _ in wanted}),
                                  OrderChange.source_key.is_not(None)))
    return {(code, key): kind for order, code, key, kind in rows if (order, code) in wanted and key is not None}


def external_records_view(session: Session, person_id: int) -> list[ExternalRecordView]:
    """Person eksternstudium: one entry per source institution with its results and qualifications.

    Each result and qualification carries ``change``: what its last fetch found new or different about it (a kind
    of :mod:`vitnemal.exchange.changes`, or None), and the links between courses and qualifications both ways.
    """
    records = list(session.scalars(
        select(ExternalStudyRecord).where(ExternalStudyRecord.person_id == person_id)
        .options(selectinload(ExternalStudyRecord.results),
                 selectinload(ExternalStudyRecord.qualifications).selectinload(ExternalQualification.links))
        .order_by(ExternalStudyRecord.source_code)
    ).all())
    changed = _last_changes(session, records)
    out: list[ExternalRecordView] = []
    for rec in records:
        by_id = {r.id: r for r in rec.results}
        part_of: dict[int, list[str]] = {}
        for q in rec.qualifications:
            for link in q.links:
                part_of.setdefault(link.result_id, []).append(q.code)
        results = sorted(rec.results, key=lambda r: (r.year, season_order(r.season),
                                                     r.course_code, r.id))
        out.append({
            "institution": rec.source_code,
            "institution_name": rec.source_name,
            "first_fetched_at": rec.first_fetched_at.isoformat(),
            "last_fetched_at": rec.last_fetched_at.isoformat(),
            "results": [
                {"id": r.id, "category": "Emne", "kind": r.kind, "code": r.course_code, "name_nb": r.name_nb,
                 "name_en": r.name_en, "thesis_title": r.thesis_title, "term": f"{r.year} {r.season}",
                 "credits": str(r.credits), "grade": r.grade, "removed_at_source": r.removed_at_source,
                 "part_of": part_of.get(r.id, []), "change": changed.get((rec.source_code, r.source_key))}
                for r in results
            ],
            "qualifications": [
                {"category": "Kvalifikasjon", "code": q.code, "name_nb": q.name_nb, "name_en": q.name_en,
                 "credits": str(q.credits), "award_date": q.award_date.isoformat(),
                 "courses": [by_id[link.result_id].course_code for link in q.links if link.result_id in by_id],
                 "change": changed.get((rec.source_code, q.source_key))}
                for q in rec.qualifications
            ],
        })
    return out
