"""Issue 8 #4: the federation CA is found through the configured home wherever ``vitnemal verify`` runs, the server
publishes it at ``/.well-known/vitnemal-ca.pem``, and an unknown CA's message says how to trust one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import DEFAULT_HOME, Settings
from vitnemal.devtools.federation import BareFederation, build_federation
from vitnemal.diplomas.signers import local_signer_spec, make_signer
from vitnemal.web.app import create_app

runner = CliRunner()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A folder where the demo ran: its federation at the default home, ``var/federation``."""
    project = tmp_path_factory.mktemp("project")
    build_federation(project / DEFAULT_HOME, ["185"], "http://testserver", template=sqlite_template)
    return project


@pytest.fixture(scope="module")
def signed(project: Path) -> Path:
    import typst

    settings = Settings(home=project / DEFAULT_HOME)
    pdf = typst.compile(b"= Vitnem\xc3\xa5l", format="pdf", pdf_standards="a-3b")
    path = settings.home / "documents" / "185" / "vitnemal.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_signer(local_signer_spec(settings, "185")).sign(pdf))
    return path


def verify(cwd: Path, *args: str, **env: str | None) -> tuple[int, str]:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, ["verify", *args], env={"VITNEMAL_HOME": None, "VITNEMAL_DATABASE_URL": "", **env})
    finally:
        os.chdir(previous)
    return result.exit_code, result.output


def test_found_from_a_sub_folder_of_the_demo_folder(project: Path, signed: Path) -> None:
    code, out = verify(signed.parent, signed.name)
    assert code == 0 and f"{signed.name}: GENUINE" in out, out
    code, out = verify(project / "var", str(signed))
    assert code == 0, out


def test_found_through_vitnemal_home_from_anywhere(project: Path, signed: Path, tmp_path: Path) -> None:
    code, out = verify(tmp_path, str(signed), VITNEMAL_HOME=str(project / DEFAULT_HOME))
    assert code == 0, out


def test_elsewhere_the_message_says_how_to_trust_a_ca(signed: Path, tmp_path: Path) -> None:
    code, out = verify(tmp_path, str(signed))
    assert code == 1 and "NOT GENUINE (untrusted_ca)" in out
    assert "VITNEMAL_HOME is not set, and no var/federation with a CA is in this folder or its parents" in out
    assert "http://127.0.0.1:8000/.well-known/vitnemal-ca.pem" in out and "--trust vitnemal-ca.pem" in out


def test_a_home_others_can_write_to_is_not_trusted(project: Path, signed: Path) -> None:
    home = project / DEFAULT_HOME
    mode = home.stat().st_mode
    home.chmod(0o777)
    try:
        code, out = verify(signed.parent, signed.name)
    finally:
        home.chmod(mode)
    assert code == 1 and "untrusted_ca" in out, out


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> BareFederation:
    return build_federation(tmp_path_factory.mktemp("served"), ["185"], "http://testserver", template=sqlite_template)


@pytest.fixture(scope="module")
def client(fed: BareFederation) -> Iterator[TestClient]:
    with TestClient(create_app(fed.settings, pages=False)) as test_client:
        yield test_client


def test_the_server_publishes_its_ca_and_a_verifier_elsewhere_trusts_it(
    fed: BareFederation, client: TestClient, tmp_path: Path
) -> None:
    import typst

    assert client.get("/.well-known/vitnemal-ca.pem").status_code == 404  # no CA before the first signer
    signer = make_signer(local_signer_spec(fed.settings, "185"))
    pdf = tmp_path / "vitnemal.pdf"
    pdf.write_bytes(signer.sign(typst.compile(b"= V", format="pdf", pdf_standards="a-3b")))
    response = client.get("/.well-known/vitnemal-ca.pem")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pem-certificate-chain"
    assert response.content == (fed.settings.home / "ca" / "ca.pem").read_bytes()
    downloaded = tmp_path / "vitnemal-ca.pem"
    downloaded.write_bytes(response.content)
    code, out = verify(tmp_path, str(pdf), "--trust", str(downloaded))
    assert code == 0, out
    report = client.post("/verify", files={"file": ("x.pdf", pdf.read_bytes(), "application/pdf")}).json()
    assert report["genuine"] is True and "hint" not in report


def test_the_api_says_which_ca_it_trusts(client: TestClient, signer: object, sample_pdf: bytes) -> None:
    stranger = signer.sign(sample_pdf)  # type: ignore[attr-defined]
    report = client.post("/verify", files={"file": ("x.pdf", stranger, "application/pdf")}).json()
    assert report["reason"] == "untrusted_ca"
    assert report["hint"].startswith("this service trusts only its federation's CA, published at "
                                     "http://testserver/.well-known/vitnemal-ca.pem")
