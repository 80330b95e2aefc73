"""The CLI shows stored UTC times in Oslo time (or VITNEMAL_TIMEZONE's), on both sides of the summer-time change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.demo import generate_federation
from vitnemal.i18n import DEFAULT_ZONE, use_zone
from vitnemal.records.models import Consent

runner = CliRunner()
TP1 = "01536112185"  # consents at the demo base 185


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("cli-times") / "fed"
    generate_federation(Settings(home=home), people=20, institutions=5)
    yield home
    use_zone(DEFAULT_ZONE)


def _consent_at(home: Path, moment: datetime) -> None:
    db = Database(Settings(home=home).url_for("185"))
    try:
        with db.session() as session:
            session.execute(update(Consent).values(answered_at=moment))
    finally:
        db.dispose()


@pytest.mark.parametrize(("moment", "oslo", "utc"), [
    (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29.03.2026 01:30", "29.03.2026 00:30"),  # winter time, +1
    (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "29.03.2026 03:30", "29.03.2026 01:30"),  # summer time, +2
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25.10.2026 02:30", "25.10.2026 01:30"),  # winter time again
])
def test_records_show_prints_the_consent_time_in_oslo_time(home: Path, moment: datetime, oslo: str, utc: str
                                                          ) -> None:
    _consent_at(home, moment)
    env = {"VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": "", "VITNEMAL_TIMEZONE": None}
    shown = runner.invoke(app, ["records", "show", "-i", "185", "-p", TP1], env=env)
    assert shown.exit_code == 0, shown.output
    assert f"RESUTVEKSL J {oslo}" in shown.output
    as_json = runner.invoke(app, ["records", "show", "-i", "185", "-p", TP1, "--json"], env=env)
    assert moment.isoformat() in as_json.output  # stored and given to programs in UTC
    in_utc = runner.invoke(app, ["records", "show", "-i", "185", "-p", TP1], env={**env, "VITNEMAL_TIMEZONE": "UTC"})
    assert f"RESUTVEKSL J {utc}" in in_utc.output
