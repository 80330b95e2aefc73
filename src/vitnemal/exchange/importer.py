"""Importing a verified answer into Person eksternstudium, and finding what changed since the last fetch.

One ExternalStudyRecord per person and source institution. Results and qualifications are matched across fetches by
their source key (course + term, qualification code), so fetching again updates instead of duplicating. The record
row is locked first, so two orders for one person that import from the same source at once take turns (PostgreSQL
``FOR UPDATE``; SQLite writers are serialised already) and the second finds the first's rows.

Rows are read and written with bulk Core statements: an order imports from dozens of institutions, and a person
with hundreds of results must not cost hundreds of round trips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from vitnemal.exchange.changes import (
    CHANGED_QUALIFICATION,
    NEW_QUALIFICATION,
    REMOVED_AT_SOURCE,
    ResultFacts,
    result_changes,
)
from vitnemal.exchange.models import (
    ExternalQualification,
    ExternalQualificationCourse,
    ExternalResult,
    ExternalStudyRecord,
)
from vitnemal.exchange.outcomes import ImportedQualification, ImportedResult


@dataclass(frozen=True)
class Change:
    kind: str  # one of vitnemal.exchange.changes.KINDS
    code: str
    detail: str
    key: str | None = None  # the result's or qualification's source key, so a page can highlight its row


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


def _lock_record(session: Session, person_id: int, source_code: str, source_name: str, now: datetime,
                 order_id: int | None) -> tuple[int, bool]:
    """Make sure the record exists, lock it, and return (its id, whether it was made now)."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = upsert(ExternalStudyRecord).values(
        person_id=person_id, source_code=source_code, source_name=source_name, first_fetched_at=now,
        last_fetched_at=now, last_order_id=order_id,
    ).on_conflict_do_nothing(index_elements=["person_id", "source_code"]).returning(ExternalStudyRecord.id)
    made = session.execute(stmt).scalar()
    if made is not None:
        return made, True  # a new row is ours until commit: nobody else can see it, let alone lock it
    record_id = session.execute(
        select(ExternalStudyRecord.id)
        .where(ExternalStudyRecord.person_id == person_id, ExternalStudyRecord.source_code == source_code)
        .with_for_update()
    ).scalar_one()
    session.execute(update(ExternalStudyRecord).where(ExternalStudyRecord.id == record_id).values(
        last_fetched_at=now, last_order_id=order_id, source_name=source_name))
    return record_id, False


def _differences(row: Any, item: Any, fields: tuple[str, ...]) -> list[str]:
    return [f for f in fields if getattr(row, f) != getattr(item, f)]


