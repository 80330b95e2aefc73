"""Running an ASGI app on a real port in a background thread, for tests, benchmarks and fault drills."""

from __future__ import annotations

import subprocess
import threading
import time
from typing import Any

import httpx
import uvicorn

from vitnemal.devtools.postgres import free_port


class BackgroundServer:
    """``with BackgroundServer(app) as s: httpx.get(s.url + "/healthz")`` — a real uvicorn on 127.0.0.1."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on port {self.port} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until_healthy(base_url: str, process: subprocess.Popen[Any] | None = None, timeout_s: float = 120) -> None:
    """Wait until ``GET /healthz`` answers 200; fail with the process's output if it dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            stdout, stderr = process.communicate() if process is not None and process.poll() is not None else ("", "")
            out = stderr or stdout or ""
            text = out.decode(errors="replace") if isinstance(out, bytes) else str(out)
            raise RuntimeError(f"{base_url} did not become healthy: {text}")
        time.sleep(0.1)
