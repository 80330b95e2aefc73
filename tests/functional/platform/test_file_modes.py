"""Databases, keys and issued documents are created 0600 in 0700 directories, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.factories import add_course, add_degree, add_person, add_result, make_federation
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.demo.schools import register_demo_schools
from vitnemal.diplomas.issue import IssueContext, issue_many, pending_jobs
from vitnemal.diplomas.signers import local_signer_spec
from vitnemal.files import private_dir, touch_private, write_private

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "school"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The usual 022 umask, under which a plain open() or SQLite makes files world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_federations_keys_and_databases_are_private(tmp_path: Path) -> None:
    # No template: the databases are made by the migrations, as `vitnemal federation generate` does on PostgreSQL
    fed = make_federation(tmp_path / "fed", ["185", "216"], "http://127.0.0.1:9")
    home = fed.settings.home
    for path in (home / "keys" / "185.pem", home / "db" / "185.sqlite", home / "db" / "216.sqlite"):
        assert mode(path) == 0o600, path
    assert mode(home / "keys") == 0o700 and mode(home / "db") == 0o700
    with fed.db("185").session() as s:
        s.execute(text("SELECT 1"))
    for companion in (home / "db").glob("185.sqlite-*"):  # SQLite's -wal and -shm follow the database's mode
        assert mode(companion) == 0o600, companion


def test_issued_diplomas_and_the_ca_keys_are_private(tmp_path: Path, sqlite_template: Path) -> None:
    fed = make_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)
    with fed.db("185").session() as s:
        person = add_person(s, "01039512374")
        add_degree(s, person, "BA-HIS", [add_result(s, person, add_course(s, "HIS1"), 2020, "VÅR", "B")],
                   issued=None)
    assert mode(fed.settings.home / "db" / "185.sqlite") == 0o600  # copied from the template
    ctx = IssueContext(settings=fed.settings, institution_code="185", institution_name="Universitetet i Oslo",
                       institution_name_en="University of Oslo", signer=local_signer_spec(fed.settings, "185"),
                       issued_on=date(2026, 6, 20), issued_by="test", faculty="Det humanistiske fakultet")
    with fed.db("185").read_session() as s:
        report = issue_many(ctx, pending_jobs(s), processes=1)
    assert len(report.issued) == 1 and not report.failed
    pdfs = list(fed.settings.home.rglob("*.pdf"))
    assert pdfs and all(mode(p) == 0o600 and mode(p.parent) == 0o700 for p in pdfs), pdfs
    keys = [p for p in (fed.settings.home / "ca").rglob("*.pem") if b"PRIVATE KEY" in p.read_bytes()]
    assert len(keys) >= 2 and all(mode(k) == 0o600 for k in keys)  # the CA's and the institution's
    assert all(mode(d) == 0o700 for d in {k.parent for k in keys})


def test_school_certificates_are_written_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITNEMAL_HOME", str(tmp_path / "home"))
    register_demo_schools(tmp_path / "home")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["school", "certificate", str(EXAMPLES / "pupils.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [mode(p) for p in sorted(out.iterdir())] == [0o600] * 3
    assert mode(out) == 0o700  # made by the command
    for sqlite in (tmp_path / "home").rglob("*.sqlite"):
        assert mode(sqlite) == 0o600, sqlite


def test_the_helper_replaces_whole_files_and_tightens_only_its_own_directories(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    chosen.mkdir(mode=0o755)
    write_private(chosen / "a.pdf", b"one", tighten_dir=False)
    assert mode(chosen) == 0o755 and mode(chosen / "a.pdf") == 0o600  # the user's own directory stays as it was
    (chosen / "b.pdf").write_bytes(b"old")
    os.chmod(chosen / "b.pdf", 0o644)
    write_private(chosen / "b.pdf", b"new", durable=True)
    assert (chosen / "b.pdf").read_bytes() == b"new" and mode(chosen / "b.pdf") == 0o600
    assert mode(chosen) == 0o700 and list(chosen.glob(".*.tmp")) == []
    assert mode(private_dir(tmp_path / "x" / "y" / "z")) == 0o700 and mode(tmp_path / "x") == 0o700


def test_a_shared_directory_such_as_tmp_is_never_closed(tmp_path: Path) -> None:
    # Writing a private file straight into /tmp once closed /tmp itself to 0700, and with it every other user of
    # the machine (the tests' PostgreSQL server could no longer make its data directory).
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    write_private(shared / "key.pem", b"secret")
    touch_private(shared / "db.sqlite")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((shared / "db.sqlite").stat().st_mode) == 0o600


def test_a_database_in_a_directory_the_user_chose_leaves_that_directory_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vitnemal.db import make_engine

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    os.chmod(checkout, 0o755)
    monkeypatch.chdir(checkout)
    engine = make_engine("sqlite:///vitnemal.db")
    with engine.connect() as connection:
        connection.execute(text("create table t (x integer)"))
    engine.dispose()
    assert mode(checkout) == 0o755 and mode(checkout / "vitnemal.db") == 0o600
