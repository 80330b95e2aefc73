"""A corrupt institution database does not stop `vitnemal demo`: it says which one is broken and serves the rest,
and the broken institution's node answers as unavailable, so orders elsewhere count it as down and retry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import wait_until_healthy

pytestmark = pytest.mark.slow


def test_the_demo_serves_every_institution_but_the_broken_one(tmp_path: Path) -> None:
    home = tmp_path / "fed"
    env = {**os.environ, "VITNEMAL_HOME": str(home)}
    made = subprocess.run([sys.executable, "-m", "vitnemal", "federation", "generate", "--people", "60",
                           "--institutions", "5"], env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    codes = [entry["code"] for entry in json.loads((home / "registry.json").read_text())["institutions"]]
    broken = next(code for code in codes if code not in ("185", "portal"))  # an institution, not the requester
    (home / "db" / f"{broken}.sqlite").write_bytes(b"this is not an SQLite database" * 100)
    port = free_port()
    demo = subprocess.Popen([sys.executable, "-m", "vitnemal", "demo", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, demo)
        health = httpx.get(f"{base}/healthz").json()
        assert health["status"] == "degraded" and health["unavailable"] == [broken]
        node = httpx.post(f"{base}/nodes/{broken}/exchange/v1/results", content=b"x")
        assert node.status_code == 503 and node.json()["detail"]["error"] == "unavailable"
        assert "retry-after" in node.headers
        assert httpx.get(f"{base}/nodes/185").status_code == 200
        creds = json.loads((home / "demo-credentials.json").read_text())
        api = httpx.get(f"{base}/api/institutions/185/orders", headers={"authorization": f"Bearer {creds['185']}"})
        assert api.status_code == 200
    finally:
        demo.terminate()
        output, _ = demo.communicate(timeout=30)
    assert f"Institution {broken} is left out" in output and f"{broken}.sqlite" in output
    assert "Traceback" not in output
