"""``generate_federation``: the demo federation on disk, deterministically from a seed.

Layout under ``settings.home``: ``registry.json`` (written last, so a half-made federation never looks finished),
``keys/<code>.pem`` (one EC P-256 key per institution, the public half in the registry), one database per
institution at ``settings.url_for(code)`` (SQLite files under ``db/`` by default, or PostgreSQL databases),
``demo-credentials.json`` (mode 0600: a case worker's API token per institution) and ``scenarios.json`` (example
people per scenario). Every database is a copy of one template migrated with Alembic.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vitnemal.config import Settings
from vitnemal.db import Database, is_sqlite
from vitnemal.demo import language_tests
from vitnemal.demo.admission_round import write_demo_applicants
from vitnemal.demo.databases import create_databases, drop_databases
from vitnemal.demo.institutions import INSTITUTIONS, DemoInstitution, registry_names
from vitnemal.demo.language_tests import REGISTER_CODE, TestTaker, test_takers, write_register
from vitnemal.demo.plan import plan_federation
from vitnemal.demo.schools import register_demo_schools
from vitnemal.demo.scripted import scenarios
from vitnemal.demo.writer import WriteCounts, write_records
from vitnemal.files import write_private
from vitnemal.institutions.exchange_keys import generate_key, public_jwk, save_private_key
from vitnemal.institutions.registry import (
    ADMISSION_CODE,
    InstitutionEntry,
    MemberKind,
    Registry,
    new_admission_member,
    new_portal_member,
)
from vitnemal.institutions.registry import PORTAL_CODE as PORTAL
from vitnemal.records.admin import change_consent_type
from vitnemal.staff.service import MAX_LIFETIME, create_token
from vitnemal.testidp.staff import grant_test_roles, staff_test_users

Progress = Callable[[str, int, int], None]
CREDENTIALS = "demo-credentials.json"
SCENARIOS = "scenarios.json"
WRITERS = 4


class FederationExists(FileExistsError):
    """There is a federation at the home already; generating again needs ``force``."""


@dataclass(frozen=True)
class FederationSummary:
    """What was generated and where: counts, the reserved and not-sharing members, files, time taken."""

    home: Path
    seed: int
    institutions: int
    people: int
    person_records: int
    results: int
    qualifications: int
    reserved: list[str]
    not_sharing: list[str]
    registry_path: Path
    credentials_path: Path
    scenarios_path: Path
    seconds: float
    scenarios: dict[str, Any] = field(default_factory=dict)


def node_url(settings: Settings, code: str) -> str:
    return f"{settings.public_url.rstrip('/')}/nodes/{code}"


def write_private_json(path: Path, data: Any) -> None:
    """Write ``data`` as JSON readable by the owner only (it holds API tokens)."""
    write_private(path, json.dumps(data, ensure_ascii=False, indent=1).encode())


def write_language_tests(settings: Settings, takers: list[TestTaker]) -> tuple[InstitutionEntry, str]:
    """The language-test register's database, key and registry entry (a node of kind ``language_tests``), and an
    API token of its own staff, like every member that runs a node."""
    db = Database(settings.url_for(REGISTER_CODE))
    try:
        with db.session() as session:
            write_register(session, takers)
            token = create_token(session, f"saksbehandler@{language_tests.SHORT_NAME.lower()}", lifetime=MAX_LIFETIME)
    finally:
        db.dispose()
    key = generate_key()
    save_private_key(key, settings.keys_dir / f"{REGISTER_CODE}.pem")
    return InstitutionEntry(REGISTER_CODE, language_tests.NAME_NB, language_tests.NAME_EN, language_tests.SHORT_NAME,
                            node_url(settings, REGISTER_CODE), public_jwk(key), MemberKind.LANGUAGE_TESTS,
                            language_tests.FORMER_NAMES), token


def remove_federation(settings: Settings) -> None:
    """Remove the federation's files and databases (only what the generator makes, never the home itself)."""
    codes = {i.code for i in INSTITUTIONS} | {REGISTER_CODE, ADMISSION_CODE}
    if settings.registry_path.exists():
        codes |= set(Registry.load(settings.registry_path).all_codes())
    codes.add(PORTAL)
    drop_databases(settings, sorted(codes))
    for code in codes:
        (settings.keys_dir / f"{code}.pem").unlink(missing_ok=True)
    for path in (settings.registry_path, settings.home / CREDENTIALS, settings.home / SCENARIOS):
        path.unlink(missing_ok=True)


