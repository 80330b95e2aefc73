"""The verify URL in an issued diploma follows the address `vitnemal serve` listens on, unless
VITNEMAL_PUBLIC_URL says otherwise (it used to be http://127.0.0.1:8000 whatever the port)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from tests.factories import add_course, add_degree, add_person, add_result, make_federation

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import wait_until_healthy


def _issue(env: dict[str, str]) -> bytes:
    done = subprocess.run([sys.executable, "-m", "vitnemal", "diplomas", "issue", "-i", "185", "--processes", "1",
                           "--faculty", "Det humanistiske fakultet"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [pdf] = [p for p in Path(env["VITNEMAL_HOME"]).rglob("*.pdf")]
    return pdf.read_bytes()


def test_diplomas_issued_beside_a_server_carry_its_address(tmp_path: Path, sqlite_template: Path) -> None:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)
    with fed.db("185").session() as s:
        person = add_person(s, "01039512374")
        add_degree(s, person, "BA-HIS", [add_result(s, person, add_course(s, "HIS1"), 2020, "VÅR", "B")],
                   issued=None)
    env = {k: v for k, v in os.environ.items() if k != "VITNEMAL_PUBLIC_URL"}
    env["VITNEMAL_HOME"] = str(fed.settings.home)
    server = subprocess.Popen([sys.executable, "-m", "vitnemal", "serve", "--port", str(port), "--no-worker"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", server, timeout_s=60)
        pdf = _issue(env)
    finally:
        server.terminate()
        server.wait(timeout=30)
    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    # the signature's contact information is the verify URL, the one in the QR code
    assert str(signature.sig_object["/ContactInfo"]).startswith(f"http://127.0.0.1:{port}/verify/")


def _serve_output(fed_home: Path, port: int) -> str:
    """What `vitnemal serve --port <port>` prints until it is healthy."""
    env = {k: v for k, v in os.environ.items() if k != "VITNEMAL_PUBLIC_URL"}
    env["VITNEMAL_HOME"] = str(fed_home)
    log = fed_home.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "vitnemal", "serve", "--port", str(port), "--no-worker"],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", server, timeout_s=60)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_serving_a_federation_made_for_another_address_says_so(tmp_path: Path, sqlite_template: Path) -> None:
    """A federation made for port 8000 served on another port: every node would be recorded as not answering, so
    `serve` warns and says what to do (issue 8: what a new user trips over)."""
    port = free_port()
    fed = make_federation(tmp_path / "elsewhere" / "fed", ["185", "216"], "http://127.0.0.1:8000",
                          template=sqlite_template)
    said = " ".join(_serve_output(fed.settings.home, port).split())
    assert "185 at http://127.0.0.1:8000/nodes/185" in said and "216 at http://127.0.0.1:8000/nodes/216" in said
    assert f"will not reach this server (http://127.0.0.1:{port})" in said and "vitnemal demo --port" in said
    here = free_port()
    at_home = make_federation(tmp_path / "here" / "fed", ["185", "216"], f"http://127.0.0.1:{here}",
                              template=sqlite_template)
    assert "places the nodes served here elsewhere" not in _serve_output(at_home.settings.home, here)
