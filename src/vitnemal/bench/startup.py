"""How long the ``vitnemal`` command takes to start: whole processes, timed from outside (goal ≤ 0.15 s).

Each command line is run ``runs`` times after a warm-up; the figures are the median and range of wall time and of
CPU time (user + system, from the kernel's accounting of the finished child), so a busy machine shows up as a wide
range and as wall well above CPU.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

COMMANDS = {"help": ["--help"], "id_check": ["id", "check", "01039512374"]}


def _one(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vitnemal", *args], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "COLUMNS": "100"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_benchmark(runs: int = 7) -> dict[str, object]:
    figures: dict[str, object] = {"runs": runs}
    for name, args in COMMANDS.items():
        _one(args)  # warm-up: the file cache, not the program, would be timed first
        walls, cpus = zip(*(_one(args) for _ in range(runs)), strict=True)
        figures[f"{name}_wall_s_median"] = round(statistics.median(walls), 4)
        figures[f"{name}_wall_s_range"] = [round(min(walls), 4), round(max(walls), 4)]
        figures[f"{name}_cpu_s_median"] = round(statistics.median(cpus), 4)
    return figures
