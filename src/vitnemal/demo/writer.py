"""Stores one institution's planned records in its database with bulk Core inserts.

Rows go in with ``insert(...).returning(id, sort_by_parameter_order=True)``: one round of "insertmanyvalues" per
table gives back the new ids in the order of the rows, so results can be linked to qualifications without
choosing ids ourselves (which would leave PostgreSQL's sequences behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from vitnemal.demo.catalogue import Catalogue
from vitnemal.demo.histories import REFERENCE_DATE, QualificationPlan, RecordPlan
from vitnemal.demo.programmes import programme_specs
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.programmes.service import admit_many, register_programmes
from vitnemal.records.models import (
    AssessmentResult,
    Consent,
    Course,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
    QualificationGroup,
)


@dataclass
class WriteCounts:
    people: int = 0
    results: int = 0
    qualifications: int = 0
    consents: int = 0


def insert_ids(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``model``'s table and return their new ids, in the order of ``rows``."""
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, list(rows)).all())


def _plain(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model), list(rows))


def _admitted_on(record: RecordPlan, qual: QualificationPlan) -> date | None:
    """A graduate was admitted to the programme at the start of the term of its first result (so the diploma
    names the programme): 1 January for VÅR, 1 August for HØST."""
    firsts = [record.results[i] for i, _ in qual.links]
    if not firsts:
        return None
    first = min(firsts, key=lambda r: (r.year, r.season == "HØST"))
    return date(first.year, 8, 1) if first.season == "HØST" else date(first.year, 1, 1)


def write_records(session: Session, catalogue: Catalogue, module_active: bool, reserved: bool,
                  records: Sequence[RecordPlan]) -> WriteCounts:
    """Write the institution's settings, catalogue, programmes and every person's record (graduates admitted to
    their programmes, and students to the programme they are taking); return what was written."""
    inst = catalogue.institution
    session.execute(insert(ExchangeSettings), [{
        "institution_code": inst.code, "institution_name": inst.name_nb, "module_active": module_active,
        "reserved": reserved, "updated_at": datetime.combine(REFERENCE_DATE, time(12), UTC),
    }])
    courses = sorted(catalogue.courses.values(), key=lambda c: c.code)
    course_ids = dict(zip((c.code for c in courses), insert_ids(session, Course, [
        {"code": c.code, "name_nb": c.name_nb, "name_en": c.name_en, "credits": Decimal(c.credits),
         "grading_scale": c.grading_scale, "kind": c.kind, "description_nb": c.description_nb,
         "description_en": c.description_en} for c in courses]), strict=True))
    person_ids = insert_ids(session, Person, [
        {"national_id": r.national_id, "first_name": r.first_name, "last_name": r.last_name,
         "birth_date": r.birth_date, "email": None} for r in records])
    _plain(session, PersonIdentity, [
        {"person_id": pid, "national_id": nid, "kind": kind, "replaced_on": on}
        for pid, r in zip(person_ids, records, strict=True) for nid, kind, on in r.earlier_ids])
    result_ids = insert_ids(session, AssessmentResult, [
        {"person_id": pid, "course_id": course_ids[x.course], "year": x.year, "season": x.season,
         "grade": x.grade, "passed": x.passed, "credits": Decimal(x.credits), "thesis_title": x.thesis_title,
         "assessed_on": x.assessed_on}
        for pid, r in zip(person_ids, records, strict=True) for x in r.results])
    # Per record, where its results start in result_ids.
    offsets, n = [], 0
    for r in records:
        offsets.append(n)
        n += len(r.results)
    quals = [(pid, off, q) for pid, off, r in zip(person_ids, offsets, records, strict=True) for q in r.qualifications]
    qual_ids = insert_ids(session, Qualification, [
        {"person_id": pid, "code": q.programme.code, "name_nb": q.programme.name_nb, "name_en": q.programme.name_en,
         "level": q.programme.level, "programme_code": q.programme.programme_code,
         "programme_name_nb": q.programme.programme_name_nb, "programme_name_en": q.programme.programme_name_en,
         "specialisation_nb": None, "specialisation_en": None, "credits": Decimal(q.programme.credits),
         "award_date": q.award_date, "diploma_issued_on": q.diploma_issued_on} for pid, _, q in quals])
    group_ids = insert_ids(session, QualificationGroup, [
        {"qualification_id": qid, "position": pos, "heading_nb": nb, "heading_en": en}
        for qid, (_, _, q) in zip(qual_ids, quals, strict=True) for pos, (nb, en) in enumerate(q.groups)])
    links, g = [], 0
    for qid, (_, off, q) in zip(qual_ids, quals, strict=True):
        for index, group in q.links:
            links.append({"qualification_id": qid, "result_id": result_ids[off + index],
                          "group_id": group_ids[g + group], "credits_counted": None})
        g += len(q.groups)
    _plain(session, QualificationCourse, links)
    register_programmes(session, programme_specs(catalogue))
    admit_many(session, [
        *((pid, q.programme.programme_code, _admitted_on(r, q))
          for pid, r in zip(person_ids, records, strict=True) for q in r.qualifications),
        *((pid, code, on) for pid, r in zip(person_ids, records, strict=True) for code, on in r.admissions)])
    consents = [{"person_id": pid, "type": c.type, "answer": c.answer, "answered_at": c.answered_at}
                for pid, r in zip(person_ids, records, strict=True) for c in r.consents]
    _plain(session, Consent, consents)
    return WriteCounts(len(person_ids), len(result_ids), len(qual_ids), len(consents))
