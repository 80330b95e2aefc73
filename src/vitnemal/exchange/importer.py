"""Importing a verified answer into Person eksternstudium, and finding what changed since the last fetch.

One ExternalStudyRecord per person and source institution. Results and qualifications are matched across fetches by
their source key (course + term, qualification code), so fetching again updates instead of duplicating. The record
row is locked first, so two orders for one person that import from the same source at once take turns (PostgreSQL
``FOR UPDATE``; SQLite writers are serialised already) and the second finds the first's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from vitnemal.exchange.models import (
    ExternalQualification,
    ExternalQualificationCourse,
    ExternalResult,
    ExternalStudyRecord,
)
from vitnemal.exchange.outcomes import ImportedQualification, ImportedResult


@dataclass(frozen=True)
class Change:
    kind: str  # new_result, changed_grade, changed_result, removed_at_source, new_qualification, changed_qualification
    code: str
    detail: str


@dataclass(frozen=True)
class ImportReport:
    record_id: int
    first_import: bool
    results: int
    qualifications: int
    changes: tuple[Change, ...]


_RESULT_FIELDS = ("course_code", "name_nb", "name_en", "kind", "thesis_title", "year", "season", "credits",
                  "grade", "grading_scale", "description_nb", "description_en")
_QUALIFICATION_FIELDS = ("code", "name_nb", "name_en", "level", "programme_name_nb", "programme_name_en",
                         "specialisation_nb", "specialisation_en", "credits", "award_date", "diploma_issued_on")


def _lock_record(session: Session, person_id: int, source_code: str, source_name: str,
                 now: datetime) -> tuple[ExternalStudyRecord, bool]:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ExternalStudyRecord).values(
        person_id=person_id, source_code=source_code, source_name=source_name, first_fetched_at=now,
        last_fetched_at=now,
    ).on_conflict_do_nothing(index_elements=["person_id", "source_code"]).returning(ExternalStudyRecord.id)
    created = session.execute(stmt).first() is not None
    record = session.scalars(
        select(ExternalStudyRecord)
        .where(ExternalStudyRecord.person_id == person_id, ExternalStudyRecord.source_code == source_code)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return record, created


def _differences(row: Any, item: Any, fields: tuple[str, ...]) -> list[str]:
    return [f for f in fields if getattr(row, f) != getattr(item, f)]


def _merge_results(session: Session, record: ExternalStudyRecord,
                   incoming: tuple[ImportedResult, ...]) -> tuple[dict[str, ExternalResult], list[Change]]:
    existing = {r.source_key: r for r in session.scalars(
        select(ExternalResult).where(ExternalResult.record_id == record.id))}
    changes: list[Change] = []
    for item in incoming:
        row = existing.get(item.key)
        term = f"{item.year} {item.season}"
        if row is None:
            row = ExternalResult(record_id=record.id, source_key=item.key,
                                 **{f: getattr(item, f) for f in _RESULT_FIELDS})
            session.add(row)
            existing[item.key] = row
            changes.append(Change("new_result", item.course_code, f"{item.course_code} {term}: {item.grade}"))
            continue
        diff = _differences(row, item, _RESULT_FIELDS)
        if "grade" in diff:
            changes.append(Change("changed_grade", item.course_code,
                                  f"{item.course_code} {term}: {row.grade} → {item.grade}"))
        elif diff or row.removed_at_source:
            changes.append(Change("changed_result", item.course_code, f"{item.course_code} {term}: {', '.join(diff)}"))
        for f in diff:
            setattr(row, f, getattr(item, f))
        row.removed_at_source = False
    seen = {item.key for item in incoming}
    for key, row in existing.items():
        if key not in seen and not row.removed_at_source:
            row.removed_at_source = True
            changes.append(Change("removed_at_source", row.course_code,
                                  f"{row.course_code} {row.year} {row.season} is no longer among the passed results"))
    session.flush()
    return existing, changes


def _merge_qualifications(session: Session, record: ExternalStudyRecord, incoming: tuple[ImportedQualification, ...],
                          results: dict[str, ExternalResult]) -> list[Change]:
    existing = {q.source_key: q for q in session.scalars(
        select(ExternalQualification).where(ExternalQualification.record_id == record.id))}
    changes: list[Change] = []
    for item in incoming:
        row = existing.get(item.key)
        wanted = {(results[link.result_key].id, link.group_nb, link.group_en, link.credits_counted)
                  for link in item.links}
        if row is None:
            row = ExternalQualification(record_id=record.id, source_key=item.key,
                                        **{f: getattr(item, f) for f in _QUALIFICATION_FIELDS})
            session.add(row)
            session.flush()
            changes.append(Change("new_qualification", item.code, f"{item.name_nb} ({item.award_date.isoformat()})"))
            have: set[tuple[Any, ...]] = set()
        else:
            diff = _differences(row, item, _QUALIFICATION_FIELDS)
            for f in diff:
                setattr(row, f, getattr(item, f))
            have = {(link.result_id, link.group_heading_nb, link.group_heading_en, link.credits_counted)
                    for link in session.scalars(select(ExternalQualificationCourse)
                                                .where(ExternalQualificationCourse.qualification_id == row.id))}
            if diff or have != wanted:
                changes.append(Change("changed_qualification", item.code,
                                      f"{item.name_nb}: {', '.join(diff) or 'courses'} changed"))
        if have != wanted:
            session.execute(delete(ExternalQualificationCourse)
                            .where(ExternalQualificationCourse.qualification_id == row.id))
            session.add_all(ExternalQualificationCourse(
                qualification_id=row.id, result_id=rid, group_heading_nb=g_nb, group_heading_en=g_en,
                credits_counted=counted) for rid, g_nb, g_en, counted in sorted(wanted, key=lambda w: w[0]))
    return changes


def import_answer(session: Session, *, person_id: int, source_code: str, source_name: str, order_id: int | None,
                  results: tuple[ImportedResult, ...], qualifications: tuple[ImportedQualification, ...],
                  now: datetime) -> ImportReport:
    """Merge one source's answer into the person's external study record and return what was found.

    Changes are reported only when something was imported from this source before: on a first import everything
    is new and listing it all as "changes" would hide the real ones the seed wants reported.
    """
    record, created = _lock_record(session, person_id, source_code, source_name, now)
    by_key, result_changes = _merge_results(session, record, results)
    qualification_changes = _merge_qualifications(session, record, qualifications, by_key)
    record.last_fetched_at = now
    record.last_order_id = order_id
    record.source_name = source_name
    changes = () if created else tuple(result_changes + qualification_changes)
    return ImportReport(record.id, created, len(results), len(qualifications), changes)
