"""Hostile PDFs (issue 7 #1, #2) through the CLI and a real server: each is answered "unreadable: <limit>", and the
server keeps answering other requests while such uploads are in flight."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from vitnemal.devtools.federation import build_federation
from vitnemal.devtools.hostile_pdfs import cyclic_page_tree, deep_page_tree, flate_bomb
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import wait_until_healthy

# A hang is what these tests catch: the suite's per-test timeout (300 s, far above what any check takes on a
# loaded machine, where one CLI run took 20 s) turns it into a failure.

BOMB_INFLATED = 300 * 2**20  # ~300 KiB in the file; pyHanko's own default would inflate all of it


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return flate_bomb(BOMB_INFLATED)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    home = tmp_path_factory.mktemp("hostile") / "fed"
    fed = build_federation(home, ["185"], "http://127.0.0.1", template=sqlite_template)
    # The web database counts uploads per client (POST /verify's rate limit).
    shutil.copyfile(sqlite_template, fed.settings.url_for("portal").removeprefix("sqlite:///"))
    return home


def _cli(home: Path, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": ""}
    return subprocess.run([sys.executable, "-m", "vitnemal", "verify", str(path), *args], env=env,
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.parametrize("case", ["cyclic", "deep", "bomb"])
def test_the_cli_answers_unreadable_with_the_limit(home: Path, tmp_path: Path, bomb: bytes, case: str) -> None:
    pdf = {"cyclic": cyclic_page_tree(), "deep": deep_page_tree(200), "bomb": bomb}[case]
    expected = {"cyclic": "page tree", "deep": "page tree", "bomb": "inflate"}[case]
    path = tmp_path / f"{case}.pdf"
    path.write_bytes(pdf)
    result = _cli(home, path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "NOT GENUINE (unreadable): unreadable: " in result.stdout and expected in result.stdout, result.stdout


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[str]:
    """The app served by uvicorn in its own process (a hung verifier must not hang the test process)."""
    port = free_port()
    env = {**os.environ, "VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": "", "VITNEMAL_SERVE_WORKER": "0"}
    log = home.parent / "server.log"
    with log.open("wb") as out:
        # The log is a file, not a pipe: the pool's workers inherit it and must not keep a reader waiting.
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "vitnemal.web.app:app_from_env", "--port", str(port),
             "--log-level", "warning"], env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_healthy(url, process)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')}") from None
        yield url
    finally:
        process.terminate()  # uvicorn shuts down, and the app's lifespan stops the pool's workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _upload(url: str, pdf: bytes) -> httpx.Response:
    return httpx.post(f"{url}/verify", files={"file": ("x.pdf", pdf, "application/pdf")}, timeout=180)


@pytest.mark.parametrize("case", ["cyclic", "bomb"])
def test_the_api_answers_unreadable_with_the_limit(server: str, bomb: bytes, case: str) -> None:
    pdf, expected = {"cyclic": (cyclic_page_tree(), "page tree"), "bomb": (bomb, "inflate")}[case]
    report = _upload(server, pdf).json()
    assert report["genuine"] is False and report["reason"] == "unreadable", report
    assert report["message"].startswith("unreadable: ") and expected in report["message"], report


def test_the_server_stays_alive_while_hostile_uploads_are_in_flight(server: str, bomb: bytes) -> None:
    files = [cyclic_page_tree(), bomb] * 4
    with ThreadPoolExecutor(len(files)) as uploads:
        answers = [uploads.submit(_upload, server, pdf) for pdf in files]
        # Liveness, not speed: 30 s is generous on a loaded 2-core machine; it answered in tens of ms in the bench.
        health = httpx.get(f"{server}/healthz", timeout=30)
        assert health.status_code == 200
        reports = [answer.result().json() for answer in answers]
    assert {r["reason"] for r in reports} == {"unreadable"}, reports
