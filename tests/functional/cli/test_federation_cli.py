"""``vitnemal federation generate`` and ``list`` through the real CLI app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from vitnemal.cli import app

runner = CliRunner()


def _env(home: Path) -> dict[str, str]:
    return {"VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": ""}


def test_generate_list_and_refuse_to_overwrite(tmp_path: Path) -> None:
    home = tmp_path / "fed"
    result = runner.invoke(app, ["federation", "generate", "--people", "30", "--institutions", "5"], env=_env(home))
    assert result.exit_code == 0, result.output
    assert "Federation generated" in result.output and "5 institutions" in result.output
    assert "30 people" in result.output and "scenarios.json" in result.output
    assert (home / "registry.json").exists() and (home / "demo-credentials.json").exists()

    listed = runner.invoke(app, ["federation", "list", "--json"], env=_env(home))
    assert listed.exit_code == 0, listed.output
    rows = {row["code"]: row for row in json.loads(listed.output)}
    # five institutions and the language-test register, which runs a node too
    assert len(rows) == 6 and "hkdir" in rows and rows["185"]["shares"] is True and rows["185"]["reserved"] is False
    assert rows["185"]["people"] > 0 and rows["216"]["short_name"] == "HiSF"
    assert any(r["reserved"] for r in rows.values()) and any(not r["shares"] for r in rows.values())

    table = runner.invoke(app, ["federation", "list"], env=_env(home))
    # 214 (HiNT) is listed under its name of today: it merged into Nord universitet in 2016
    assert table.exit_code == 0 and "Nord universitet" in table.output and "Reservert" in table.output

    again = runner.invoke(app, ["federation", "generate", "--people", "30", "--institutions", "5"], env=_env(home))
    assert again.exit_code == 1 and "--force" in again.output
    forced = runner.invoke(app, ["federation", "generate", "--people", "30", "--institutions", "5", "--force"],
                           env=_env(home))
    assert forced.exit_code == 0, forced.output


def test_errors_are_messages(tmp_path: Path) -> None:
    few = runner.invoke(app, ["federation", "generate", "--institutions", "3"], env=_env(tmp_path))
    assert few.exit_code == 1 and "at least 5" in few.output
    missing = runner.invoke(app, ["federation", "list"], env=_env(tmp_path / "none"))
    assert missing.exit_code == 1 and "federation generate" in missing.output
