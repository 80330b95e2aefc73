"""Programmes: `vitnemal programmes add|list|show` on a small federation, the rules a programme must keep, and a
registered programme's faculty winning over `--faculty` on the diploma."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from tests.factories import MiniFederation, add_course, add_degree, add_person, add_result, make_federation
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.diplomas.build import build_diploma_set
from vitnemal.programmes.service import InvalidProgramme, ProgrammeSpec, add_programme, problems

runner = CliRunner()


@pytest.fixture
def fed(tmp_path: Path, sqlite_template: Path) -> MiniFederation:
    return make_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)


def run(fed: MiniFederation, *args: str) -> tuple[int, str]:
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": fed.settings.database_url or ""}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_add_list_show_and_the_errors_a_user_meets(fed: MiniFederation, tmp_path: Path) -> None:
    code, text = run(fed, "programmes", "list", "-i", "185")
    assert code == 0 and "185: ingen studieprogrammer er registrert" in text
    texts = tmp_path / "mainf.json"
    texts.write_text(json.dumps({"objectives_nb": "Programmet gir avansert kunnskap.\n\nTo år.",
                                 "outcomes_en": "The candidate can analyse."}), encoding="utf-8")
    code, text = run(fed, "programmes", "add", "-i", "185", "--code", "MAINF", "--name-nb",
                     "Masterprogram i informatikk", "--name-en", "Master's programme in informatics", "--faculty-nb",
                     "Det matematisk-naturvitenskapelige fakultet", "--years", "2", "--credits", "120",
                     "--nqf-cycle", "2", "--from", str(texts))
    assert code == 0 and "MAINF" in text and "Det matematisk-naturvitenskapelige fakultet" in text, text
    code, text = run(fed, "programmes", "show", "MAINF", "-i", "185", "--json")
    shown = json.loads(text)
    assert shown["nominal_years"] == "2.0" and shown["nqf_cycle"] == 2 and shown["language"] == "nb"
    assert shown["objectives_nb"].endswith("To år.") and shown["outcomes_en"] == "The candidate can analyse."
    code, text = run(fed, "programmes", "list", "-i", "185")
    assert code == 0 and "MAINF  Masterprogram i informatikk" in text and "2 år" in text and "syklus 2" in text
    assert "Registrerte studieprogrammer: 1" in text

    code, text = run(fed, "programmes", "add", "-i", "185", "--code", "MAINF", "--name-nb", "X", "--name-en", "X",
                     "--faculty-nb", "Y")
    assert code == 1 and "registered already" in text and "--replace" in text
    code, text = run(fed, "programmes", "add", "-i", "185", "--code", "MAINF", "--name-nb", "X", "--name-en", "X",
                     "--faculty-nb", "Y", "--replace")
    assert code == 0
    code, text = run(fed, "programmes", "add", "-i", "185", "--code", "bad code", "--name-nb", "X", "--name-en",
                     "X", "--faculty-nb", "Y", "--language", "de", "--nqf-cycle", "7")
    assert code == 1 and "code 'bad code'" in text and "language 'de'" in text and "nqf_cycle" in text
    code, text = run(fed, "programmes", "add", "-i", "185", "--code", "BAX")
    assert code == 1 and "missing: name_nb, name_en, faculty_nb" in text and "gi --code" in text
    code, text = run(fed, "programmes", "add", "-i", "185", "--code", "BAY", "--name-nb", "X", "--name-en", "X",
                     "--faculty-nb", "Y", "--credits", "NaN")
    # the records' own sentence, in nb (review R47)
    assert code == 1 and text.startswith("Feil: 'NaN' er ikke et antall studiepoeng"), text
    assert "gi --code" not in text
    code, text = run(fed, "programmes", "show", "NOPE", "-i", "185")
    assert code == 1 and "Feil: Studieprogrammet NOPE er ikke registrert her (registrert: MAINF)." in text
    code, text = run(fed, "programmes", "list", "-i", "999")
    assert code == 1 and "999" in text


def test_a_programme_breaking_a_rule_is_refused_before_anything_is_written() -> None:
    good = ProgrammeSpec("BAHIS", "Bachelorprogram i historie", "Bachelor's programme in history",
                         "Det humanistiske fakultet")
    assert problems(good) == []
    with pytest.raises(InvalidProgramme, match="unknown field"):
        ProgrammeSpec.from_mapping({"code": "X", "name_nb": "X", "name_en": "X", "faculty_nb": "X", "dean": "Y"})
    with pytest.raises(InvalidProgramme, match="must be text"):
        ProgrammeSpec.from_mapping({"code": "X", "name_nb": "X", "name_en": "X", "faculty_nb": ["X"]})
    for credits in ("NaN", "7.55", "abc", "-10", True):  # the records' credits rule
        with pytest.raises(InvalidProgramme, match="not a number of credits"):
            ProgrammeSpec.from_mapping({**good.as_dict(), "credits": credits})
    with pytest.raises(InvalidProgramme, match="not a number of years"):
        ProgrammeSpec.from_mapping({**good.as_dict(), "nominal_years": "Infinity"})
    assert ProgrammeSpec.from_mapping({**good.as_dict(), "credits": 180, "nominal_years": "3"}).credits == 180
    long = ProgrammeSpec.from_mapping({**good.as_dict(), "objectives_nb": "x" * 20_001, "faculty_en": "y" * 301})
    assert sorted(problems(long)) == ["faculty_en is longer than 300 characters",
                                      "objectives_nb is longer than 20000 characters"]


def test_the_registered_faculty_wins_over_the_one_given_for_unregistered_programmes(fed: MiniFederation) -> None:
    with fed.db("185").session() as s:
        course = add_course(s, "HIS1010", name_nb="Historie", name_en="History")
        person = add_person(s, "01039512374")
        degree = add_degree(s, person, "BA-HIS", [add_result(s, person, course, 2020, "VÅR", "B")],
                            awarded=date(2021, 6, 20), issued=None)
        degree.programme_code = "BAHIS"
        s.flush()
        common = {"person_id": person.id, "qualification_code": "BA-HIS", "institution_name": "Universitetet i Oslo"}
        unregistered = build_diploma_set(s, **common, faculty="Det samfunnsvitenskapelige fakultet")
        add_programme(s, ProgrammeSpec("BAHIS", "Bachelorprogram i historie", "Bachelor's programme in history",
                                       "Det humanistiske fakultet"))
        registered = build_diploma_set(s, **common, faculty="Det samfunnsvitenskapelige fakultet")
    assert unregistered.issuer.faculty == "Det samfunnsvitenskapelige fakultet"
    assert registered.issuer.faculty == "Det humanistiske fakultet"


@pytest.mark.parametrize(("lang", "said"), [
    ("nb", "Feil: Studieprogrammet NOPE er ikke registrert her"),
    ("nn", "Feil: Studieprogrammet NOPE er ikkje registrert her"),
    ("en", "Error: No programme NOPE is registered here"),
])
def test_an_unknown_programme_is_said_in_the_commands_language(fed: MiniFederation, lang: str, said: str) -> None:
    code, text = run(fed, "programmes", "show", "NOPE", "-i", "185", "--lang", lang)
    assert code == 1 and text.startswith(said), text