def _bulk_update(session: Session, model: Any, updates: list[dict[str, Any]]) -> None:
    """One executemany UPDATE per set of changed columns (usually just the grade)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:
        by_columns.setdefault(tuple(sorted(k for k in row if k != "row_id")), []).append(row)
    for columns, rows in by_columns.items():
        stmt = update(model).where(model.id == bindparam("row_id")).values({c: bindparam(c) for c in columns})
        session.connection().execute(stmt, rows)


def _facts(source: Any) -> ResultFacts:
    return ResultFacts(key=source.key if hasattr(source, "key") else source.source_key,
                       course_code=source.course_code, term=f"{source.year} {source.season}", grade=source.grade,
                       fields={f: getattr(source, f) for f in _RESULT_FIELDS},
                       removed_at_source=bool(getattr(source, "removed_at_source", False)))


def _merge_results(session: Session, record_id: int, incoming: tuple[ImportedResult, ...],
                   created: bool) -> tuple[dict[str, int], list[Change]]:
    """Insert new results, update changed ones, mark vanished ones; return {source key: row id} and the changes
    (classified by :func:`vitnemal.exchange.changes.result_changes`)."""
    existing = {} if created else {r.source_key: r for r in session.execute(
        select(ExternalResult.id, ExternalResult.source_key, ExternalResult.removed_at_source,
               *(getattr(ExternalResult, f) for f in _RESULT_FIELDS))
        .where(ExternalResult.record_id == record_id))}
    found = result_changes([_facts(r) for r in existing.values()], [_facts(i) for i in incoming])
    changes = [Change(c.kind, c.code, c.detail, c.key) for c in found]
    by_key = {c.key: c for c in found}
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for item in incoming:
        row = existing.get(item.key)
        if row is None:
            new_rows.append({"record_id": record_id, "source_key": item.key, "removed_at_source": False,
                             **{f: getattr(item, f) for f in _RESULT_FIELDS}})
        elif item.key in by_key:
            updates.append({"row_id": row.id, "removed_at_source": False,
                            **{f: getattr(item, f) for f in by_key[item.key].changed_fields}})
    for c in found:
        if c.kind == REMOVED_AT_SOURCE:
            updates.append({"row_id": existing[c.key].id, "removed_at_source": True})
    ids = {key: row.id for key, row in existing.items()}
    if new_rows:
        table = cast(Table, ExternalResult.__table__)  # Core, not the ORM's bulk path: the import's hot loop
        inserted = session.connection().execute(
            insert(table).returning(table.c.id, table.c.source_key, sort_by_parameter_order=True), new_rows)
        ids.update({key: row_id for row_id, key in inserted})
    if updates:
        _bulk_update(session, ExternalResult, updates)
    return ids, changes


def _links(item: ImportedQualification, result_ids: dict[str, int]) -> set[tuple[Any, ...]]:
    return {(result_ids[link.result_key], link.group_nb, link.group_en, link.credits_counted) for link in item.links}


def _merge_qualifications(session: Session, record_id: int, incoming: tuple[ImportedQualification, ...],
                          result_ids: dict[str, int], created: bool) -> list[Change]:
    if created and not incoming:
        return []
    existing = {} if created else {q.source_key: q for q in session.execute(
        select(ExternalQualification.id, ExternalQualification.source_key,
               *(getattr(ExternalQualification, f) for f in _QUALIFICATION_FIELDS))
        .where(ExternalQualification.record_id == record_id))}
    current_links: dict[int, set[tuple[Any, ...]]] = {}
    if existing:
        for link in session.execute(
            select(ExternalQualificationCourse.qualification_id, ExternalQualificationCourse.result_id,
                   ExternalQualificationCourse.group_heading_nb, ExternalQualificationCourse.group_heading_en,
                   ExternalQualificationCourse.credits_counted)
            .where(ExternalQualificationCourse.qualification_id.in_([q.id for q in existing.values()]))
        ):
            current_links.setdefault(link[0], set()).add(tuple(link[1:]))
    changes: list[Change] = []
    relink: dict[int, set[tuple[Any, ...]]] = {}
    for item in incoming:
        row = existing.get(item.key)
        wanted = _links(item, result_ids)
        if row is None:
            qid = session.execute(insert(ExternalQualification).values(
                record_id=record_id, source_key=item.key, **{f: getattr(item, f) for f in _QUALIFICATION_FIELDS}
            ).returning(ExternalQualification.id)).scalar_one()
            changes.append(Change(NEW_QUALIFICATION, item.code, f"{item.name_nb} ({item.award_date.isoformat()})",
                                  item.key))
            relink[qid] = wanted
            continue
        diff = _differences(row, item, _QUALIFICATION_FIELDS)
        if diff:
            _bulk_update(session, ExternalQualification, [{"row_id": row.id, **{f: getattr(item, f) for f in diff}}])
        if diff or current_links.get(row.id, set()) != wanted:
            changes.append(Change(CHANGED_QUALIFICATION, item.code,
                                  f"{item.name_nb}: {', '.join(diff) or 'courses'} changed", item.key))
            relink[row.id] = wanted
    if relink:
        session.execute(delete(ExternalQualificationCourse)
                        .where(ExternalQualificationCourse.qualification_id.in_(list(relink))))
        rows = [{"qualification_id": qid, "result_id": rid, "group_heading_nb": g_nb, "group_heading_en": g_en,
                 "credits_counted": counted}
                for qid, links in relink.items() for rid, g_nb, g_en, counted in sorted(links, key=lambda w: w[0])]
        if rows:
            session.connection().execute(insert(cast(Table, ExternalQualificationCourse.__table__)), rows)
    return changes


def import_answer(session: Session, *, person_id: int, source_code: str, source_name: str, order_id: int | None,
                  results: tuple[ImportedResult, ...], qualifications: tuple[ImportedQualification, ...],
                  now: datetime) -> ImportReport:
    """Merge one source's answer into the person's external study record and return what was found.

    Changes are reported only when something was imported from this source before: on a first import everything
    is new and listing it all as "changes" would hide the real ones the seed wants reported.
    """
    record_id, created = _lock_record(session, person_id, source_code, source_name, now, order_id)
    result_ids, result_changes = _merge_results(session, record_id, results, created)
    qualification_changes = _merge_qualifications(session, record_id, qualifications, result_ids, created)
    changes = () if created else tuple(result_changes + qualification_changes)
    return ImportReport(record_id, created, len(results), len(qualifications), changes)



@dataclass(frozen=True)
class SourceAnswer:
    """One source institution's verified results and qualifications, ready to import."""

    source_code: str
    source_name: str
    results: tuple[ImportedResult, ...]
    qualifications: tuple[ImportedQualification, ...]


