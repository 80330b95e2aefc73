"""Run every benchmark and print their figures as one JSON object: ``python bench/run_all.py``.

Each benchmark runs as ``vitnemal bench NAME --json`` in its own process (one at a time, so they do not share the
cores); the object holds each one's figures under its command line, and under ``"goals"`` the figure of each of
issue 11's goals beside its target, with the machine's load average when that benchmark ended (figures taken on a
shared, loaded machine are slower than the code). ``--quick`` runs smaller sizes (a check that everything runs,
not figures to quote); ``--only NAME`` runs the benchmarks whose command line starts with NAME.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

BENCHMARKS = [["startup"], ["exchange"], ["exchange", "--engine", "postgresql"], ["school"], ["diplomas"], ["verify"],
              ["elmo"]]
QUICK = {"startup": ["--runs", "2"], "exchange": ["--orders", "5", "--throughput-orders", "20"],
         "school": ["--pupils", "3000", "--certificates", "20"], "diplomas": ["--people", "40", "--verify", "5"],
         "verify": ["--uploads", "20"], "elmo": ["--documents", "40"]}


def _get(figures: dict[str, Any], name: str, key: str) -> Any:
    return figures.get(name, {}).get(key)


def goals(figures: dict[str, Any]) -> dict[str, Any]:
    """Issue 11's goals: each figure beside its target (None when its benchmark did not run)."""
    startup = figures.get("startup", {})
    return {
        "1_admission_points_pupils_per_s": {"figure": _get(figures, "school", "pupils_per_s"),
                                            "per_cpu_s": _get(figures, "school", "pupils_per_cpu_s"),
                                            "goal": 100_000},
        "2_diploma_sets_signed_per_s": {"figure": _get(figures, "diplomas", "signed_per_s"),
                                        "cpu_bound_estimate": _get(figures, "diplomas", "cpu_bound_signed_per_s"),
                                        "stages_cpu_ms": _get(figures, "diplomas", "stages_cpu_ms"), "goal": 60},
        "3_exchange_orders_per_s": {"figure": _get(figures, "exchange", "orders_per_s"),
                                    "p95_ms": _get(figures, "exchange", "order_p95_ms"),
                                    "target_p95_ms": _get(figures, "exchange", "target_p95_ms"), "goal": 25,
                                    "node_cpu_ms_per_answer": _get(figures, "exchange", "node_cpu_ms_per_answer"),
                                    "node_goal_cpu_ms": 0.8,
                                    "requester_cpu_ms_per_order": _get(figures, "exchange",
                                                                       "requester_cpu_ms_per_order"),
                                    "requester_goal_cpu_ms": 30},
        "4_cli_startup_s": {"help_wall_s": startup.get("help_wall_s_median"),
                            "id_check_wall_s": startup.get("id_check_wall_s_median"), "goal": 0.15},
        "5_school_certificates_per_s": {"figure": _get(figures, "school", "issue_per_s_2_workers"),
                                        "one_process": _get(figures, "school", "issue_per_s_1_workers"),
                                        "cpu_bound_estimate": _get(figures, "school",
                                                                   "cpu_bound_certificates_per_s_2_cores"),
                                        "goal": 150},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: that everything runs, not figures")
    parser.add_argument("--only", action="append", default=[], help="run only benchmarks starting with this name")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    for bench in BENCHMARKS:
        if args.only and bench[0] not in args.only:
            continue
        extra = QUICK.get(bench[0], []) if args.quick else []
        out = subprocess.run([sys.executable, "-m", "vitnemal", "bench", *bench, *extra, "--json"], check=True,
                             capture_output=True, text=True).stdout
        figures[" ".join(bench)] = {**json.loads(out), "load_average_1m_at_end": round(os.getloadavg()[0], 2)}
    print(json.dumps({"goals": goals(figures), **figures}, indent=1))


if __name__ == "__main__":
    main()
