"""The issuing record of school certificates: one database per school, keyed by its organisation number.

Every certificate gets a document id (a UUID printed with its QR code and verification URL, and carried in the
signature's ``/ContactInfo``) and a row in the school's ``issued_documents`` table (kind ``school_certificate``,
``institution_code`` = the organisation number), exactly like a diploma set in an institution's database, so that
``vitnemal verify`` can check a certificate against the record of the school that issued it.

Files are written before their records (a crash leaves at worst a file without a record, never a record without
a file); records are written in batches, one transaction per batch, because one transaction per certificate
would cost more than signing it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vitnemal.config import Settings
from vitnemal.db import Database, is_sqlite

KIND = "school_certificate"
ISSUED_BY = "vitnemal school certificate"


def new_document_id() -> str:
    return str(uuid.uuid4())


def verify_url(settings: Settings, document_id: str) -> str:
    """The address in the QR code and ``/ContactInfo``: the public verification page of ``document_id``."""
    return f"{settings.public_url.rstrip('/')}/verify/{document_id}"


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """One signed certificate on disk, to be recorded in its school's record."""

    document_id: str
    organisation_number: str
    lang: str
    sha256: str
    size_bytes: int
    signer_subject: str
    path: Path


def school_database(settings: Settings, organisation_number: str) -> Database:
    """Return the school's record database, creating (migrating) it on first use when it is an SQLite file.

    Another engine's database must exist already (``vitnemal db upgrade`` makes its tables).
    """
    url = settings.url_for(organisation_number)
    if is_sqlite(url):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _new_sqlite_record(path)
    return Database(url)


# A school record just migrated, still empty, copied into memory: the process's new school records are copies of
# it. Running the migrations costs ~0.7 s a database (Alembic loads its 25 scripts every time), so a county's
# certificates for 40 schools spent half a minute on it; a copy of the pages takes about a millisecond.
_pristine: sqlite3.Connection | None = None
_pristine_lock = threading.Lock()


def _new_sqlite_record(path: Path) -> None:
    """Make the SQLite file at ``path`` a school record at the newest migration, empty and 0600, unless another
    process or thread makes it first (then theirs is kept, never overwritten).

    The record is written under a temporary name in the same directory and linked to ``path`` whole, so nobody sees
    a half-made record, and a record made meanwhile makes the link fail instead of being replaced (review R45).
    """
    global _pristine
    from vitnemal.files import touch_private

    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    with _pristine_lock:
        if _pristine is None:
            _pristine = _migrated_copy(path.with_name(f".{path.name}.{os.getpid()}.migrating"))
        touch_private(tmp)
        with closing(sqlite3.connect(tmp)) as target:
            _pristine.backup(target)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process made the record first: it is theirs, with whatever they wrote
    finally:
        tmp.unlink()


def _migrated_copy(scratch: Path) -> sqlite3.Connection:
    """Migrate a scratch SQLite file to the newest revision and return an in-memory copy of it (scratch removed)."""
    from vitnemal.schema import upgrade

    try:
        upgrade(f"sqlite:///{scratch}")
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with closing(sqlite3.connect(scratch)) as migrated:
            migrated.backup(copy)
        return copy
    finally:
        for leftover in (scratch, *(scratch.with_name(scratch.name + end) for end in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)


class SchoolRecords:
    """Writes issued certificates into their schools' records, ``batch`` at a time; call :meth:`flush` at the end."""

    def __init__(self, settings: Settings, *, batch: int = 100) -> None:
        self._settings = settings
        self._batch = batch
        self._pending: list[IssuedCertificate] = []
        self._databases: dict[str, Database] = {}
        self.recorded = 0

    def add(self, issued: IssuedCertificate) -> None:
        self._pending.append(issued)
        if len(self._pending) >= self._batch:
            self.flush()

    def flush(self) -> None:
        from vitnemal.diplomas.models import IssuedDocument

        by_school: dict[str, list[IssuedCertificate]] = {}
        for item in self._pending:
            by_school.setdefault(item.organisation_number, []).append(item)
        now = datetime.now(UTC)
        for number, items in by_school.items():
            db = self._databases.get(number)
            if db is None:
                db = self._databases[number] = school_database(self._settings, number)
            with db.session() as session:
                session.add_all(
                    IssuedDocument(
                        document_id=i.document_id, institution_code=number, person_id=None, qualification_id=None,
                        kind=KIND, lang=i.lang, sha256=i.sha256, size_bytes=i.size_bytes,
                        signer_subject=i.signer_subject[:300], storage_path=str(i.path)[:500], issued_at=now,
                        issued_by=ISSUED_BY,
                    )
                    for i in items
                )
            self.recorded += len(items)
        self._pending.clear()

    def close(self) -> None:
        self.flush()
        for db in self._databases.values():
            db.dispose()
