"""`vitnemal demo` as a user runs it: it makes the federation, answers /healthz, and the seed's test persons'
courses arrive through `vitnemal exchange order ... --wait --json`, as the acceptance check does it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import wait_until_healthy

# The whole demo as a process (generate, serve, order, wait): about 25 s on a quiet machine.
pytestmark = pytest.mark.slow


def _vitnemal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vitnemal", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_demo_serves_the_federation_and_the_test_persons_results_arrive(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "VITNEMAL_HOME": str(tmp_path / "fed")}
    demo = subprocess.Popen([sys.executable, "-m", "vitnemal", "demo", "--port", str(port), "--people", "60"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", demo)
        api = ["--api", f"http://127.0.0.1:{port}"]
        for national_id, source, course in (("01536112185", "216", "RES-100"), ("19588312510", "214", "RES-OAL")):
            done = _vitnemal("exchange", "order", national_id, "--for", "185", "--wait", "--json", *api, env=env)
            assert done.returncode == 0, done.stderr
            order = json.loads(done.stdout)
            assert order["status"] == "done"
            by_source = {o["institution"]: o for o in order["outcomes"]}
            assert (by_source[source]["outcome"], by_source[source]["results"]) == ("imported", 1)
            # An order asks the institutions: neither the portal (it has no node) nor the language-test register
            # (it answers its candidates through the portal only).
            members = [m for m in json.loads((tmp_path / "fed" / "registry.json").read_text())["institutions"]
                       if m.get("kind", "institution") == "institution"]
            assert len(members) >= 50 and len(order["outcomes"]) == len(members) - 1  # every other one was asked
            assert "hkdir" not in by_source
            records = _vitnemal("exchange", "records", national_id, "--for", "185", "--json", *api, env=env)
            assert [r["results"][0]["code"] for r in json.loads(records.stdout)] == [course]
    finally:
        demo.terminate()
        demo.wait(timeout=30)
