"""The ranked list holds pupils' ids, names and points: it is written owner-only (0600), like the certificates."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "school"


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_the_ranked_list_is_private_whatever_the_umask(tmp_path: Path, suffix: str) -> None:
    out_dir = tmp_path / "new" / "lists"
    ranked = out_dir / f"ranked{suffix}"
    ranked.parent.mkdir(parents=True)
    ranked.write_text("an older list\n")
    os.chmod(ranked, 0o644)  # an older list, written before the fix, is replaced by a private one
    old = os.umask(0o022)
    try:
        result = CliRunner().invoke(app, ["school", "points", str(EXAMPLES / "pupils.csv"), "--ranked-out",
                                          str(ranked)])
        fresh = tmp_path / "made" / f"ranked{suffix}"
        made = CliRunner().invoke(app, ["school", "points", str(EXAMPLES / "pupils.csv"), "--ranked-out",
                                        str(fresh)])
    finally:
        os.umask(old)
    assert result.exit_code == 0 and made.exit_code == 0, result.output + made.output
    assert stat.S_IMODE(ranked.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700  # a directory made for it is the owner's only
    assert "Ola Nordmann" in ranked.read_text(encoding="utf-8")
