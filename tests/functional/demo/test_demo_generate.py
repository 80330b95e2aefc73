"""``generate_federation`` on disk: layout, migrated schema, records, determinism, refusal to overwrite, PostgreSQL."""

from __future__ import annotations

import json
import stat
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from vitnemal.config import Settings
from vitnemal.db import Base, Database
from vitnemal.demo import FederationExists, FederationSummary, generate_federation
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.institutions.exchange_keys import import_public, load_private_key
from vitnemal.institutions.registry import Registry
from vitnemal.records.models import AssessmentResult, Consent, Course, ExchangeSettings, Qualification
from vitnemal.schema import MIGRATIONS
from vitnemal.staff.roles import Role, roles_of
from vitnemal.staff.service import user_for_token

TABLES = ("exchange_settings", "courses", "people", "person_identities", "assessment_results", "qualifications",
          "qualification_groups", "qualification_courses", "consents")


def _small(home: Path, seed: int = 2014, **kwargs: Any) -> tuple[Settings, FederationSummary]:
    settings = Settings(home=home)
    return settings, generate_federation(settings, seed=seed, people=40, institutions=6, **kwargs)


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, FederationSummary]:
    return _small(tmp_path_factory.mktemp("fed"))


def _plain(value: Any) -> Any:
    # SQLite hands back naive datetimes where PostgreSQL keeps the zone; both are UTC here.
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def _dump(settings: Settings, code: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the records tables, typed by the models so that SQLite and PostgreSQL compare equal."""
    db = Database(settings.url_for(code))
    try:
        with db.read_session() as s:
            return {t: sorted(tuple(_plain(v) for v in r) for r in s.execute(select(Base.metadata.tables[t])))
                    for t in TABLES}
    finally:
        db.dispose()


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from vitnemal.schema import alembic_config

    return str(ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head())


def test_layout_registry_keys_and_credentials(federation: tuple[Settings, FederationSummary]) -> None:
    settings, summary = federation
    assert summary.institutions == 6 and summary.people == 40
    registry = Registry.load(settings.registry_path)
    # six institutions and the language-test register answer; the portal is a member too, with its own key and
    # database but no node (issue 9)
    assert {"185", "216", "214", "hkdir"} <= set(registry.node_codes()) and len(registry.node_codes()) == 7
    assert "hkdir" not in registry.codes()  # an institution's order asks the institutions only
    assert registry.get("hkdir").kind == "language_tests"
    portal = registry.get("portal")
    assert portal.kind == "portal" and not portal.answers and len(registry) == 9
    assert stat.S_IMODE((settings.keys_dir / "portal.pem").stat().st_mode) == 0o600
    assert (settings.home / "db" / "portal.sqlite").exists()
    # Samordna opptak asks under the applicant's admission consent and awards nothing: its own key and database,
    # no node, served by the host for its pages; its admissions officer holds the role there.
    so = registry.get("so")
    assert so.kind == "admission" and not so.answers and so.node_url == "" and "so" in registry.hosted_codes()
    assert stat.S_IMODE((settings.keys_dir / "so.pem").stat().st_mode) == 0o600
    so_db = Database(settings.url_for("so"))
    try:
        with so_db.read_session() as s:
            assert roles_of(s, "opptak@samordnaopptak.no") == {Role.ADMISSIONS_OFFICER}
    finally:
        so_db.dispose()
    assert registry.get("216").short_name == "HiSF"
    creds = json.loads(summary.credentials_path.read_text())
    assert set(creds) == set(registry.node_codes())
    assert stat.S_IMODE(summary.credentials_path.stat().st_mode) == 0o600
    for entry in registry:
        if not entry.answers:
            continue
        assert entry.node_url == f"http://127.0.0.1:8000/nodes/{entry.code}"
        assert (settings.home / "db" / f"{entry.code}.sqlite").exists()
        key = load_private_key(settings.keys_dir / f"{entry.code}.pem")
        assert import_public(entry.public_jwk).as_dict(private=False) == key.as_dict(private=False)
        db = Database(settings.url_for(entry.code))
        try:
            with db.read_session() as s:
                assert user_for_token(s, creds[entry.code]) == f"saksbehandler@{entry.short_name.lower()}"
        finally:
            db.dispose()
    found = json.loads(summary.scenarios_path.read_text())
    assert found["test_person_1"]["national_id"] == "01536112185"


def test_the_language_test_register_holds_several_sittings_per_person(
        federation: tuple[Settings, FederationSummary]) -> None:
    settings, summary = federation
    registry = Registry.load(settings.registry_path)
    assert registry.get("hkdir").name_on(datetime(2019, 11, 14).date())[0] == "Kompetanse Norge"
    db = Database(settings.url_for("hkdir"))
    try:
        with db.read_session() as s:
            parts = {c.code: (c.kind, c.grading_scale) for c in s.scalars(select(Course))}
            assert parts["NP-MUNTLIG"] == ("language_test", "cefr") and parts["STATSBORGER"][1] == "pass_fail"
            assert len(parts) == 6
            rows = s.execute(select(Person.national_id, Course.code, AssessmentResult.year, AssessmentResult.grade,
                                    AssessmentResult.passed)
                             .join(AssessmentResult, AssessmentResult.person_id == Person.id)
                             .join(Course, Course.id == AssessmentResult.course_id)).all()
    finally:
        db.dispose()
    mine = [(r.code, r.year, r.grade, r.passed) for r in rows if r.national_id == "01536112185"]
    assert ("NP-SKRIFTLIG", 2019, "Under A1", False) in mine and ("STATSBORGER", 2021, "Ikke bestått", False) in mine
    assert len({year for _, year, _, _ in mine}) == 3  # three sittings
    assert any(r.national_id == "19588312510" for r in rows)
    demo_people = {r.national_id for r in rows} - {"01536112185", "19588312510"}
    assert demo_people, "some demo people have results in the register"
    grades = {r.grade for r in rows}
    assert grades <= {"Under A1", "A1", "A2", "B1", "B2", "C1", "Bestått", "Ikke bestått"}
    found = json.loads(summary.scenarios_path.read_text())
    assert {e["national_id"] for e in found["language_tests"]} <= demo_people and found["language_tests"]


def test_schema_is_the_migrated_one(federation: tuple[Settings, FederationSummary]) -> None:
    settings, _ = federation
    db = Database(settings.url_for("185"))
    try:
        with db.read_session() as s:
            assert s.scalar(text("SELECT version_num FROM alembic_version")) == _head_revision()
            assert set(TABLES) <= set(inspect(s.get_bind()).get_table_names())
    finally:
        db.dispose()
    assert MIGRATIONS.exists()


def test_settings_and_test_persons_in_the_databases(federation: tuple[Settings, FederationSummary]) -> None:
    settings, summary = federation
    for code in Registry.load(settings.registry_path).node_codes():
        db = Database(settings.url_for(code))
        try:
            with db.read_session() as s:
                rows = s.scalars(select(ExchangeSettings)).all()
                assert len(rows) == 1 and rows[0].institution_code == code
                expected = (code not in summary.not_sharing, code in summary.reserved)
                assert (rows[0].module_active, rows[0].reserved) == expected
                if code in ("185", "216", "214"):
                    assert expected == (True, False)
        finally:
            db.dispose()
    for national_id, code, course in (("01536112185", "216", "RES-100"), ("19588312510", "214", "RES-OAL")):
        db = Database(settings.url_for(code))
        try:
            with db.read_session() as s:
                person = s.scalar(select(Person).where(Person.national_id == national_id))
                assert person is not None and person.last_name == "Resultatutveksling"
                results = s.scalars(select(AssessmentResult).where(AssessmentResult.person_id == person.id)).all()
                assert [(r.course.code, r.passed) for r in results] == [(course, True)]
        finally:
            db.dispose()
        base = Database(settings.url_for("185"))
        try:
            with base.read_session() as s:
                person = s.scalar(select(Person).where(Person.national_id == national_id))
                assert person is not None
                consents = s.scalars(select(Consent).where(Consent.person_id == person.id)).all()
                assert [(c.type, c.answer) for c in consents] == [("RESUTVEKSL", "J")]
                assert s.scalar(select(AssessmentResult).where(AssessmentResult.person_id == person.id)) is None
        finally:
            base.dispose()


def test_old_d_number_and_unissued_diploma_in_the_databases(federation: tuple[Settings, FederationSummary]) -> None:
    settings, summary = federation
    for scenario, known in (("old_d_number_known", True), ("old_d_number_unknown", False)):
        example = summary.scenarios[scenario][0]
        db = Database(settings.url_for(example["sources"][0]))
        try:
            with db.read_session() as s:
                old = s.scalar(select(Person).where(Person.national_id == example["earlier_id"]))
                assert old is not None and s.scalar(select(Person).where(
                    Person.national_id == example["national_id"])) is None
                old_identity = (old.first_name, old.last_name, old.birth_date)
        finally:
            db.dispose()
        base = Database(settings.url_for("185"))
        try:
            with base.read_session() as s:
                ids = s.scalars(select(PersonIdentity.national_id).join(Person).where(
                    Person.national_id == example["national_id"])).all()
                assert list(ids) == ([example["earlier_id"]] if known else [])
                new = s.scalar(select(Person).where(Person.national_id == example["national_id"]))
                assert new is not None and (new.first_name, new.last_name, new.birth_date) == old_identity
        finally:
            base.dispose()
    example = summary.scenarios["unissued_diploma"][0]
    db = Database(settings.url_for(example["sources"][0]))
    try:
        with db.read_session() as s:
            quals = s.scalars(select(Qualification).join(Person).where(
                Person.national_id == example["national_id"])).all()
            assert quals and all(q.diploma_issued_on is None for q in quals)
            assert all(q.groups and q.courses for q in quals)
    finally:
        db.dispose()


def test_same_seed_same_records_other_seed_differs(federation: tuple[Settings, FederationSummary],
                                                   tmp_path: Path) -> None:
    settings, _ = federation
    again, _ = _small(tmp_path / "again")
    strip = lambda reg: [{k: v for k, v in asdict(e).items() if k != "public_jwk"} for e in reg]  # noqa: E731
    assert strip(Registry.load(again.registry_path)) == strip(Registry.load(settings.registry_path))
    for code in Registry.load(settings.registry_path).codes():
        assert _dump(again, code) == _dump(settings, code), code
    assert json.loads((again.home / "scenarios.json").read_text()) == json.loads(
        (settings.home / "scenarios.json").read_text())
    other, _ = _small(tmp_path / "other", seed=99)
    assert _dump(other, "185") != _dump(settings, "185")


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    settings, first = _small(tmp_path)
    first_tokens = json.loads(first.credentials_path.read_text())
    with pytest.raises(FederationExists, match="--force"):
        _small(tmp_path)
    stale = settings.home / "db" / "185.sqlite-wal"
    stale.write_bytes(b"")
    _, second = _small(tmp_path, force=True)
    assert second.results == first.results
    assert json.loads(second.credentials_path.read_text()) != first_tokens  # new secrets, same records


def test_too_few_institutions_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 5"):
        generate_federation(Settings(home=tmp_path), people=10, institutions=3)


@pytest.mark.postgres
def test_generates_on_postgresql(pg_server: Any, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=pg_server.url("fed_{code}"))
    summary = generate_federation(settings, seed=2014, people=40, institutions=6)
    sqlite_settings, sqlite_summary = _small(tmp_path / "sqlite")
    assert summary.results == sqlite_summary.results
    for code in ("185", "216"):
        assert _dump(settings, code) == _dump(sqlite_settings, code)
    db = Database(settings.url_for("216"))
    try:
        with db.session() as s:  # the sequences follow the bulk inserts: a new row gets a fresh id
            person = s.scalar(select(Person).where(Person.national_id == "01536112185"))
            assert person is not None
            s.add(Consent(person_id=person.id, type="RESUTVEKSL", answer="J",
                          answered_at=s.scalar(select(Consent.answered_at).limit(1))))
            s.flush()
    finally:
        db.dispose()
    generate_federation(settings, seed=2014, people=40, institutions=6, force=True)
