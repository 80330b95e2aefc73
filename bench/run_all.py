"""Run every benchmark and print their figures as one JSON object: ``python bench/run_all.py``."""

from __future__ import annotations

import json
import subprocess
import sys

BENCHMARKS = [["startup"], ["exchange"], ["exchange", "--engine", "postgresql"], ["school"], ["diplomas"], ["verify"]]


def main() -> None:
    figures = {}
    for args in BENCHMARKS:
        out = subprocess.run([sys.executable, "-m", "vitnemal", "bench", *args, "--json"], check=True,
                             capture_output=True, text=True).stdout
        figures[" ".join(args)] = json.loads(out)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
