"""Which record issued a document (issue 12 #7: one look-up for `vitnemal verify` and the web service): the
institutions given and the registered schools whose databases exist, the first that holds the id; a record that
does not exist is neither created nor asked."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.diplomas.issuers import IssuingRecords
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.school.registry import SchoolEntry, register_schools

SCHOOL = "974760673"  # a valid organisation number (Enhetsregisteret's check digit)


def _record(settings: Settings, code: str, template: Path, document_id: str | None = None) -> None:
    path = Path(settings.url_for(code).removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, path)
    if document_id is None:
        return
    db = Database(settings.url_for(code))
    with db.session() as s:
        s.add(IssuedDocument(document_id=document_id, institution_code=code, kind="school_certificate", lang="nb",
                             sha256="0" * 64, size_bytes=1, signer_subject="CN=test", storage_path="x.pdf",
                             issued_at=datetime(2026, 6, 20, tzinfo=UTC), issued_by="test"))
    db.dispose()


def test_the_record_that_holds_the_id_is_found_among_institutions_and_schools(tmp_path: Path,
                                                                               sqlite_template: Path) -> None:
    settings = Settings(home=tmp_path / "fed")
    document_id = str(uuid.uuid4())
    _record(settings, "185", sqlite_template)
    _record(settings, SCHOOL, sqlite_template, document_id)
    register_schools(settings.home, [SchoolEntry(SCHOOL, "Nordby ungdomsskole", "Oslo")])
    asked: list[str] = []

    @contextmanager
    def read_session(code: str) -> Iterator[Session]:
        asked.append(code)
        db = Database(settings.url_for(code))
        with db.read_session() as session:
            yield session
        db.dispose()

    records = IssuingRecords.here(settings, {"185": "Universitetet i Oslo", "216": "Høgskulen på Vestlandet"},
                                  read_session)
    assert dict(records.holders) == {"185": "Universitetet i Oslo", SCHOOL: "Nordby ungdomsskole"}
    assert records.issuer_of(document_id) == SCHOOL and asked == ["185", SCHOOL]
    assert records.issuer_of(str(uuid.uuid4())) is None
    assert records.open("216") is None  # 216's database is not here: never created to look in it
    assert not Path(settings.url_for("216").removeprefix("sqlite:///")).exists()
