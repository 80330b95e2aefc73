"""Answering a verified results request from one institution's records, and logging the disclosure."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from vitnemal.db import Database
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.node import rules
from vitnemal.node.protocol import NodeAnswer, ResultsRequest
from vitnemal.records.models import (
    AssessmentResult,
    Disclosure,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
)


class ReplayedRequest(Exception):
    """The request id was answered before: a replay is refused."""


def _credits(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _find_person(session: Session, ids: tuple[str, ...]) -> Person | None:
    person = session.scalar(select(Person).where(Person.national_id.in_(ids)))
    if person is None:
        person = session.scalar(
            select(Person).join(PersonIdentity).where(PersonIdentity.national_id.in_(ids))
        )
    return person


def _same_name_and_birth_date(session: Session, request: ResultsRequest) -> bool:
    subj = request.subject
    if not (subj.first_name and subj.last_name and subj.birth_date):
        return False
    try:
        born = date.fromisoformat(subj.birth_date)
    except ValueError:
        return False
    found = session.scalar(
        select(func.count(Person.id)).where(
            func.lower(Person.first_name) == subj.first_name.lower(),
            func.lower(Person.last_name) == subj.last_name.lower(),
            Person.birth_date == born,
        )
    )
    return bool(found)


def _result_dict(r: AssessmentResult) -> dict[str, Any]:
    c = r.course
    return {
        "key": rules.result_key(c.code, r.year, r.season),
        "course_code": c.code,
        "name_nb": c.name_nb,
        "name_en": c.name_en,
        "kind": c.kind,
        "thesis_title": r.thesis_title,
        "year": r.year,
        "season": r.season,
        "credits": _credits(r.credits),
        "grade": r.grade,
        "grading_scale": c.grading_scale,
        "description_nb": c.description_nb,
        "description_en": c.description_en,
    }


def _qualification_dict(q: Qualification, links: list[QualificationCourse]) -> dict[str, Any]:
    return {
        "key": q.code,
        "code": q.code,
        "name_nb": q.name_nb,
        "name_en": q.name_en,
        "level": q.level,
        "programme_name_nb": q.programme_name_nb,
        "programme_name_en": q.programme_name_en,
        "specialisation_nb": q.specialisation_nb,
        "specialisation_en": q.specialisation_en,
        "credits": _credits(q.credits),
        "award_date": q.award_date.isoformat(),
        "diploma_issued_on": q.diploma_issued_on.isoformat() if q.diploma_issued_on else None,
        "courses": [
            {
                "result_key": rules.result_key(link.result.course.code, link.result.year, link.result.season),
                "group_nb": link.group.heading_nb if link.group else None,
                "group_en": link.group.heading_en if link.group else None,
                "credits_counted": _credits(link.credits_counted),
            }
            for link in links
        ],
    }


def _records_answer(session: Session, request: ResultsRequest, base: dict[str, Any]) -> NodeAnswer:
    """Question 3: passed results and released qualifications of the person, if the node holds any."""
    person = _find_person(session, request.subject.all_ids())
    if person is None:
        if _same_name_and_birth_date(session, request):
            return NodeAnswer(
                **base, status="identity_mismatch",
                message="A person with the same name and birth date is registered here under another national id. "
                "Ask the student to have this institution update the national id in its records.",
            )
        return NodeAnswer(**base, status="no_results", message="No results are registered for this person.")

    results = session.scalars(
        select(AssessmentResult)
        .where(AssessmentResult.person_id == person.id, AssessmentResult.passed.is_(True))
        .order_by(AssessmentResult.year, AssessmentResult.season, AssessmentResult.id)
    ).all()
    fetch_date = date.fromisoformat(request.fetch_date)
    quals = session.scalars(
        select(Qualification)
        .where(Qualification.person_id == person.id)
        .options(
            selectinload(Qualification.courses).selectinload(QualificationCourse.result),
            selectinload(Qualification.courses).selectinload(QualificationCourse.group),
        )
        .order_by(Qualification.award_date)
    ).all()
    released = [q for q in quals if rules.is_released(q.diploma_issued_on, fetch_date)]
    withheld = [
        {"code": q.code, "name_nb": q.name_nb, "name_en": q.name_en, "level": q.level,
         "reason": "diploma_not_issued_before_fetch_date"}
        for q in quals if not rules.is_released(q.diploma_issued_on, fetch_date)
    ]
    passed_ids = {r.id for r in results}
    qualifications = [
        _qualification_dict(q, [link for link in q.courses if link.result_id in passed_ids]) for q in released
    ]
    # The person is registered here under another of their ids (an old D-number): say so, so it can be fixed.
    matched = person.national_id if person.national_id != request.subject.national_id else None
    if not results and not qualifications:
        status = "degree_not_released" if withheld else "no_results"
        message = (
            "A degree is registered, but its diploma was not issued before the fetch date."
            if withheld else "No passed results are registered for this person."
        )
        return NodeAnswer(**base, status=status, message=message, matched_id=matched, withheld=withheld)
    message = ""
    if matched:
        message = (
            f"Found under the earlier national id {matched}. Ask the student to have this institution update "
            "the national id in its records."
        )
    return NodeAnswer(
        **base, status="ok", message=message, matched_id=matched,
        results=[_result_dict(r) for r in results], qualifications=qualifications, withheld=withheld,
    )


def build_answer(session: Session, request: ResultsRequest, node_code: str, now: datetime) -> NodeAnswer:
    """Answer the seed's three questions in order and return the (unsigned) answer."""
    base: dict[str, Any] = {
        "node": node_code, "requester": request.requester, "in_reply_to": request.request_id,
        "issued_at": int(now.timestamp()), "subject": request.subject.national_id,
    }
    settings = session.scalar(select(ExchangeSettings))
    refusal = rules.sharing_refusal(bool(settings and settings.module_active), bool(settings and settings.reserved))
    if refusal == "not_sharing":
        return NodeAnswer(**base, status=refusal, message="This institution does not share results.")
    if refusal == "reserved":
        return NodeAnswer(**base, status=refusal, message="This institution has reserved itself against exchange.")
    consent_problem = rules.consent_refusal(request.consent, request.requester, now)
    if consent_problem:
        return NodeAnswer(**base, status="no_consent", message=consent_problem)
    return _records_answer(session, request, base)


def answer_request(db: Database, request: ResultsRequest, node_code: str, now: datetime) -> NodeAnswer:
    """Build the answer from a read-only view, then log the disclosure; only a logged answer is ever returned.

    Raises ReplayedRequest when the request id was seen before.
    """
    with db.read_session() as session:
        if session.scalar(select(Disclosure.id).where(Disclosure.request_id == request.request_id)):
            raise ReplayedRequest(request.request_id)
        answer = build_answer(session, request, node_code, now)
        person_id = None
        if answer.status in ("ok", "degree_not_released"):
            ids = request.subject.all_ids()
            person_id = session.scalar(
                select(Person.id).outerjoin(PersonIdentity).where(
                    or_(Person.national_id.in_(ids), PersonIdentity.national_id.in_(ids))
                ).limit(1)
            )
    try:
        with db.session() as session:
            session.add(Disclosure(
                at=now, requester_code=request.requester, request_id=request.request_id,
                national_id=request.subject.national_id, person_id=person_id, answer=answer.status,
                results_count=len(answer.results), qualifications_count=len(answer.qualifications),
            ))
    except IntegrityError:
        raise ReplayedRequest(request.request_id) from None
    return answer
