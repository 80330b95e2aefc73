"""A bare federation on disk (keys, registry, migrated databases, case-worker tokens) for tests and benchmarks.

The demo generator makes a realistic one; this makes an empty one fast, with every institution sharing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.files import copy_private
from vitnemal.institutions.exchange_keys import generate_key, public_jwk, save_private_key
from vitnemal.institutions.registry import (
    ADMISSION_CODE,
    PORTAL_CODE,
    InstitutionEntry,
    Registry,
    new_admission_member,
    new_portal_member,
)
from vitnemal.records.models import ExchangeSettings
from vitnemal.schema import upgrade
from vitnemal.staff.service import create_token
from vitnemal.testidp.staff import grant_test_roles, staff_test_users

NAMES = {
    "185": ("Universitetet i Oslo", "University of Oslo", "UiO"),
    "216": ("Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College", "HiSF"),
    "214": ("Høgskolen i Nord-Trøndelag", "Nord-Trøndelag University College", "HiNT"),
    "184": ("Universitetet i Bergen", "University of Bergen", "UiB"),
    "194": ("Norges teknisk-naturvitenskapelige universitet", "Norwegian University of Science and Technology", "NTNU"),
    "186": ("Universitetet i Tromsø", "University of Tromsø", "UiT"),
}


@dataclass
class BareFederation:
    settings: Settings
    registry: Registry
    tokens: dict[str, str] = field(default_factory=dict)

    def db(self, code: str) -> Database:
        return Database(self.settings.url_for(code))


def build_federation(
    home: Path,
    codes: list[str],
    base_url: str,
    template: Path | None = None,
    database_url: str = "",
    create_db: Callable[[str], object] | None = None,
    portal: bool = False,
    admission: bool = False,
) -> BareFederation:
    """Keys, registry and a migrated database for each code; returns the federation with case-worker tokens.

    Databases come from ``template`` (a migrated SQLite file, copied), from ``create_db`` (e.g. a PostgreSQL
    ``CREATE DATABASE ... TEMPLATE``), or else from running the migrations. With ``portal`` the registry also has
    the portal member (code ``portal``, kind portal, its key in ``keys/portal.pem``, no node and no database).
    With ``admission`` it also has Samordna opptak (code ``so``, kind admission, no node), with its key and a
    database made like the institutions'; its test staff (``opptak@samordnaopptak.no``, ``admin@…``) hold their roles.
    """
    settings = Settings(home=home, database_url=database_url, public_url=base_url)
    entries = {}
    tokens = {}
    # The test provider's staff users get their roles, as an administrator would give them (the staff pages).
    bodies = [(ADMISSION_CODE, "Samordna opptak")] if admission else []
    staff = staff_test_users([(c, NAMES.get(c, ("", "", f"I{c}"))[2]) for c in codes], bodies)

    def make_database(code: str) -> Database:
        url = settings.url_for(code)
        if template is not None and url.startswith("sqlite"):
            copy_private(template, Path(url.removeprefix("sqlite:///")))
        elif create_db is not None:
            create_db(code)
        else:
            upgrade(url)
        return Database(url)

    for code in codes:
        key = generate_key()
        save_private_key(key, settings.keys_dir / f"{code}.pem")
        nb, en, short = NAMES.get(code, (f"Institusjon {code}", f"Institution {code}", f"I{code}"))
        entries[code] = InstitutionEntry(code, nb, en, short, f"{base_url}/nodes/{code}", public_jwk(key))
        db = make_database(code)
        with db.session() as s:
            s.add(ExchangeSettings(institution_code=code, institution_name=nb, module_active=True, reserved=False))
            tokens[code] = create_token(s, f"saksbehandler@{short.lower()}")
            grant_test_roles(s, staff, code)
        db.dispose()
    if portal:
        entries[PORTAL_CODE] = new_portal_member(settings.keys_dir)
    if admission:
        entries[ADMISSION_CODE] = new_admission_member(settings.keys_dir)
        db = make_database(ADMISSION_CODE)
        with db.session() as s:
            grant_test_roles(s, staff, ADMISSION_CODE)
        db.dispose()
    registry = Registry(entries)
    registry.save(settings.registry_path)
    return BareFederation(settings, registry, tokens)
