"""Rendering and issuing certificates: the text read back from the PDF, the signature, the CLI's exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.poppler import pdf_text, pdfsig
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.demo.schools import register_demo_schools
from vitnemal.school.parsing import parse_certificate
from vitnemal.school.render import CertificateRenderer
from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.verify import verify_pdf

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "school"


def example_pupils() -> list[dict[str, Any]]:
    document = json.loads((EXAMPLES / "pupils.json").read_text(encoding="utf-8"))
    defaults = {k: v for k, v in document.items() if k != "pupils"}
    return [{**defaults, **pupil} for pupil in document["pupils"]]


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    return CertificateRenderer()


def render_text(renderer: CertificateRenderer, tmp_path: Path, pupil: dict[str, Any], lang: str = "nb") -> str:
    path = tmp_path / f"{pupil['id']}-{lang}.pdf"
    path.write_bytes(renderer.render(parse_certificate(pupil, issuable=True), lang))  # type: ignore[arg-type]
    return " ".join(pdf_text(path).split())  # one line: the layout's spacing does not matter here


def test_bokmal_certificate_reads_back(renderer: CertificateRenderer, tmp_path: Path) -> None:
    text = render_text(renderer, tmp_path, example_pupils()[1])  # Ola: IV, fritatt, MP exam, IOP
    assert "Vitnemål for grunnskolen" in text
    assert "Navn: Ola Nordmann" in text and "02.08.2010" in text
    for line in ("Norsk muntlig 5 fem", "Engelsk muntlig 6 seks", "Musikk Vurdering ikke mulig"):
        assert line in text
    assert "Norsk sidemål, skriftlig Fritatt" in text
    assert "Arbeidslivsfag 5 fem Valgfag 6 seks Valgfag 5 fem Valgfag 5 fem" in text
    assert "Norsk hovedmål S 5 fem" in text and "Naturfag MP 6 seks" in text
    assert "S = skriftlig, M = muntlig, MP = muntlig-praktisk" in text
    assert "Orden God" in text and "Atferd Nokså god" in text
    assert re.search(r"8\. trinn 0 0 .*9\. trinn 2 1 .*10\. trinn 4 7", text)
    assert "Eleven har hatt individuell opplæringsplan" in text
    assert "Bergen, 19. juni 2026" in text
    assert "Randi Rektorsen" in text and "rektor" in text and "kontaktlærer" in text
    assert "Side 1 av 1" in text


def test_nynorsk_and_english(renderer: CertificateRenderer, tmp_path: Path) -> None:
    pupil = example_pupils()[0]
    nn = render_text(renderer, tmp_path, pupil, "nn")
    assert "Standpunktkarakterar" in nn and "Norsk munnleg 4 fire" in nn and "Fråvær" in nn and "Side 1 av 1" in nn
    assert "Valfag: Programmering 5 fem" in nn and "Utdanningsval Delteke" in nn
    en = render_text(renderer, tmp_path, pupil, "en")
    assert "School Leaving Certificate" in en and "Mathematics 3 three" in en and "Page 1 of 1" in en
    assert "Year 9 4 2" in en  # 12 days, 8 documented days left out on request → 4; hours stay hours


def test_a_long_certificate_numbers_its_pages(renderer: CertificateRenderer, tmp_path: Path) -> None:
    pupil = example_pupils()[0]
    pupil["remarks"] = [f"Merknad nummer {n}: eleven har deltatt i et prosjekt." for n in range(40)]
    text = render_text(renderer, tmp_path, pupil)
    assert "Side 1 av 2" in text and "Side 2 av 2" in text


def test_the_pdf_claims_pdfa_3b(renderer: CertificateRenderer) -> None:
    pdf = renderer.render(parse_certificate(example_pupils()[0], issuable=True), "nb")
    assert b"pdfaid:part" in pdf and re.search(rb"pdfaid:conformance(=\"|>)B", pdf)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VITNEMAL_HOME", str(tmp_path / "home"))
    register_demo_schools(tmp_path / "home")
    return tmp_path / "home"


def test_cli_issues_signed_certificates_with_the_schools_key(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["school", "certificate", str(EXAMPLES / "pupils.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["p1.pdf", "p2.pdf", "p3.pdf"]
    report = pdfsig(out / "p1.pdf")
    assert "Signature is Valid" in report and "Common Name: Eksempel ungdomsskole" in report
    [check] = verify_pdf((out / "p1.pdf").read_bytes(), [home / "ca" / "ca.pem"])
    assert check.ok and check.certified and check.docmdp == "NO_CHANGES"
    assert "Kari Nordmann" in pdf_text(out / "p1.pdf")


def test_cli_signs_with_a_key_of_your_own(home: Path, tmp_path: Path) -> None:
    ca = LocalCertificateAuthority.create_or_load(tmp_path / "own-ca", "Fylkets CA")
    key, cert = ca.issue_signer(tmp_path / "own", "Vestland fylkeskommune", "Vestland fylkeskommune")
    out = tmp_path / "out"
    args = ["school", "certificate", str(EXAMPLES / "pupils.csv"), "--out", str(out), "--lang", "en"]
    args += ["--key", str(key), "--cert", str(cert), "--chain", str(ca.cert_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Common Name: Vestland fylkeskommune" in pdfsig(out / "p4.pdf")
    assert verify_pdf((out / "p4.pdf").read_bytes(), [ca.cert_path])[0].ok
    assert not (home / "ca").exists()


def test_cli_reports_rejected_rows_and_still_issues_the_rest(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = EXAMPLES / "pupils-with-errors.csv"
    result = CliRunner().invoke(app, ["school", "certificate", str(path), "--out", str(out), "--lang", "nn"])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["p1.pdf", "p5.pdf"]
    assert "line 3 (id e1)" in result.stderr


def test_a_certificate_needs_orden_and_atferd(home: Path, tmp_path: Path) -> None:
    pupil = example_pupils()[2]
    del pupil["order"]
    path = tmp_path / "pupils.json"
    path.write_text(json.dumps([pupil]), encoding="utf-8")
    result = CliRunner().invoke(app, ["school", "certificate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "orden is missing" in result.stderr
    assert CliRunner().invoke(app, ["school", "points", str(path)]).exit_code == 0


@pytest.mark.parametrize(
    "extra",
    [["--lang", "de"], ["--key", "{examples}/pupils.json"], ["--date", "19.06"], []],
)
def test_cli_usage_errors_exit_2(home: Path, tmp_path: Path, extra: list[str]) -> None:
    args = ["school", "certificate", str(EXAMPLES / "pupils.json")]
    if extra:
        args += ["--out", str(tmp_path / "out"), *[e.format(examples=EXAMPLES) for e in extra]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