def generate_federation(
    settings: Settings,
    *,
    seed: int = 2014,
    people: int = 3000,
    institutions: int | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> FederationSummary:
    """Make the demo federation described in the module docstring and return a summary of it.

    The records are a pure function of ``seed``, ``people`` and ``institutions`` (the keys and API tokens are not:
    they are secrets). ``institutions`` limits the number of members for small test federations (at least five: the
    seed's 185, 216 and 214, one reserved and one not sharing). Raises :class:`FederationExists` when the home
    already has a federation, unless ``force`` (then the old one is removed first).
    """
    started = time.perf_counter()
    report = progress or (lambda _stage, _done, _total: None)
    if settings.registry_path.exists():
        if not force:
            raise FederationExists(
                f"There is already a federation at {settings.home} ({settings.registry_path.name} exists). "
                "Use --force (force=True) to replace it, or choose another VITNEMAL_HOME."
            )
        remove_federation(settings)
    report("Planlegger føderasjonen", 0, 1)
    plan = plan_federation(seed, people, institutions)
    codes = [i.code for i in plan.institutions]
    report("Lager databaser", 0, len(codes))
    create_databases(settings, [*codes, PORTAL, REGISTER_CODE, ADMISSION_CODE])

    entries: dict[str, InstitutionEntry] = {}
    credentials: dict[str, str] = {}
    totals = {"records": 0, "results": 0, "qualifications": 0}
    # The test provider's staff users (Feide-like) get their roles at each institution and in the federation.
    staff = staff_test_users([(i.code, i.short_name) for i in plan.institutions], [(ADMISSION_CODE, "Samordna opptak")])

    def write(inst: DemoInstitution) -> tuple[WriteCounts, str, InstitutionEntry]:
        module_active, reserved = plan.sharing[inst.code]
        db = Database(settings.url_for(inst.code))
        try:
            with db.session() as session:
                counts = write_records(session, plan.catalogues[inst.code], module_active, reserved,
                                       plan.records_at(inst.code))
                token = create_token(session, f"saksbehandler@{inst.short_name.lower()}", lifetime=MAX_LIFETIME)
                grant_test_roles(session, staff, inst.code)
                # Students are asked the RESUTVEKSL question on the consent page (Akseptansetype active).
                change_consent_type(session, actor="demo", active=True, seq_semreg=1, seq_studentweb=1)
        finally:
            db.dispose()
        key = generate_key()
        save_private_key(key, settings.keys_dir / f"{inst.code}.pem")
        name_nb, name_en, former = registry_names(inst)
        entry = InstitutionEntry(inst.code, name_nb, name_en, inst.short_name, node_url(settings, inst.code),
                                 public_jwk(key), former_names=former)
        return counts, token, entry

    # Each institution has its own database. On PostgreSQL they are written side by side, so the server's work
    # overlaps with building the next institution's rows; SQLite's writing is in-process and gains nothing.
    writers = 1 if is_sqlite(settings.url_for(codes[0])) else WRITERS
    with ThreadPoolExecutor(max_workers=writers) as pool:
        futures = {pool.submit(write, inst): inst for inst in plan.institutions}
        for n, future in enumerate(as_completed(futures), 1):
            counts, token, entry = future.result()
            report(f"Skriver {entry.short_name}", n, len(codes))
            credentials[entry.code] = token
            entries[entry.code] = entry
            totals["records"] += counts.people
            totals["results"] += counts.results
            totals["qualifications"] += counts.qualifications
    credentials = dict(sorted(credentials.items()))
    for code in (PORTAL, ADMISSION_CODE):  # the operator's role in the portal's; Samordna opptak's staff in its own
        other = Database(settings.url_for(code))
        try:
            with other.session() as session:
                grant_test_roles(session, staff, None if code == PORTAL else code)
        finally:
            other.dispose()

    # Every demo person applied through Samordna opptak: the demo's admission round (docs/admissions.md).
    write_demo_applicants(settings.url_for(ADMISSION_CODE), settings.home,
                          [(p.national_id, p.first_name, p.last_name) for p in plan.persons])
    report("Skriver register og scenarier", len(codes), len(codes))
    found = scenarios(plan)
    takers = test_takers(plan)
    found["language_tests"] = language_tests.examples(takers)
    found["about"]["language_tests"] = language_tests.ABOUT
    entries[REGISTER_CODE], credentials[REGISTER_CODE] = write_language_tests(settings, takers)
    write_private_json(settings.home / CREDENTIALS, credentials)
    (settings.home / SCENARIOS).write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    register_demo_schools(settings.home)
    entries[PORTAL] = new_portal_member(settings.keys_dir)
    entries[ADMISSION_CODE] = new_admission_member(settings.keys_dir)
    Registry(entries).save(settings.registry_path)
    report("Ferdig", len(codes), len(codes))
    return FederationSummary(
        home=settings.home,
        seed=seed,
        institutions=len(codes),
        people=len(plan.persons),
        person_records=totals["records"],
        results=totals["results"],
        qualifications=totals["qualifications"],
        reserved=[c for c in codes if plan.sharing[c] == (True, True)],
        not_sharing=[c for c in codes if not plan.sharing[c][0]],
        registry_path=settings.registry_path,
        credentials_path=settings.home / CREDENTIALS,
        scenarios_path=settings.home / SCENARIOS,
        seconds=time.perf_counter() - started,
        scenarios=found,
    )
