"""Several real web processes on one federation and one database, for the two-process test and the portal bench.

Each process is its own ``python -m uvicorn --factory vitnemal.web.app:app_from_env`` on its own port, reading its
settings from the environment as ``vitnemal serve --processes N`` hands them over; they share only the home (keys,
registry, the demo's outbox folder) and the database server. The public URL, the nodes' addresses in the registry
and the test provider are the first process's: that is the one address the others stand behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from vitnemal.config import Settings
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import wait_until_healthy
from vitnemal.institutions.registry import Registry

# A process that imports the whole app on a machine loaded 15 times over its cores takes minutes to answer.
STARTUP_TIMEOUT_S = 300


def point_registry_at(settings: Settings, base_url: str) -> None:
    """Every member's node answers at ``base_url`` (the demo serves them all on one host)."""
    registry = Registry.load(settings.registry_path)
    for code, entry in registry.institutions.items():
        if entry.node_url:
            registry.institutions[code] = replace(entry, node_url=f"{base_url}/nodes/{code}")
    registry.save(settings.registry_path)


class WebProcesses:
    """``with WebProcesses(settings, 2) as web: web.urls`` — ``count`` uvicorn processes, each on its own port."""

    def __init__(self, settings: Settings, count: int = 2, *, log_dir: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.ports = [free_port() for _ in range(count)]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.settings = replace(settings, public_url=self.urls[0], serve_worker=False)
        self.log_dir = log_dir or settings.home
        self.extra_env = env or {}
        self.processes: list[subprocess.Popen[Any]] = []

    def start(self) -> WebProcesses:
        point_registry_at(self.settings, self.urls[0])
        env = {**os.environ, **self.settings.environ(), **self.extra_env}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            with (self.log_dir / f"web-{port}.log").open("wb") as log:
                # A file, not a pipe: the check pool's workers inherit it and must not block on a full pipe.
                self.processes.append(subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "--factory", "vitnemal.web.app:app_from_env",
                     "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                    env=env, stdout=log, stderr=subprocess.STDOUT))
        try:
            for url, process, port in zip(self.urls, self.processes, self.ports, strict=True):
                try:
                    wait_until_healthy(url, process, timeout_s=STARTUP_TIMEOUT_S)
                except RuntimeError as exc:
                    log_text = (self.log_dir / f"web-{port}.log").read_text(errors="replace")
                    raise RuntimeError(f"{exc}\n{log_text[-4000:]}") from None
        except BaseException:
            self.stop()
            raise
        return self

    def log_tail(self, chars: int = 3000) -> str:
        """The end of each process's log (what a failed request left there)."""
        return "\n".join(f"--- {port}:\n" + (self.log_dir / f"web-{port}.log").read_text(errors="replace")[-chars:]
                         for port in self.ports)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        self.processes.clear()

    def __enter__(self) -> WebProcesses:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
