"""Importing a read ELMO file into a person's external-study records (issue 10 #6): the service.

The file has been read and checked whole by :func:`vitnemal.interop.elmo_import.read_elmo` (signature, schema);
here its reports become records beside the ones the Norwegian exchange fetched (:mod:`vitnemal.interop.elmo_records`
says how), merged by the exchange's own importer (so the same issuer's next file updates instead of duplicating,
and a case worker recognises a foreign course exactly as a Norwegian one). Everything is written in the caller's
transaction and nothing is committed here: a file that fails half-way leaves nothing behind once the caller rolls
back. Every import is an audit event about the person.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.exchange.importer import Change, import_answer
from vitnemal.exchange.models import ExternalStudyRecord
from vitnemal.identity.models import Person
from vitnemal.interop.elmo_import import ElmoRefused, ImportedElmo
from vitnemal.interop.elmo_records import foreign_sources, learner_mismatch
from vitnemal.interop.models import ElmoSource


@dataclass(frozen=True)
class ImportedSource:
    record_id: int
    source_code: str
    source_name: str
    first_import: bool
    results: int
    qualifications: int
    not_passed: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ElmoImport:
    """What one file added to the person's records."""

    sources: tuple[ImportedSource, ...]
    signer: str | None
    deviations: tuple[str, ...]
    file_sha256: str


def import_elmo(session: Session, person: Person, elmo: ImportedElmo, data: bytes, *, actor: str,
                now: datetime) -> ElmoImport:
    """Import ``elmo`` (read from ``data``) into ``person``'s external-study records; :class:`ElmoRefused` when the
    file is about someone else or holds something a record cannot keep as it is (nothing is written then)."""
    if learner_mismatch(elmo, first_name=person.first_name, last_name=person.last_name,
                        birth_date=person.birth_date, national_ids=person.all_ids()):
        theirs = f"{elmo.learner.given_names} {elmo.learner.family_name}".strip()
        if elmo.learner.birth_date:
            theirs += f" ({elmo.learner.birth_date:%d.%m.%Y})"
        ours = person.name + (f" ({person.birth_date:%d.%m.%Y})" if person.birth_date else "")
        raise ElmoRefused("mismatch", theirs=theirs, ours=ours)
    sources = foreign_sources(elmo)  # every refusal comes before anything is written
    digest = hashlib.sha256(data).hexdigest()
    upsert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    imported = []
    for source in sources:
        report = import_answer(session, person_id=person.id, source_code=source.source_code,
                               source_name=source.source_name, order_id=None, results=source.results,
                               qualifications=source.qualifications, now=now)
        values = {"country": source.country, "issuer_identifiers": [list(i) for i in source.identifiers],
                  "grading_schemes": source.schemes, "signer": elmo.signer, "file_sha256": digest,
                  "generated_at": elmo.generated_at, "imported_at": now, "imported_by": actor}
        session.execute(upsert(ElmoSource).values(record_id=report.record_id, **values)
                        .on_conflict_do_update(index_elements=["record_id"], set_=values))
        imported.append(ImportedSource(report.record_id, source.source_code, source.source_name,
                                       report.first_import, report.results, report.qualifications,
                                       source.not_passed, report.changes))
    detail = "; ".join(f"{s.source_name}: {s.results} results, {s.qualifications} qualifications"
                       for s in imported)
    record_event(session, actor=actor, action=AuditAction.ELMO_IMPORTED, subject=person.national_id,
                 detail=f"{detail} (file sha256 {digest[:16]}, signed by {elmo.signer or 'nobody: taken unsigned'})",
                 now=now)
    return ElmoImport(tuple(imported), elmo.signer, elmo.deviations, digest)


def elmo_sources(session: Session, person_id: int) -> dict[str, ElmoSource]:
    """{source code: where it came from} for the person's external-study records that were read from ELMO."""
    rows = session.execute(select(ExternalStudyRecord.source_code, ElmoSource)
                           .join(ElmoSource, ElmoSource.record_id == ExternalStudyRecord.id)
                           .where(ExternalStudyRecord.person_id == person_id))
    return {code: source for code, source in rows}
