"""The demo's secret key file: made once, 0600, and the same for every process that starts at the same moment."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import stat
from dataclasses import replace
from pathlib import Path

from vitnemal.config import Settings
from vitnemal.web.secretkey import load_secret_key


def _load(home: str, barrier: multiprocessing.synchronize.Barrier, results: multiprocessing.Queue) -> None:
    settings = replace(Settings(), home=Path(home), secret_key="")
    barrier.wait()
    try:
        results.put(load_secret_key(settings).decode())
    except Exception as exc:  # reported to the test, which shows it
        results.put(f"error: {exc}")


def test_processes_starting_at_once_share_one_whole_key(tmp_path: Path) -> None:
    # Each round a fresh home and six processes released together: with the file made in place (O_EXCL, then
    # written), a process could read it empty and fail with "holds no usable key" (2 of 180 seen).
    context = multiprocessing.get_context("fork")
    for round_ in range(8):
        home = tmp_path / f"home{round_}"
        barrier, results = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_load, args=(str(home), barrier, results)) for _ in range(6)]
        for worker in workers:
            worker.start()
        keys = {results.get(timeout=60) for _ in workers}
        for worker in workers:
            worker.join(timeout=60)
        assert len(keys) == 1 and not next(iter(keys)).startswith("error"), keys
        assert stat.S_IMODE((home / "secret.key").stat().st_mode) == 0o600
        assert [p.name for p in home.iterdir()] == ["secret.key"]
