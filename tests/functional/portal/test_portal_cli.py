"""``vitnemal portal purge`` on the portal's database in the federation at VITNEMAL_HOME."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import Settings
from vitnemal.schema import upgrade


def test_purge_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITNEMAL_HOME", str(tmp_path))
    upgrade(Settings(home=tmp_path).url_for("portal"))
    result = CliRunner().invoke(app, ["portal", "purge", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"shares": 0, "fetches": 0, "attempts": 0, "transfers": 0, "consents": 0}
    result = CliRunner().invoke(app, ["portal", "purge"])  # bokmål by default (review R50: it was English)
    assert "Slettet dataene i 0 deling(er)" in result.output, result.output
    monkeypatch.setenv("VITNEMAL_LANG", "nn")
    assert "Sletta dataa i 0 deling(ar)" in CliRunner().invoke(app, ["portal", "purge"]).output
    monkeypatch.setenv("VITNEMAL_LANG", "en")
    assert "Purged 0 share(s)" in CliRunner().invoke(app, ["portal", "purge"]).output
