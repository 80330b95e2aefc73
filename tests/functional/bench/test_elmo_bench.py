"""``vitnemal bench elmo --json`` prints its figures, and the document it times is signed, valid ELMO."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from vitnemal.bench.elmo import transcript
from vitnemal.cli import app


def test_the_elmo_bench_prints_its_figures() -> None:
    result = CliRunner().invoke(app, ["bench", "elmo", "--documents", "4", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["courses"] == 40 and figures["documents"] == 4 and figures["validations"] == 1
    assert figures["exports_signed_per_s"] > 0 and figures["imports_validated_per_s"] > 0
    assert figures["imports_into_records_per_s"] > 0 and figures["imports_into_records_per_cpu_s"] > 0
    assert len(transcript(40)[0]["qualifications"][0]["courses"]) == 40


def test_the_elmo_bench_exports_in_several_processes() -> None:
    result = CliRunner().invoke(app, ["bench", "elmo", "--documents", "5", "--processes", "2", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["processes"] == 2 and figures["documents"] == 5 and figures["exports_signed_per_cpu_s"] > 0
