"""Answering a verified results request from one institution's records, and logging the disclosure.

The answer is built and its disclosure logged in one transaction, so an answer that was not logged is never sent
and a replayed request id (the log's unique key) is refused. Queries are plain Core selects of the few columns
the answer needs: a node answers every order in the federation, so this is the hottest path there is.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vitnemal.db import Database
from vitnemal.identity.models import Person
from vitnemal.node import matching, rules
from vitnemal.node.protocol import NodeAnswer, ResultsRequest
from vitnemal.records.models import (
    AssessmentResult,
    Course,
    Disclosure,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
    QualificationGroup,
)


class ReplayedRequest(Exception):
    """The request id was answered before: a replay is refused."""


def _credits(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _same_name_and_birth_date(session: Session, request: ResultsRequest) -> bool:
    subj = request.subject
    born = matching.stated_birth_date(subj)
    if not (subj.first_name and subj.last_name and born):
        return False
    found = session.scalar(
        select(func.count(Person.id)).where(
            func.lower(Person.first_name) == subj.first_name.lower(),
            func.lower(Person.last_name) == subj.last_name.lower(),
            Person.birth_date == born,
        )
    )
    return bool(found)


def _passed_results(session: Session, person_id: int) -> tuple[list[dict[str, Any]], dict[int, str]]:
    rows = session.execute(
        select(AssessmentResult.id, Course.code, Course.name_nb, Course.name_en, Course.kind,
               AssessmentResult.thesis_title, AssessmentResult.year, AssessmentResult.season,
               AssessmentResult.credits, AssessmentResult.grade, Course.grading_scale, Course.description_nb,
               Course.description_en)
        .join(Course, Course.id == AssessmentResult.course_id)
        .where(AssessmentResult.person_id == person_id, AssessmentResult.passed.is_(True))
        .order_by(AssessmentResult.year, AssessmentResult.season, AssessmentResult.id)
    ).all()
    keys = {r.id: rules.result_key(r.code, r.year, r.season) for r in rows}
    results = [
        {"key": keys[r.id], "course_code": r.code, "name_nb": r.name_nb, "name_en": r.name_en, "kind": r.kind,
         "thesis_title": r.thesis_title, "year": r.year, "season": r.season, "credits": _credits(r.credits),
         "grade": r.grade, "grading_scale": r.grading_scale, "description_nb": r.description_nb,
         "description_en": r.description_en}
        for r in rows
    ]
    return results, keys


def _qualifications(session: Session, person_id: int, fetch_date: date,
                    result_keys: dict[int, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Released qualifications with their (passed) courses, and the withheld ones (diploma not yet issued)."""
    quals = session.scalars(
        select(Qualification).where(Qualification.person_id == person_id).order_by(Qualification.award_date)
    ).all()
    if not quals:
        return [], []
    released = [q for q in quals if rules.is_released(q.diploma_issued_on, fetch_date)]
    withheld = [{"code": q.code, "name_nb": q.name_nb, "name_en": q.name_en, "level": q.level,
                 "reason": "diploma_not_issued_before_fetch_date"} for q in quals if q not in released]
    links: dict[int, list[dict[str, Any]]] = {q.id: [] for q in released}
    if released:
        for link in session.execute(
            select(QualificationCourse.qualification_id, QualificationCourse.result_id,
                   QualificationCourse.credits_counted, QualificationGroup.heading_nb, QualificationGroup.heading_en)
            .outerjoin(QualificationGroup, QualificationGroup.id == QualificationCourse.group_id)
            .where(QualificationCourse.qualification_id.in_(list(links)))
            .order_by(QualificationCourse.id)
        ):
            if link.result_id in result_keys:  # only passed results are shared, so only they can be linked
                links[link.qualification_id].append({
                    "result_key": result_keys[link.result_id], "group_nb": link.heading_nb,
                    "group_en": link.heading_en, "credits_counted": _credits(link.credits_counted)})
    shared = [
        {"key": q.code, "code": q.code, "name_nb": q.name_nb, "name_en": q.name_en, "level": q.level,
         "programme_name_nb": q.programme_name_nb, "programme_name_en": q.programme_name_en,
         "specialisation_nb": q.specialisation_nb, "specialisation_en": q.specialisation_en,
         "credits": _credits(q.credits), "award_date": q.award_date.isoformat(),
         "diploma_issued_on": q.diploma_issued_on.isoformat() if q.diploma_issued_on else None,
         "courses": links[q.id]}
        for q in released
    ]
    return shared, withheld


