"""A school's issuing record made as a copy of a freshly migrated one is the same database as a migrated one."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from vitnemal.config import Settings
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.schema import head_revision, upgrade
from vitnemal.school import records
from vitnemal.school.records import IssuedCertificate, SchoolRecords, school_database


def _schema(path: Path) -> tuple[list[tuple[str, str, list[str]]], list[str]]:
    """Every table, index and trigger with its definition's lines in sorted order (Alembic's table rebuilds list
    a table's constraints in an order that differs from run to run), and the migration the database is at."""
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("select type, name, sql from sqlite_master order by type, name").fetchall()
        versions = [row[0] for row in db.execute("select version_num from alembic_version")]
    objects = [(kind, name, sorted(line.strip().rstrip(",") for line in (sql or "").removesuffix(")").splitlines()))
               for kind, name, sql in rows]
    return objects, versions


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("VITNEMAL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VITNEMAL_DATABASE_URL", "")
    monkeypatch.setattr(records, "_pristine", None)  # as in a new process: the first record is migrated
    return Settings.from_env()


def test_the_second_new_school_record_is_copied_and_equals_a_migrated_one(settings: Settings, tmp_path: Path) -> None:
    school_database(settings, "100000008").dispose()
    assert records._pristine is not None
    # the first record gets a certificate before the second school's record is made: the copy must stay empty
    first = SchoolRecords(settings)
    first.add(IssuedCertificate("11111111-1111-4111-8111-111111111111", "100000008", "nb", "ab" * 32, 1, "CN=x",
                                tmp_path / "x.pdf"))
    first.close()
    copied = school_database(settings, "100000016")
    with copied.read_session() as session:
        assert session.query(IssuedDocument).count() == 0
    second = SchoolRecords(settings)
    second.add(IssuedCertificate("22222222-2222-4222-8222-222222222222", "100000016", "nb", "cd" * 32, 2, "CN=y",
                                 tmp_path / "y.pdf"))
    second.close()
    with copied.read_session() as session:
        assert [d.document_id for d in session.query(IssuedDocument)] == ["22222222-2222-4222-8222-222222222222"]
    copied.dispose()

    path = Path(settings.url_for("100000016").removeprefix("sqlite:///"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    migrated = tmp_path / "migrated.db"
    upgrade(f"sqlite:///{migrated}")
    assert _schema(path) == _schema(migrated)
    assert _schema(path)[1] == [head_revision()]


def test_a_record_another_process_made_meanwhile_is_kept(settings: Settings, tmp_path: Path) -> None:
    # Review R45: two processes both found a school's record missing; the second's empty copy replaced the first's
    # record after the first had written a certificate to it. Here this process is the second, arriving late.
    school_database(settings, "100000008").dispose()
    first = SchoolRecords(settings)
    first.add(IssuedCertificate("11111111-1111-4111-8111-111111111111", "100000008", "nb", "ab" * 32, 1, "CN=x",
                                tmp_path / "x.pdf"))
    first.close()
    path = Path(settings.url_for("100000008").removeprefix("sqlite:///"))
    records._new_sqlite_record(path)  # what the late process runs after it saw no file
    db = school_database(settings, "100000008")
    with db.read_session() as session:
        assert [d.document_id for d in session.query(IssuedDocument)] == ["11111111-1111-4111-8111-111111111111"]
    db.dispose()
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [path.name]