_records = cast(Table, ExternalStudyRecord.__table__)
# One statement, executed with a row per source (SQLAlchemy's "insertmanyvalues"): compiled once and cached, where a
# VALUES list built per batch was compiled again every time and cost the requester more than its writes (issue 11 #3).
_NEW_RECORDS = {
    dialect: upsert(_records).on_conflict_do_nothing(index_elements=["person_id", "source_code"])
    .returning(_records.c.source_code, _records.c.id)
    for dialect, upsert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def import_answers(session: Session, *, person_id: int, order_id: int | None, answers: list[SourceAnswer],
                   now: datetime) -> list[ImportReport]:
    """Import several sources' answers for one person; return one report per source, in the given order.

    Sources imported for the first time (the usual case) are written with one statement for all their records and
    one for all their results, so a batch of replies costs a few round trips on PostgreSQL instead of two per
    source; sources seen before are merged one by one by :func:`import_answer`.
    """
    if not answers:
        return []
    records = [{"person_id": person_id, "source_code": a.source_code, "source_name": a.source_name,
                "first_fetched_at": now, "last_fetched_at": now, "last_order_id": order_id} for a in answers]
    made: dict[str, int] = {code: rid for code, rid in session.connection().execute(
        _NEW_RECORDS[session.get_bind().dialect.name], records)}
    fresh = [a for a in answers if a.source_code in made]
    rows = [{"record_id": made[a.source_code], "source_key": r.key, "removed_at_source": False,
             **{f: getattr(r, f) for f in _RESULT_FIELDS}} for a in fresh for r in a.results]
    result_ids: dict[int, dict[str, int]] = {made[a.source_code]: {} for a in fresh}
    if rows:
        table = cast(Table, ExternalResult.__table__)
        for row_id, record_id, key in session.connection().execute(
            insert(table).returning(table.c.id, table.c.record_id, table.c.source_key, sort_by_parameter_order=True),
            rows,
        ):
            result_ids[record_id][key] = row_id
    reports = {}
    for a in fresh:
        record_id = made[a.source_code]
        _merge_qualifications(session, record_id, a.qualifications, result_ids[record_id], created=True)
        reports[a.source_code] = ImportReport(record_id, True, len(a.results), len(a.qualifications), ())
    for a in answers:
        if a.source_code not in made:
            reports[a.source_code] = import_answer(
                session, person_id=person_id, source_code=a.source_code, source_name=a.source_name,
                order_id=order_id, results=a.results, qualifications=a.qualifications, now=now)
    return [reports[a.source_code] for a in answers]
