"""``vitnemal verify FILE``: exit 0 genuine, 1 not genuine with the reason, 2 not readable; the federation CA is the
default trust, ``--trust`` replaces it, ``--json`` prints the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import Settings
from vitnemal.diplomas.signers import institution_signer_files, local_signer_spec, make_signer
from vitnemal.signing.ca import LocalCertificateAuthority

runner = CliRunner()
DOC_ID = "5e0c7f4a-3b2d-4c1e-8f9a-6d5b4c3a2b1c"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("verify-cli")


@pytest.fixture(scope="module")
def signed(home: Path) -> Path:
    import typst

    settings = Settings(home=home)
    signer = make_signer(local_signer_spec(settings, "185", "Universitetet i Oslo"))
    pdf = typst.compile(b"= Vitnem\xc3\xa5l\nKari Nordmann", format="pdf", pdf_standards="a-3b")
    path = home / "signed.pdf"
    path.write_bytes(signer.sign(pdf, contact_info=f"http://127.0.0.1:8000/verify/{DOC_ID}"))
    return path


def run(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", *args], env={"VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": ""})
    return result.exit_code, result.output


def test_genuine_with_the_federation_ca_as_default_trust(home: Path, signed: Path) -> None:
    code, out = run(home, str(signed))
    assert code == 0, out
    assert "GENUINE" in out and "NOT GENUINE" not in out
    assert "Signed by: Universitetet i Oslo (institution 185)" in out
    assert "[ok] the signature covers the entire file, nothing appended after it" in out
    assert f"Document id: {DOC_ID}" in out
    assert "Issuing record: not checked" in out  # no database for 185 in this home


def test_json_report(home: Path, signed: Path) -> None:
    code, out = run(home, str(signed), "--json")
    report = json.loads(out)
    assert code == 0 and report["genuine"] is True and report["reason"] is None
    assert report["signer"]["institution_code"] == "185" and report["document_id"] == DOC_ID
    assert report["record"]["checked"] is False
    assert {c["check"] for c in report["checks"]} >= {"the certificate chain leads to a trusted CA"}


def test_a_changed_byte_exits_1_with_the_reason(home: Path, signed: Path, tmp_path: Path) -> None:
    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x04
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    code, out = run(home, str(changed))
    assert code == 1 and "NOT GENUINE (changed_bytes)" in out
    code, out = run(home, str(changed), "--json")
    assert code == 1 and json.loads(out)["reason"] == "changed_bytes"


def test_another_trust_anchor_makes_the_chain_untrusted(home: Path, signed: Path, tmp_path: Path) -> None:
    other = LocalCertificateAuthority.create_or_load(tmp_path / "other")
    code, out = run(home, str(signed), "--trust", str(other.cert_path))
    assert code == 1 and "NOT GENUINE (untrusted_ca)" in out
    code, out = run(home, str(signed), "--trust", str(other.cert_path), "--trust", str(home / "ca" / "ca.pem"))
    assert code == 0


def test_without_a_federation_ca_trust_must_be_given(signed: Path, tmp_path: Path) -> None:
    code, out = run(tmp_path, str(signed))
    assert code == 1 and "untrusted_ca" in out and f"VITNEMAL_HOME is {tmp_path.resolve()}, which has no" in out
    assert "/.well-known/vitnemal-ca.pem" in out and "--trust vitnemal-ca.pem" in out


def test_not_readable_exits_2(home: Path, tmp_path: Path) -> None:
    code, out = run(home, str(tmp_path / "missing.pdf"))
    assert code == 2 and "not readable" in out
    text = tmp_path / "letter.pdf"
    text.write_text("Dear employer, I have a degree.")
    code, out = run(home, str(text))
    assert code == 2 and "unreadable" in out
    code, out = run(home, str(text), "--json")
    assert code == 2 and json.loads(out)["reason"] == "unreadable"
    code, out = run(home, str(text), "--trust", str(tmp_path / "no-ca.pem"))
    assert code == 2 and "no such file" in out


def test_an_unsigned_pdf_exits_1(home: Path, tmp_path: Path) -> None:
    import typst

    path = tmp_path / "unsigned.pdf"
    path.write_bytes(typst.compile(b"= Vitnemal", format="pdf"))
    code, out = run(home, str(path))
    assert code == 1 and "NOT GENUINE (not_signed)" in out


def test_institution_signers_are_made_once(home: Path) -> None:
    settings = Settings(home=home)
    first = institution_signer_files(settings, "185", "Universitetet i Oslo")
    again = institution_signer_files(settings, "185", "Universitetet i Oslo")
    assert first == again and first[1].read_bytes() == again[1].read_bytes()
    assert first[1].name == "institution-185.pem" and first[2] == home / "ca" / "ca.pem"
