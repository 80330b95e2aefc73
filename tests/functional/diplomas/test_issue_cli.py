"""The acceptance interfaces on the demo federation: ``diplomas sample --out`` then ``verify`` (exit 0), bulk
``diplomas issue`` with two processes, ``--reissue`` and ``diplomas list``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.poppler import poppler_tool
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.cli.diplomas import account_name
from vitnemal.demo.catalogue import build_catalogue
from vitnemal.demo.diploma_sample import sample_national_id
from vitnemal.demo.institutions import INSTITUTIONS
from vitnemal.demo.programmes import faculty_of

runner = CliRunner()
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"VITNEMAL_HOME": str(tmp_path_factory.mktemp("demo") / "fed"), "VITNEMAL_DATABASE_URL": ""}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_sample_then_verify_then_issue_and_reissue(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "vitnemal.pdf"
    code, text = run(env, "diplomas", "sample", "--out", str(out), "--lang", "en")
    assert code == 0, text
    ca_cert = text.strip().splitlines()[-1]
    assert ca_cert == str(Path(env["VITNEMAL_HOME"]) / "ca" / "ca.pem") and Path(ca_cert).exists()
    assert "Ingrid Innpass" in text and "Master" in text

    code, text = run(env, "verify", str(out), "--trust", ca_cert, "--json")
    report = json.loads(text)
    assert code == 0 and report["genuine"] and report["record"]["known"] and report["signer"]["institution_code"]
    pdfsig = subprocess.run([poppler_tool("pdfsig"), str(out)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in pdfsig and "Total document signed" in pdfsig

    code, text = run(env, "diplomas", "issue", "--institution", "185", "--processes", "2", "--json")
    issued = json.loads(text)
    assert code == 0 and issued["failed"] == [] and len(issued["issued"]) >= 1, text
    # every completed degree of the demo, each from the faculty of its field (the generator registers programmes)
    catalogue = build_catalogue(next(i for i in INSTITUTIONS if i.code == "185"))
    field_of = {p.code: p.field for p in (*catalogue.bachelors.values(), *catalogue.masters.values())}
    assert {d["qualification"] for d in issued["issued"]} <= set(field_of)
    assert all(d["faculty"] == faculty_of(field_of[d["qualification"]])[0] for d in issued["issued"])
    assert len({d["faculty"] for d in issued["issued"]}) > 1
    first = issued["issued"][0]
    assert Path(first["path"]).parent == Path(issued["directory"]) and Path(first["path"]).is_file()
    page = subprocess.run([poppler_tool("pdftotext"), "-l", "1", first["path"], "-"], capture_output=True,
                          text=True).stdout
    assert first["faculty"] in " ".join(page.split())
    transcript = " ".join(subprocess.run([poppler_tool("pdftotext"), "-f", "3", first["path"], "-"],
                                         capture_output=True, text=True).stdout.split())
    assert f"{account_name()} saksbehandler" in transcript  # the issuing account signs bulk-issued transcripts
    code, text = run(env, "diplomas", "issue", "--institution", "185", "--json")
    assert code == 0 and json.loads(text)["issued"] == []  # nothing left to issue

    code, text = run(env, "diplomas", "issue", "-i", "185", "--reissue", f"MA-INF/{sample_national_id()}",
                     "--officer", "Siri Saksbehandler", "--dean", "Kari Dekan", "--director", "Per Direktør")
    assert code == 0 and "1 diploma set(s) issued" in text
    newest = max(Path(env["VITNEMAL_HOME"]).glob("documents/185/*.pdf"), key=lambda p: p.stat().st_mtime)
    signed = " ".join(subprocess.run([poppler_tool("pdftotext"), str(newest), "-"], capture_output=True,
                                     text=True).stdout.split())
    assert "Kari Dekan Per Direktør dekan fakultetsdirektør" in signed  # the front page's two signature lines
    assert "Siri Saksbehandler saksbehandler" in signed
    code, text = run(env, "verify", str(out))
    assert code == 0 and "replaced" not in text  # the bokmål set is a sibling of the English sample
    code, text = run(env, "diplomas", "issue", "-i", "185", "--reissue", f"MA-INF/{sample_national_id()}",
                     "--lang", "en")
    assert code == 0 and "1 diploma set(s) issued" in text
    code, text = run(env, "verify", str(out))
    assert code == 0 and "replaced by a newer one" in text  # the sample's first document stays genuine
    code, text = run(env, "diplomas", "list", "-i", "185", "--json")
    listed = json.loads(text)
    assert sum(1 for d in listed if d["replaced_by"]) == 1
    assert len(listed) == len(issued["issued"]) + 3

    code, text = run(env, "diplomas", "issue", "-i", "185", "--reissue", "MA-INF")
    assert code == 2 and "QUALIFICATION/NATIONAL_ID" in text
    code, text = run(env, "diplomas", "issue", "-i", "185", "--reissue", "MA-INF/01010112345")
    assert code == 1 and "Feil: Ingen person med fødselsnummer 01010112345" in text, text  # in nb (review R47)
    code, text = run(env, "diplomas", "issue", "-i", "999")
    assert code == 1 and "999" in text
