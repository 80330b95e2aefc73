"""The verify URL in an issued diploma follows the address `vitnemal serve` listens on, unless
VITNEMAL_PUBLIC_URL says otherwise (it used to be http://127.0.0.1:8000 whatever the port)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

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
