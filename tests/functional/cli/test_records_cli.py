"""``vitnemal records``: the seed's test step 12 at the source institution, and clear errors."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import Settings
from vitnemal.demo import FederationSummary, generate_federation

runner = CliRunner()
Fed = tuple[dict[str, str], FederationSummary]


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory) -> Fed:
    home = tmp_path_factory.mktemp("records-cli")
    summary = generate_federation(Settings(home=home), people=30, institutions=5)
    return {"VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": ""}, summary


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["records", *args], env=env)
    return result.exit_code, result.output


def test_change_results_at_the_source_institution(fed: Fed) -> None:
    env, _ = fed
    person = ["--institution", "216", "--person", "015361 12185"]
    code, out = _run(env, "add-result", *person, "--course", "RES-100", "--term", "2025 HØST", "--grade", "B")
    assert code == 0 and "216: RES-100 2025 HØST = B for 01536112185 (registrert)." in out
    code, out = _run(env, "add-result", *person, "-c", "RES-100", "-t", "2025 HØST", "-g", "A", "--json")
    assert code == 0 and json.loads(out)["grade"] == "A"
    code, out = _run(env, "show", *person, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["name"] == "Testperson1 Resultatutveksling"
    assert [(r["year"], r["grade"]) for r in shown["results"]] == [(2014, "B"), (2025, "A")]
    code, out = _run(env, "show", *person)
    assert code == 0 and "RES-100" in out and "2025 HØST" in out and "Kvalifikasjoner" in out

    code, out = _run(env, "award", *person, "--qualification", "RES-GRAD", "--name-nb", "Testgrad",
                     "--name-en", "Test degree", "--courses", "RES-100", "--award-date", "2026-01-10")
    assert code == 0 and "216: RES-GRAD er tildelt (10.0 sp)." in out
    code, out = _run(env, "issue-diploma", *person, "--qualification", "RES-GRAD", "--on", "2026-02-01")
    assert code == 0 and "vitnemålet for RES-GRAD ble utstedt 01.02.2026." in out
    code, out = _run(env, "issue-diploma", *person, "--qualification", "RES-GRAD", "--unset")
    assert code == 0 and "vitnemålet for RES-GRAD er merket som ikke utstedt." in out


def test_consent_settings_and_people(fed: Fed) -> None:
    env, summary = fed
    code, out = _run(env, "consent", "-i", "185", "-p", "19588312510", "--answer", "N")
    assert code == 0 and "RESUTVEKSL N" in out
    code, out = _run(env, "settings", "-i", "214")
    assert code == 0 and "RESUTVEKSL J, RESERVER N" in out
    code, out = _run(env, "settings", "-i", "214", "--reserve")
    assert code == 0 and "RESERVER J" in out
    code, out = _run(env, "settings", "-i", "214", "--no-reserve", "--json")
    assert code == 0 and json.loads(out) == {"institution": "214", "name": "Høgskolen i Nord-Trøndelag",
                                             "shares": True, "reserved": False}
    code, out = _run(env, "add-person", "-i", "185", "-p", "15076500565", "--first-name", "Kari",
                     "--last-name", "Nordmann")
    assert code == 0 and "185: Kari Nordmann (15076500565) er lagt til." in out
    example = summary.scenarios["old_d_number_unknown"][0]
    code, out = _run(env, "add-earlier-id", "-i", "185", "-p", example["national_id"], "--earlier-id",
                     example["earlier_id"])
    assert code == 0 and f"er også kjent som {example['earlier_id']}." in out


@pytest.mark.parametrize(("args", "message"), [
    (["add-result", "-i", "216", "-p", "01536112185", "-c", "RES-100", "-t", "2025 HØST", "-g", "X"],
     "'X' er ikke en karakter i RES-100, som vurderes med bokstavkarakterer A–F."),
    (["add-result", "-i", "216", "-p", "01536112185", "-c", "NOPE", "-t", "2025 HØST", "-g", "A"],
     "Emnet 'NOPE' finnes ikke"),
    (["add-result", "-i", "216", "-p", "01536112185", "-c", "RES-100", "-t", "høsten", "-g", "A"],
     "'høsten' er ikke en termin: skriv året"),
    (["add-result", "-i", "216", "-p", "12345678901", "-c", "RES-100", "-t", "2025 HØST", "-g", "A"],
     "Ingen person med fødselsnummer 12345678901 er registrert ved institusjonen."),
    (["show", "-i", "999", "-p", "01536112185"], "Ukjent institusjon 999: den finnes ikke i føderasjonsregisteret"),
    (["issue-diploma", "-i", "216", "-p", "01536112185", "-q", "X"], "enten --on"),
    (["consent", "-i", "185", "-p", "01536112185", "--answer", "kanskje"],
     "'kanskje' er ikke et svar: bruk J (ja) eller N (nei)."),
    # issue 7 #3: another person's ordinary fødselsnummer is never an earlier id
    (["add-earlier-id", "-i", "185", "-p", "01536112185", "--earlier-id", "01039510010"], "er et vanlig fødselsnummer"),
])
def test_errors_are_clear(fed: Fed, args: list[str], message: str) -> None:
    env, _ = fed
    code, out = _run(env, *args)
    assert code == 1 and message in out


@pytest.mark.parametrize(("lang", "message"), [
    ("nb", "Feil: '2025 sommer' er ikke en termin: skriv året og VÅR eller HØST, for eksempel «2025 HØST»."),
    ("nn", "Feil: '2025 sommer' er ikkje ein termin: skriv året og VÅR eller HØST, til dømes «2025 HØST»."),
    ("en", "Error: '2025 sommer' is not a term: write the year and VÅR or HØST, e.g. “2025 HØST”."),
])
def test_a_service_refusal_is_said_in_the_users_language(fed: Fed, lang: str, message: str) -> None:
    env, _ = fed
    code, out = _run({**env, "VITNEMAL_LANG": lang}, "add-result", "-i", "216", "-p", "01536112185", "-c", "RES-100",
                     "-t", "2025 sommer", "-g", "A")
    assert code == 1 and out.strip() == message, out
    code, out = _run({**env, "VITNEMAL_LANG": lang}, "add-result", "-i", "216", "-p", "01536112185", "-c", "NOPE",
                     "-t", "2025 HØST", "-g", "A")
    assert code == 1 and ("No course 'NOPE'" in out) == (lang == "en"), out  # raised inside the session


def test_a_malformed_date_is_a_usage_error_like_everywhere_in_the_cli(fed: Fed) -> None:
    # One date parser (cli/common.py) for records, diplomas, school and id: a bad option value exits 2.
    env, _ = fed
    code, out = _run(env, "issue-diploma", "-i", "216", "-p", "01536112185", "-q", "X", "--on", "1. mai")
    assert code == 2 and "not a date" in out and "--on" in out


@pytest.mark.parametrize(("lang", "results", "qualifications", "consents"), [
    ("nb", "Ingen vurderingsresultater.", "Ingen kvalifikasjoner.", "Akseptanser: ingen"),
    ("nn", "Ingen vurderingsresultat.", "Ingen kvalifikasjonar.", "Akseptansar: ingen"),
    ("en", "No results.", "No qualifications.", "Consents: none"),
])
def test_show_says_none_instead_of_drawing_empty_tables(fed: Fed, lang: str, results: str, qualifications: str,
                                                        consents: str) -> None:
    env, _ = fed
    code, _ = _run(env, "add-person", "-i", "216", "-p", "15076500565", "--first-name", "Ola", "--last-name", "Tom")
    assert code in (0, 1)  # added now, or for an earlier language
    result = runner.invoke(app, ["records", "show", "-i", "216", "-p", "15076500565", "--lang", lang],
                           env={**env, "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert results in result.output and qualifications in result.output and consents in result.output
    assert not set("┏┃━─") & set(result.output)


def test_show_fits_80_columns_without_cutting(fed: Fed) -> None:
    env, _ = fed
    result = runner.invoke(app, ["records", "show", "-i", "216", "-p", "01536112185"], env={**env, "COLUMNS": "80"},
                           terminal_width=80)
    assert result.exit_code == 0 and "…" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    # The seed's RES-100 (2014 HØST) is there whichever tests of this module ran before on this worker.
    assert "RES-100" in result.output and "2014 HØST" in result.output


@pytest.mark.parametrize(("lang", "said"), [
    ("nb", "216: vitnemålet for RES-NB ble utstedt 01.02.2026."),
    ("nn", "216: vitnemålet for RES-NN vart utferda 01.02.2026."),
    ("en", "216: the diploma for RES-EN was issued on 1 February 2026."),
])
def test_a_change_is_said_in_the_commands_language(fed: Fed, lang: str, said: str) -> None:
    env, _ = fed
    person = ["--institution", "216", "--person", "015361 12185"]
    code, out = _run(env, "award", *person, "--qualification", f"RES-{lang.upper()}", "--name-nb", "Språkgrad",
                     "--name-en", "Language degree", "--courses", "RES-100", "--award-date", "2026-01-10",
                     "--lang", lang)
    assert code == 0, out
    code, out = _run(env, "issue-diploma", *person, "--qualification", f"RES-{lang.upper()}", "--on", "2026-02-01",
                     "--lang", lang)
    assert code == 0 and out.strip() == said
    code, out = _run(env, "consent", "-i", "185", "-p", "19588312510", "--answer", "J", "--lang", lang)
    assert code == 0 and ("registrert" in out) == (lang != "en") and ("recorded" in out) == (lang == "en")
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", out), out  # the time as a person reads it, not ISO 8601
