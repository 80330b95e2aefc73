"""What a node holds about people, as its answers carry it: passed results, released qualifications with their
courses, the withheld ones; and whether the institution shares at all.

A node answers every order in the federation, so these are the hottest reads there are. Their statements are
Core selects built once, at import, with bound parameters, compiled once and run on the driver's cursor
(:class:`vitnemal.db.Prepared`): building a select per request and running it through the ORM cost more than the
database's own work (issue 11 #3).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from vitnemal.db import Prepared
from vitnemal.node import diplomas, rules
from vitnemal.node.wire import CourseLink, DiplomaRef, QualificationItem, ResultItem, WithheldItem
from vitnemal.records.models import (
    AssessmentResult,
    Course,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
    QualificationGroup,
)

# Passed results (and their keys by row id), released qualifications with their courses, and the withheld ones.
Held = tuple[list[ResultItem], list[QualificationItem], list[WithheldItem]]

_result = cast(Table, AssessmentResult.__table__).c
_course = cast(Table, Course.__table__).c
_qual = cast(Table, Qualification.__table__)
_link = cast(Table, QualificationCourse.__table__).c
_group = cast(Table, QualificationGroup.__table__).c
_settings = cast(Table, ExchangeSettings.__table__).c

SHARING = Prepared(select(_settings.module_active, _settings.reserved).limit(1))
PASSED = Prepared(
    select(_result.id, _result.person_id, _course.code, _course.name_nb, _course.name_en, _course.kind,
           _result.thesis_title, _result.year, _result.season, _result.credits, _result.grade, _course.grading_scale,
           _course.description_nb, _course.description_en)
    .join_from(cast(Table, AssessmentResult.__table__), cast(Table, Course.__table__), _course.id == _result.course_id)
    .where(_result.person_id.in_(bindparam("people", expanding=True)), _result.passed.is_(True))
    .order_by(_result.person_id, _result.year, _result.season, _result.id)
)
QUALIFICATIONS = Prepared(select(_qual).where(_qual.c.person_id.in_(bindparam("people", expanding=True)))
                  .order_by(_qual.c.award_date, _qual.c.id))
LINKS = Prepared(
    select(_link.qualification_id, _link.result_id, _link.credits_counted, _group.heading_nb, _group.heading_en)
    .outerjoin_from(cast(Table, QualificationCourse.__table__), cast(Table, QualificationGroup.__table__),
                    _group.id == _link.group_id)
    .where(_link.qualification_id.in_(bindparam("quals", expanding=True)))
    .order_by(_link.id)
)


def sharing_refusal(session: Session) -> str | None:
    """Question 1's answer from the institution's exchange settings: ``not_sharing``, ``reserved`` or None."""
    settings = SHARING.first(session)
    return rules.sharing_refusal(bool(settings and settings.module_active), bool(settings and settings.reserved))


def _passed_results(session: Session, person_ids: Sequence[int]) -> dict[int, tuple[list[ResultItem],
                                                                                    dict[int, str]]]:
    """Each person's passed results (oldest term first) and their keys by result row id, in one query."""
    out: dict[int, tuple[list[ResultItem], dict[int, str]]] = {pid: ([], {}) for pid in person_ids}
    for r in PASSED.execute(session, {"people": list(person_ids)}):
        results, keys = out[r.person_id]
        keys[r.id] = rules.result_key(r.code, r.year, r.season)
        # model_construct: the node's own records are not re-validated on this hot path; the requester validates.
        results.append(ResultItem.model_construct(
            key=keys[r.id], course_code=r.code, name_nb=r.name_nb, name_en=r.name_en, kind=r.kind,
            thesis_title=r.thesis_title, year=r.year, season=r.season, credits=r.credits, grade=r.grade,
            grading_scale=r.grading_scale, description_nb=r.description_nb, description_en=r.description_en))
    return out


def held_about(session: Session, person_ids: Sequence[int], fetch_date: date, *,
               owner: bool = False) -> dict[int, Held]:
    """What the node holds about each person: passed results, the qualifications released by ``fetch_date`` with
    their (passed) courses, and the withheld ones (diploma not yet issued); to the ``owner`` each released
    qualification with the diploma sets issued for it. A few queries for all of ``person_ids`` together."""
    passed = _passed_results(session, person_ids)
    quals = QUALIFICATIONS.execute(session, {"people": list(person_ids)})
    released = [q for q in quals if rules.is_released(q.diploma_issued_on, fetch_date)]
    links: dict[int, list[CourseLink]] = {q.id: [] for q in released}
    if released:
        owner_of = {q.id: q.person_id for q in released}
        for link in LINKS.execute(session, {"quals": list(links)}):
            keys = passed[owner_of[link.qualification_id]][1]
            if link.result_id in keys:  # only passed results are shared, so only they can be linked
                links[link.qualification_id].append(CourseLink.model_construct(
                    result_key=keys[link.result_id], group_nb=link.heading_nb, group_en=link.heading_en,
                    credits_counted=link.credits_counted))
    out: dict[int, Held] = {pid: (passed[pid][0], [], []) for pid in person_ids}
    issued: dict[int, dict[int, list[DiplomaRef]]] = {}
    for q in quals:
        if q.id not in links:
            out[q.person_id][2].append(WithheldItem.model_construct(
                code=q.code, name_nb=q.name_nb, name_en=q.name_en, level=q.level,
                reason="diploma_not_issued_before_fetch_date"))
            continue
        if owner and q.person_id not in issued:
            issued[q.person_id] = diplomas.current_diplomas(session, q.person_id)
        out[q.person_id][1].append(QualificationItem.model_construct(
            key=q.code, code=q.code, name_nb=q.name_nb, name_en=q.name_en, level=q.level,
            programme_name_nb=q.programme_name_nb, programme_name_en=q.programme_name_en,
            specialisation_nb=q.specialisation_nb, specialisation_en=q.specialisation_en, credits=q.credits,
            award_date=q.award_date, diploma_issued_on=q.diploma_issued_on, courses=links[q.id],
            diplomas=issued.get(q.person_id, {}).get(q.id, [])))
    return out
