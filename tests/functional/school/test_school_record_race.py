"""A school's new record never replaces one another process made meanwhile (review R45, fixed in 7bbf2c1).

Two processes issuing for the same new school both find its record missing; the one that makes it second must
keep what the first already wrote. The race is made deterministic here: this process is the second, its check
for the file ran before the other process made it (``Path.exists`` answers False once, as it did then)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vitnemal.config import Settings
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.school import records
from vitnemal.school.records import IssuedCertificate, SchoolRecords, school_database


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("VITNEMAL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VITNEMAL_DATABASE_URL", "")
    monkeypatch.setattr(records, "_pristine", None)
    return Settings.from_env()


def test_a_record_made_meanwhile_by_another_process_keeps_its_rows(settings: Settings, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    school_database(settings, "100000008").dispose()  # this process has made a record before (its copy is kept)
    other = SchoolRecords(settings)  # the other process: makes 100000016's record and writes a certificate to it
    other.add(IssuedCertificate("11111111-1111-4111-8111-111111111111", "100000016", "nb", "ab" * 32, 1, "CN=x",
                                tmp_path / "x.pdf"))
    other.close()
    path = Path(settings.url_for("100000016").removeprefix("sqlite:///"))
    real_exists = Path.exists
    answered = []

    def exists_as_when_checked(self: Path, *args: object, **kwargs: object) -> bool:
        if self == path and not answered:
            answered.append(self)
            return False  # this process looked before the other one made the file
        return real_exists(self)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "exists", exists_as_when_checked)
        db = school_database(settings, "100000016")
    assert answered, "school_database no longer asks Path.exists: rewrite the race"
    with db.read_session() as session:
        assert [d.document_id for d in session.query(IssuedDocument)] == ["11111111-1111-4111-8111-111111111111"]
    db.dispose()
