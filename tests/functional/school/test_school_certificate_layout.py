"""What a reader of a certificate sees (issue 8 #17): the English date style, grade words on one line, the rules
under the table headers clear of the text, and a key on a PKCS#11 token signing like a key file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.poppler import pdf_text, poppler_tool
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.demo.schools import DEMO_SCHOOLS, register_demo_schools
from vitnemal.devtools.softhsm import softhsm_paths, softhsm_token
from vitnemal.school.issue import school_signer
from vitnemal.school.parsing import parse_certificate
from vitnemal.school.render import CertificateRenderer
from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.verify import check_pdf

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "school"


def second_pupil() -> dict[str, Any]:
    """Ola Nordmann, born 2 August 2010, with IV (vurdering ikke mulig) in musikk."""
    document = json.loads((EXAMPLES / "pupils.json").read_text(encoding="utf-8"))
    return {**{k: v for k, v in document.items() if k != "pupils"}, **document["pupils"][1]}


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    return CertificateRenderer()


def rendered(renderer: CertificateRenderer, tmp_path: Path, lang: str) -> Path:
    path = tmp_path / f"{lang}.pdf"
    path.write_bytes(renderer.render(parse_certificate(second_pupil(), issuable=True), lang))  # type: ignore[arg-type]
    return path


def test_the_english_certificate_spells_the_date_of_birth_the_english_way(
    renderer: CertificateRenderer, tmp_path: Path
) -> None:
    english = pdf_text(rendered(renderer, tmp_path, "en"))
    assert "2 August 2010" in english and "02.08.2010" not in english
    assert "02.08.2010" in pdf_text(rendered(renderer, tmp_path, "nb"))


@pytest.mark.parametrize(("lang", "line"), [("en", r"Music\s+Assessment not possible"),
                                            ("nb", r"Musikk\s+Vurdering ikke mulig")])
def test_assessment_not_possible_stays_on_one_line(
    renderer: CertificateRenderer, tmp_path: Path, lang: str, line: str
) -> None:
    assert re.search(line, pdf_text(rendered(renderer, tmp_path, lang)))


def _rule_gaps(pdf: Path) -> list[tuple[int, int]]:
    """Return, per horizontal rule on page 1 (at 150 dpi), the blank pixel rows above and below it to the text."""
    subprocess.run([poppler_tool("pdftoppm"), "-gray", "-r", "150", "-f", "1", "-l", "1", str(pdf),
                    str(pdf.with_suffix(""))], check=True)
    image = next(pdf.parent.glob(f"{pdf.stem}*.pgm")).read_bytes()
    _, size, _, data = image.split(b"\n", 3)
    width, height = map(int, size.split())
    dark = [sum(1 for value in data[y * width:(y + 1) * width] if value < 128) for y in range(height)]
    rules = [y for y in range(height) if dark[y] > width // 2 and not dark[y - 1] > width // 2]
    gaps = []
    for top in rules:
        bottom = next(y for y in range(top, height) if not dark[y] > width // 2) - 1
        above = next((k for k in range(1, 60) if dark[top - k]), None)
        below = next((k for k in range(1, 60) if dark[bottom + k]), None)
        if above is not None and below is not None:  # a table's rule, text on both sides
            gaps.append((above - 1, below - 1))
    return gaps


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_header_rules_keep_clear_of_the_text(renderer: CertificateRenderer, tmp_path: Path, lang: str) -> None:
    gaps = _rule_gaps(rendered(renderer, tmp_path, lang))
    assert len(gaps) >= 3  # final grades, exams, orden og atferd / absence
    # At 150 dpi a pixel is about half a point: at least a point above (the header) and two below (the first row).
    assert all(above >= 2 and below >= 4 for above, below in gaps), gaps


def test_a_key_on_a_pkcs11_token_signs_certificates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pkcs11", reason="python-pkcs11 (pyhanko[pkcs11]) is not installed")
    if softhsm_paths() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("SoftHSM is missing; scripts/system-packages must install softhsm2")
        pytest.skip("SoftHSM (Debian package softhsm2) is not installed")
    home = tmp_path / "home"
    monkeypatch.setenv("VITNEMAL_HOME", str(home))
    register_demo_schools(home)
    ca = LocalCertificateAuthority.create_or_load(home / "ca")
    key, cert = ca.issue_for(tmp_path / "hsm-keys", school_signer(DEMO_SCHOOLS[0]))
    out = tmp_path / "out"
    with softhsm_token(tmp_path / "softhsm", key) as token:
        monkeypatch.setenv("VITNEMAL_PKCS11_PIN", token.pin)
        args = ["school", "certificate", str(EXAMPLES / "pupils.json"), "--out", str(out), "--pkcs11-lib", token.lib,
                "--pkcs11-key", token.key_label, "--pkcs11-token", token.label, "--cert", str(cert),
                "--chain", str(ca.cert_path)]
        # In a process of its own: a PKCS#11 library reads SoftHSM's configuration once per process, so a token
        # made here for a second test in the same process would be looked up in the first test's token store.
        result = subprocess.run([sys.executable, "-m", "vitnemal", *args], capture_output=True, text=True,
                                env=os.environ | {"VITNEMAL_HOME": str(home)}, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not key.exists()
    check = check_pdf((out / "p1.pdf").read_bytes(), [ca.cert_path])
    assert check.genuine and check.certified, check.problems
    assert check.issued_by == "issued by a lower-secondary school: Eksempel ungdomsskole"
    verified = CliRunner().invoke(app, ["verify", str(out / "p1.pdf")])
    assert verified.exit_code == 0 and "Issuing record: found" in verified.output


def test_pkcs11_needs_the_key_label_and_the_certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITNEMAL_HOME", str(tmp_path / "home"))
    args = ["school", "certificate", str(EXAMPLES / "pupils.json"), "--out", str(tmp_path / "out"),
            "--pkcs11-lib", "/nowhere/libsofthsm2.so"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--pkcs11-key" in result.output
