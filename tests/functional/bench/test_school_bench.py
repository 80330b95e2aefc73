"""The school benchmark runs end to end on a small county and its generated file is deterministic."""

from __future__ import annotations

import hashlib
from pathlib import Path

from vitnemal.bench.school import run_benchmark, write_county_csv


def test_a_small_benchmark_reports_its_figures() -> None:
    figures = run_benchmark(pupils=1000, certificates=3)
    assert figures["pupils"] == 1000 and figures["certificates"] == 3
    assert figures["accepted"] + figures["rejected"] == 1000
    assert figures["rejected"] == 1  # one row in 997 is made bad on purpose
    for key in ("pupils_per_s", "certificates_per_s", "county_total_s", "render_ms_median", "sign_ms_median",
                "render_cpu_ms_median", "sign_cpu_ms_median", "cpu_bound_certificates_per_s_2_cores"):
        assert figures[key] > 0
    assert set(figures["certificate_stages_cpu_ms_median"]) == {"render", "qr", "sign", "write"}
    assert all(ms > 0 for ms in figures["certificate_stages_cpu_ms_median"].values())
    pipeline = figures["issue_cpu_ms_per_certificate"]
    assert pipeline["1_workers"]["main"] > 0 and pipeline["1_workers"]["workers"] is None
    # with two workers the rendering and signing are theirs, so this process's share is the smaller one
    assert pipeline["2_workers"]["workers"] > pipeline["2_workers"]["main"] > 0


def test_the_county_file_is_the_same_every_time(tmp_path: Path) -> None:
    write_county_csv(tmp_path / "a.csv", 200)
    write_county_csv(tmp_path / "b.csv", 200)
    digest = [hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.csv", "b.csv")]
    assert digest[0] == digest[1]
