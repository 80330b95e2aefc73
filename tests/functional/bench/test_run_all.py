"""bench/run_all.py runs the benchmarks it is asked for and puts each goal's figure beside its target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUN_ALL = Path(__file__).resolve().parents[3] / "bench" / "run_all.py"


def test_run_all_prints_the_figures_and_the_goals_of_what_it_ran() -> None:
    out = subprocess.run([sys.executable, str(RUN_ALL), "--quick", "--only", "startup"], check=True,
                         capture_output=True, text=True, timeout=300).stdout
    figures = json.loads(out)
    assert list(figures) == ["goals", "startup"]
    startup = figures["goals"]["4_cli_startup_s"]
    assert startup["goal"] == 0.15 and startup["help_wall_s"] == figures["startup"]["help_wall_s_median"] > 0
    assert figures["startup"]["runs"] == 2 and figures["startup"]["load_average_1m_at_end"] >= 0
    # benchmarks that did not run give no figure, never a made-up one
    assert figures["goals"]["2_diploma_sets_signed_per_s"]["figure"] is None
    assert figures["goals"]["5_school_certificates_per_s"] == {"figure": None, "one_process": None,
                                                               "cpu_bound_estimate": None, "goal": 150}
