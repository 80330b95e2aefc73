"""Nodes stopped on a host (``<home>/stopped-nodes.json``): registered in the federation, but not served here.

A stopped node answers every request with 503 and nothing else, exactly what a requester sees of a node that is
down: the seed's first failure reason ("institusjonen er nede"), recorded as unavailable and asked again by the
retry rule. The demo serves every node in one process, so stopping one node of a running demo is this file, which
``vitnemal demo stop-node`` / ``start-node`` change and every serving process reads again when it changes.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from vitnemal.files import write_private

FILE_NAME = "stopped-nodes.json"
MAX_BYTES = 256 * 1024  # a few thousand codes at most; a larger file is not ours


def stopped_path(home: Path) -> Path:
    return home / FILE_NAME


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return {}
    if len(data) > MAX_BYTES:
        raise ValueError(f"{path} is larger than {MAX_BYTES} bytes: it is not a list of stopped nodes; remove it")
    value = json.loads(data or b"{}")
    stopped = value.get("stopped") if isinstance(value, dict) else None
    if not isinstance(stopped, dict):
        raise ValueError(f"{path} is not a list of stopped nodes; remove it to start every node")
    return {str(code): dict(info) if isinstance(info, dict) else {} for code, info in stopped.items()}


def stopped_nodes(home: Path) -> dict[str, dict[str, Any]]:
    """The stopped nodes: code -> {"at": ISO 8601, "by": who}."""
    return _read(stopped_path(home))


def set_stopped(home: Path, code: str, stopped: bool, *, by: str, now: datetime) -> bool:
    """Stop (or start) ``code``'s node on this host; False when it was so already."""
    path = stopped_path(home)
    current = _read(path)
    if (code in current) == stopped:
        return False
    if stopped:
        current[code] = {"at": now.isoformat(), "by": by[:100]}
    else:
        del current[code]
    write_private(path, json.dumps({"stopped": current}, ensure_ascii=False, indent=1).encode())
    return True


class StoppedNodes:
    """What a serving process checks on every request: read again when the file changes (one ``stat`` a check)."""

    def __init__(self, home: Path) -> None:
        self.path = stopped_path(home)
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._codes: frozenset[str] = frozenset()

    def __contains__(self, code: object) -> bool:
        try:
            st = os.stat(self.path)
            seen: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            seen = None
        if seen != self._seen:
            with self._lock:
                try:
                    self._codes = frozenset(_read(self.path)) if seen is not None else frozenset()
                except ValueError:
                    self._codes = frozenset()  # a broken file stops nothing; `vitnemal demo nodes` says why
                self._seen = seen
        return code in self._codes
