"""The portal benchmark runs end to end with tiny counts (two uvicorn processes, SQLite) and reports every figure
in its documented shape through ``vitnemal bench portal --json``; the figures themselves are never asserted."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app

pytestmark = pytest.mark.slow


def test_a_tiny_portal_benchmark_prints_its_figures() -> None:
    result = CliRunner().invoke(app, ["bench", "portal", "--json", "--views", "40", "--clients", "5", "--shares", "2",
                                      "--logins", "1", "--uploads", "2", "--database", "sqlite", "--latency", "1-2"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) == {"recipient_views", "share_to_mail", "login_to_results", "verify_uploads", "goals", "setup"}
    assert figures["recipient_views"]["views"] == 40 and figures["recipient_views"]["clients"] == 5
    assert figures["recipient_views"]["failed"] == 0  # the lean client read every answer whole
    assert set(figures["recipient_views"]["cpu_ms_per_view"]) == {"servers", "database", "client"}
    assert figures["recipient_views"]["cpu_ms_per_view"]["servers"] > 0
    assert figures["share_to_mail"]["shares"] == 2 and figures["share_to_mail"]["pdf_kb"] > 0
    assert figures["login_to_results"]["logins"] == 1 and figures["verify_uploads"]["uploads"] == 2
    for name in ("recipient_views", "share_to_mail", "login_to_results", "verify_uploads"):
        section = figures[name]
        assert 0 < section["median_ms"] <= section["p95_ms"] <= section["max_ms"], name
    assert figures["recipient_views"]["per_s"] > 0 and figures["verify_uploads"]["per_s"] > 0
    assert figures["setup"]["processes"] == 2 and figures["setup"]["database"] == "sqlite"