def _records_answer(session: Session, request: ResultsRequest, base: dict[str, Any],
                    now: datetime) -> tuple[NodeAnswer, matching.Match | None]:
    """Question 3: passed results and released qualifications of the person, if the node holds any."""
    person = matching.find_subject(session, request.subject)
    if isinstance(person, matching.NoMatch):
        if person.mismatch:
            return NodeAnswer(**base, status="identity_mismatch", message=person.mismatch), None
        if _same_name_and_birth_date(session, request):
            return NodeAnswer(
                **base, status="identity_mismatch",
                message="A person with the same name and birth date is registered here under another national id. "
                "Ask the student to have this institution update the national id in its records.",
            ), None
        return NodeAnswer(**base, status="no_results", message="No results are registered for this person."), None
    results, keys = _passed_results(session, person.person_id)
    # The release rule is the node's to apply: a fetch date in the future must not release unissued degrees.
    fetch_date = min(date.fromisoformat(request.fetch_date), now.date())
    qualifications, withheld = _qualifications(session, person.person_id, fetch_date, keys)
    # The answer names the id that matched; under an earlier one (an old D-number) it says so, so it can be fixed.
    matched = person.matched_id
    if not results and not qualifications:
        if withheld:
            return NodeAnswer(**base, status="degree_not_released", matched_id=matched, withheld=withheld,
                              message="A degree is registered, but its diploma was not issued before the fetch "
                              "date."), person
        return NodeAnswer(**base, status="no_results", matched_id=matched,
                          message="No passed results are registered for this person."), person
    message = ""
    if matched != request.subject.national_id:
        message = (f"Found under the earlier national id {matched}. Ask the student to have this institution "
                   "update the national id in its records.")
    elif person.national_id != matched:
        message = ("The national id asked with is an earlier id of this person here; they have a newer one. "
                   "Update the student's national id in your records.")
    return NodeAnswer(**base, status="ok", message=message, matched_id=matched, results=results,
                      qualifications=qualifications, withheld=withheld), person


def build_answer(session: Session, request: ResultsRequest, node_code: str,
                 now: datetime) -> tuple[NodeAnswer, matching.Match | None]:
    """Answer the seed's three questions in order; return the (unsigned) answer and the person it disclosed."""
    base: dict[str, Any] = {
        "node": node_code, "requester": request.requester, "in_reply_to": request.request_id,
        "issued_at": int(now.timestamp()), "subject": request.subject.national_id,
    }
    settings = session.execute(select(ExchangeSettings.module_active, ExchangeSettings.reserved)).first()
    refusal = rules.sharing_refusal(bool(settings and settings.module_active), bool(settings and settings.reserved))
    if refusal == "not_sharing":
        return NodeAnswer(**base, status=refusal, message="This institution does not share results."), None
    if refusal == "reserved":
        return NodeAnswer(**base, status=refusal,
                          message="This institution has reserved itself against exchange."), None
    consent_problem = rules.consent_refusal(request.consent, request.requester, now)
    if consent_problem:
        return NodeAnswer(**base, status="no_consent", message=consent_problem), None
    return _records_answer(session, request, base, now)


def answer_request(db: Database, request: ResultsRequest, node_code: str, now: datetime) -> NodeAnswer:
    """Build the answer and log its disclosure in one transaction; raise ReplayedRequest for a reused request id."""
    try:
        with db.session() as session:
            answer, match = build_answer(session, request, node_code, now)
            # The log files the disclosure under the id actually disclosed (an earlier id, when that matched).
            session.execute(insert(Disclosure).values(
                at=now, requester_code=request.requester, request_id=request.request_id,
                national_id=match.matched_id if match else request.subject.national_id,
                person_id=match.person_id if match else None, answer=answer.status,
                results_count=len(answer.results), qualifications_count=len(answer.qualifications),
            ))
    except IntegrityError:
        raise ReplayedRequest(request.request_id) from None
    return answer
