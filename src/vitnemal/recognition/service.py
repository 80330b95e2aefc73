"""Recognition cases: open one, fetch external results into it, recognise courses and blocks, decide.

Every function takes a session owned by the caller (API route, CLI) and never commits. Bad input raises
:class:`RecognitionError` (or :class:`CaseNotFound`) with a :class:`~vitnemal.recognition.refusals.Refusal` and
its parameters: the sentence says what is wrong and what to do, in the reader's language where it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_view
from vitnemal.exchange import service as exchange
from vitnemal.exchange.messages import order_label
from vitnemal.exchange.models import (
    ExternalQualification,
    ExternalQualificationCourse,
    ExternalResult,
    ExternalStudyRecord,
    ResultsOrder,
)
from vitnemal.identity.models import Person
from vitnemal.institutions.registry import Registry
from vitnemal.recognition.models import DONE, OPEN, REFUSED, RecognitionCase, RecognitionItem
from vitnemal.recognition.refusals import CaseNotFound, Note, Notice, RecognitionError, Refusal
from vitnemal.recognition.views import CaseDetail, CaseView, ImportedResult, ItemView
from vitnemal.records.service import find_person_by_any_id, parse_credits
from vitnemal.records.terms import parse_term, season_order, term_day


def find_person(session: Session, national_id: str) -> Person:
    """The person registered here under ``national_id`` (spaces allowed); a refusal when there is none."""
    return _person(session, national_id)


def _person(session: Session, national_id: str) -> Person:
    person = find_person_by_any_id(session, [national_id])
    if person is None:
        raise RecognitionError(Refusal.PERSON_UNKNOWN, next_step="add-person", national_id=national_id.strip())
    return person


def _code(value: str | None) -> str:
    code = (value or "").strip()
    if not code:
        raise RecognitionError(Refusal.QUALIFICATION_MISSING)
    if len(code) > 30:
        raise RecognitionError(Refusal.QUALIFICATION_TOO_LONG, code=code)
    return code


def _credits(value: Decimal | str | float | int) -> Decimal:
    try:
        return parse_credits(value)
    except ValueError:
        raise RecognitionError(Refusal.CREDITS_INVALID, value=str(value).strip()[:20]) from None


def _toward(session: Session, person: Person, code: str) -> str:
    """``code`` when the person can take that qualification here (see
    :func:`~vitnemal.programmes.service.qualifications_open_to`); else a refusal naming what they can take."""
    from vitnemal.programmes.service import qualifications_open_to

    open_to = qualifications_open_to(session, person.id)
    if any(q.code == code for q in open_to):
        return code
    if not open_to:
        raise RecognitionError(Refusal.NOTHING_OPEN_TO, next_step="qualifications", national_id=person.national_id,
                               name=person.name, code=code)
    can = ", ".join(f"{q.code} ({q.programme_name_nb or q.name_nb})" for q in open_to)
    raise RecognitionError(Refusal.NOT_OPEN_TO, next_step="qualifications", national_id=person.national_id,
                           name=person.name, code=code, open_to=can)


def get_case(session: Session, case_id: int) -> RecognitionCase:
    """The case with its person, order and items; :class:`CaseNotFound` if there is none."""
    case = session.scalar(select(RecognitionCase).where(RecognitionCase.id == case_id)
                          .options(selectinload(RecognitionCase.items), selectinload(RecognitionCase.person),
                                   selectinload(RecognitionCase.order)))
    if case is None:
        raise CaseNotFound(case_id)
    return case


def _open_case(session: Session, case_id: int) -> RecognitionCase:
    case = get_case(session, case_id)
    if case.status != OPEN:
        raise RecognitionError(Refusal.CASE_CLOSED, case=case.id, status=case.status)
    return case


def open_case(session: Session, *, national_id: str, opened_by: str, now: datetime,
              qualification_code: str | None = None) -> RecognitionCase:
    """Open a case (status BEHANDLES) for the person; one open case per person and qualification at a time."""
    person = _person(session, national_id)
    code = qualification_code.strip() if qualification_code and qualification_code.strip() else None
    if code is not None:
        code = _toward(session, person, _code(code))
    existing = session.scalar(select(RecognitionCase).where(
        RecognitionCase.person_id == person.id, RecognitionCase.status == OPEN,
        RecognitionCase.qualification_code.is_(None) if code is None else RecognitionCase.qualification_code == code))
    if existing is not None:
        if code is None:
            raise RecognitionError(Refusal.CASE_ALREADY_OPEN, case=existing.id, name=person.name)
        raise RecognitionError(Refusal.CASE_ALREADY_OPEN_TOWARD, case=existing.id, name=person.name, code=code)
    case = RecognitionCase(person_id=person.id, status=OPEN, qualification_code=code, opened_at=now,
                           opened_by=opened_by)
    session.add(case)
    session.flush()
    return case


def fetch_external(session: Session, case_id: int, *, ordered_by: str, own_code: str, members: Sequence[str],
                   now: datetime) -> ResultsOrder:
    """Order the person's results from every institution ("Hent ekstern norsk utdanning") and link the order.

    The order is queued; a worker (the server's, or ``vitnemal recognition fetch`` in-process) runs it.
    """
    case = _open_case(session, case_id)
    try:
        order = exchange.place_order(session, national_id=case.person.national_id, ordered_by=ordered_by,
                                     own_code=own_code, members=list(members), now=now)
    except exchange.OrderRefused as exc:
        refusal = {"not_answered": Refusal.NO_CONSENT, "answered_no": Refusal.CONSENT_REFUSED}.get(exc.reason or "")
        if refusal is not None:
            raise RecognitionError(refusal, name=case.person.name) from None
        raise RecognitionError(Refusal.ORDER_REFUSED, detail=str(exc)) from None
    case.order_id = order.id
    session.flush()
    return order


def _active(session: Session, person_id: int, qualification_code: str) -> list[RecognitionItem]:
    return list(session.scalars(
        select(RecognitionItem).join(RecognitionCase)
        .where(RecognitionCase.person_id == person_id, RecognitionCase.status != REFUSED,
               RecognitionItem.qualification_code == qualification_code, RecognitionItem.withdrawn_at.is_(None))))


def _term(term: str | None) -> tuple[int | None, str | None]:
    if not term:
        return None, None

    try:
        return parse_term(term)
    except ValueError:
        raise RecognitionError(Refusal.TERM_INVALID, term=term.strip()[:20]) from None


def recognise_result(session: Session, case_id: int, *, external_result_id: int, toward: str, by: str,
                     now: datetime, group: str | None = None, credits_counted: Decimal | str | None = None,
                     note: str | None = None, registry: Registry | None = None) -> RecognitionItem:
    """Recognise one imported external course toward ``toward`` (wholly, or ``credits_counted`` of it).

    The item names the institution as it was named when the result was obtained (``registry``'s name history: a
    2014 course of Høgskulen i Sogn og Fjordane is "taken at" that, not at Høgskulen på Vestlandet, which it merged
    into in 2017); without a registry, the name the exchange recorded."""
    case = _open_case(session, case_id)
    toward = _toward(session, case.person, _code(toward))
    found = session.execute(
        select(ExternalResult, ExternalStudyRecord)
        .join(ExternalStudyRecord, ExternalStudyRecord.id == ExternalResult.record_id)
        .where(ExternalResult.id == external_result_id)).first()
    if found is None or found[1].person_id != case.person_id:
        raise RecognitionError(Refusal.RESULT_NOT_IMPORTED, next_step="show", case_id=case.id,
                               result=external_result_id, name=case.person.name)
    result, record = found
    if result.removed_at_source:
        raise RecognitionError(Refusal.RESULT_REMOVED, course=result.course_code, term=f"{result.year} {result.season}",
                               source=record.source_name)
    if any(i.external_result_id == result.id for i in _active(session, case.person_id, toward)):
        raise RecognitionError(Refusal.ALREADY_RECOGNISED, course=result.course_code, code=toward)
    counted = None
    if credits_counted is not None:
        counted = _credits(credits_counted)
        if counted > result.credits:
            raise RecognitionError(Refusal.TOO_MANY_CREDITS, course=result.course_code, credits=_num(result.credits),
                                   counted=_num(counted), code=toward)
        if counted == result.credits:
            counted = None
    item = RecognitionItem(
        kind="result", external_result_id=result.id, qualification_code=toward, group_heading=(group or None),
        code=result.course_code, name_nb=result.name_nb, name_en=result.name_en, course_kind=result.kind,
        thesis_title=result.thesis_title, institution_code=record.source_code,
        institution_name=(registry.name_then(record.source_code, term_day(result.year, result.season))
                          if registry is not None and record.source_code in registry else record.source_name),
        year=result.year, season=result.season, credits=result.credits, credits_counted=counted,
        note=(note or None), recognised_at=now, recognised_by=by)
    case.items.append(item)
    session.flush()
    return item


def recognise_block(session: Session, case_id: int, *, title: str, institution_name: str,
                    credits: Decimal | str | int, toward: str, by: str, now: datetime, title_en: str | None = None,
                    institution_code: str | None = None, term: str | None = None, group: str | None = None,
                    note: str | None = None) -> RecognitionItem:
    """Recognise an aggregated block defined by the faculty: a title, the institution it comes from, credits."""
    case = _open_case(session, case_id)
    toward = _toward(session, case.person, _code(toward))
    if not title.strip():
        raise RecognitionError(Refusal.BLOCK_TITLE_MISSING)
    if not institution_name.strip():
        raise RecognitionError(Refusal.BLOCK_INSTITUTION_MISSING)
    year, season = _term(term)
    item = RecognitionItem(
        kind="block", qualification_code=toward, group_heading=(group or None), code=None,
        name_nb=title.strip()[:300], name_en=(title_en or title).strip()[:300], course_kind="course",
        institution_code=(institution_code or None), institution_name=institution_name.strip()[:200],
        year=year, season=season, credits=_credits(credits), note=(note or None), recognised_at=now,
        recognised_by=by)
    case.items.append(item)
    session.flush()
    return item


def withdraw(session: Session, case_id: int, item_id: int, *, by: str, now: datetime) -> RecognitionItem:
    """Withdraw a recognition while the case is open; the row stays, with who withdrew it and when."""
    case = _open_case(session, case_id)
    item = next((i for i in case.items if i.id == item_id), None)
    if item is None:
        raise RecognitionError(Refusal.ITEM_NOT_FOUND, case=case.id, item=item_id)
    if item.withdrawn_at is not None:
        raise RecognitionError(Refusal.ITEM_WITHDRAWN, item=item_id, by=item.withdrawn_by)
    item.withdrawn_at, item.withdrawn_by = now, by
    session.flush()
    return item


def decide(session: Session, case_id: int, *, status: str, by: str, now: datetime,
           note: str | None = None) -> RecognitionCase:
    """Close the case: FERDIG (what is recognised counts) or AVSLÅTT (nothing counts; the reason is required)."""
    wanted = status.strip().upper().replace("AVSLATT", REFUSED)
    if wanted not in (DONE, REFUSED):
        raise RecognitionError(Refusal.NOT_A_DECISION, status=status.strip()[:20])
    case = _open_case(session, case_id)
    if wanted == DONE and not any(i.withdrawn_at is None for i in case.items):
        raise RecognitionError(Refusal.NOTHING_RECOGNISED, case=case.id)
    if wanted == REFUSED and not (note or "").strip():
        raise RecognitionError(Refusal.REASON_MISSING)
    case.status, case.decided_at, case.decided_by, case.decision_note = wanted, now, by, (note or None)
    session.flush()
    return case


def recognitions_for(session: Session, person_id: int, qualification_code: str) -> list[RecognitionItem]:
    """What counts toward the qualification on the diploma: the items of decided (FERDIG) cases, not withdrawn."""
    return recognitions_for_many(session, [person_id]).get((person_id, qualification_code), [])


def recognitions_for_many(session: Session,
                          person_ids: Sequence[int]) -> dict[tuple[int, str], list[RecognitionItem]]:
    """:func:`recognitions_for` of many people in one query, by (person id, qualification code)."""
    out: dict[tuple[int, str], list[RecognitionItem]] = {}
    rows = session.execute(
        select(RecognitionCase.person_id, RecognitionItem).join(RecognitionCase)
        .where(RecognitionCase.person_id.in_(set(person_ids)), RecognitionCase.status == DONE,
               RecognitionItem.withdrawn_at.is_(None))
        .order_by(RecognitionItem.id))
    for person_id, item in rows:
        out.setdefault((person_id, item.qualification_code), []).append(item)
    return out


def result_warnings(session: Session, external_result_id: int) -> list[Note]:
    """Notes for the case worker: a course already part of a degree elsewhere cannot ordinarily count again."""
    rows = session.execute(
        select(ExternalQualification.code, ExternalQualification.name_nb, ExternalStudyRecord.source_name)
        .join(ExternalQualificationCourse, ExternalQualificationCourse.qualification_id == ExternalQualification.id)
        .join(ExternalStudyRecord, ExternalStudyRecord.id == ExternalQualification.record_id)
        .where(ExternalQualificationCourse.result_id == external_result_id)).all()
    return [Note(Notice.PART_OF_DEGREE, degree=name, code=code, source=source) for code, name, source in rows]


def list_cases(session: Session, *, actor: str, now: datetime, national_id: str | None = None,
               status: str | None = None, limit: int = 100) -> list[RecognitionCase]:
    """The newest cases, optionally for one person or with one status; each person listed is audited."""
    query = (select(RecognitionCase).options(selectinload(RecognitionCase.items), selectinload(RecognitionCase.person))
             .order_by(RecognitionCase.id.desc()).limit(min(max(limit, 1), 1000)))
    if national_id:
        query = query.where(RecognitionCase.person_id == _person(session, national_id).id)
    if status:
        query = query.where(RecognitionCase.status == status.strip().upper())
    cases = list(session.scalars(query))
    for subject in sorted({c.person.national_id for c in cases}):
        record_view(session, actor=actor, action=AuditAction.LIST_RECOGNITION_CASES, subject=subject, now=now)
    return cases


def view_case(session: Session, case_id: int, *, actor: str, now: datetime) -> CaseDetail:
    """The case, its decisions and the person's imported external results, as a case worker looks at them
    (audited); :class:`CaseNotFound` if there is none."""
    case = get_case(session, case_id)
    record_view(session, actor=actor, action=AuditAction.VIEW_RECOGNITION_CASE, subject=case.person.national_id,
                detail=f"case {case_id}", now=now)
    return CaseDetail(**case_view(case), external_results=external_results(session, case.person_id))


def _num(value: Decimal) -> str:
    """Credits as text, the same whether read back from the database or not: "10", "7.5"."""
    return format(Decimal(value).quantize(Decimal("0.1")).normalize(), "f")


def item_view(item: RecognitionItem) -> ItemView:
    return {
        "id": item.id, "kind": item.kind, "external_result_id": item.external_result_id,
        "toward": item.qualification_code, "group": item.group_heading, "code": item.code, "name_nb": item.name_nb,
        "name_en": item.name_en, "institution": item.institution_code, "institution_name": item.institution_name,
        "term": f"{item.year} {item.season}" if item.year else None, "credits": _num(item.credits),
        "credits_counted": _num(item.credits_counted) if item.credits_counted is not None else None,
        "note": item.note, "recognised_at": item.recognised_at.isoformat(), "recognised_by": item.recognised_by,
        "withdrawn_at": item.withdrawn_at.isoformat() if item.withdrawn_at else None,
        "withdrawn_by": item.withdrawn_by,
    }


def case_view(case: RecognitionCase) -> CaseView:
    """The case as the API and CLI show it."""
    order = case.order
    return {
        "case_id": case.id, "status": case.status, "national_id": case.person.national_id,
        "name": case.person.name, "qualification_code": case.qualification_code,
        "opened_at": case.opened_at.isoformat(), "opened_by": case.opened_by,
        "order": None if order is None else {"order_id": order.id, "status": order.status,
                                             "label": order_label(order.ordered_at),
                                             "ordered_at": order.ordered_at.isoformat()},
        "decided_at": case.decided_at.isoformat() if case.decided_at else None, "decided_by": case.decided_by,
        "decision_note": case.decision_note, "items": [item_view(i) for i in case.items],
    }


def external_results(session: Session, person_id: int) -> list[ImportedResult]:
    """The person's imported external results with the ids a case worker recognises them by."""
    rows = session.execute(
        select(ExternalResult, ExternalStudyRecord.source_code, ExternalStudyRecord.source_name)
        .join(ExternalStudyRecord, ExternalStudyRecord.id == ExternalResult.record_id)
        .where(ExternalStudyRecord.person_id == person_id)
    ).all()
    rows = sorted(rows, key=lambda row: (row[1], row[0].year, season_order(row[0].season), row[0].id))
    return [{"id": r.id, "institution": code, "institution_name": name, "code": r.course_code, "name_nb": r.name_nb,
             "name_en": r.name_en, "term": f"{r.year} {r.season}", "credits": _num(r.credits), "grade": r.grade,
             "kind": r.kind, "removed_at_source": r.removed_at_source} for r, code, name in rows]
