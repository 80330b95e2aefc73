"""A federation made by an older version: a clear message, then `vitnemal db upgrade` migrates it keeping the data."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.identity.models import Person
from vitnemal.institutions.exchange_keys import generate_key, public_jwk
from vitnemal.institutions.registry import InstitutionEntry, Registry
from vitnemal.schema import SchemaOutdated, head_revision, upgrade


def test_an_old_database_is_refused_clearly_then_upgraded_with_its_data(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    Registry({"185": InstitutionEntry("185", "UiO", "UiO", "UiO", "http://x/nodes/185",
                                      public_jwk(generate_key()))}).save(settings.registry_path)
    url = settings.url_for("185")
    upgrade(url, "0002")  # as an earlier version left it
    old = Database(url)
    old._schema_checked = True  # write one row the old way, before the check exists for it
    with old.session() as s:
        s.add(Person(national_id="01039510010", first_name="Kari", last_name="Nordmann"))
    old.dispose()

    fresh = Database(url)
    with pytest.raises(SchemaOutdated, match="vitnemal db upgrade"), fresh.read_session():
        pass
    fresh.dispose()

    result = CliRunner().invoke(app, ["db", "upgrade"], env={"VITNEMAL_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.output
    upgraded = Database(url)
    with upgraded.read_session() as s:
        assert [p.national_id for p in s.query(Person)] == ["01039510010"]
    upgraded.dispose()
