"""`vitnemal admissions …` on a live federation: start from a CSV file, work, status, applicants, show, export."""

from __future__ import annotations

import csv
import io
import json

from tests.functional.admissions.conftest import SO, SOURCES, people
from typer.testing import CliRunner

from vitnemal.cli import app


def run(live, *args: str) -> str:
    result = CliRunner().invoke(app, ["admissions", *args, "--home", str(live.fed.settings.home)],
                                env={"VITNEMAL_DATABASE_URL": live.fed.settings.database_url}, terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cli_runs_a_round_and_exports_it(admission, tmp_path) -> None:
    ids = people(4)
    live = admission(ids)
    for n in ids[:3]:
        live.consent(n)
    listed = tmp_path / "liste.csv"
    listed.write_text("fodselsnummer;referanse\n" + "".join(f"{n};R{i}\n" for i, n in enumerate(ids)) + "123;x\n",
                      encoding="utf-8")
    started = json.loads(run(live, "start", str(listed), "--name", "Hovedopptak 2027", "--json"))
    assert (started["accepted"], started["rejected"]) == (3, 2)
    assert [(r["line"], r["reason"]) for r in started["rejections"]] == [(5, "no_consent"), (6, "invalid_national_id")]
    round_id = str(started["round_id"])
    text = run(live, "rejected", round_id)
    assert "Linje 5: søkeren har ikke samtykket" in text and "Linje 6: ugyldig fødselsnummer" in text

    run(live, "work", "--until-done")

    status = json.loads(run(live, "status", round_id, "--json"))
    assert (status["status"], status["done"], status["complete"]) == ("done", 3, 3)
    assert "Runde 1 «Hovedopptak 2027»: Ferdig" in run(live, "status", round_id)
    shown = json.loads(run(live, "show", round_id, ids[0], "--json"))
    assert shown["complete"] and shown["total_credits"] == 30
    assert shown["credits_by_level"] == {"bachelor": 10, "none": 20}
    assert {a["institution"]: a["outcome"] for a in shown["answers"]} == {c: "imported" for c in SOURCES}
    shown_text = run(live, "show", round_id, ids[0])
    assert "bachelornivå: 10.0 sp" in shown_text and "216 C216" in shown_text
    assert f"{live.fed.registry.get('216').name_nb}: 1 resultat, 1 grad er hentet." in shown_text

    out_csv, out_json = tmp_path / "runde.csv", tmp_path / "runde.json"
    run(live, "export", round_id, "--format", "csv", "--out", str(out_csv))
    run(live, "export", round_id, "--format", "json", "--out", str(out_json), "--lang", "en")
    rows = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8")), delimiter=";"))
    assert rows[0][:5] == ["linje", "fodselsnummer", "referanse", "status", "komplett"]
    assert [(r[1], r[2], r[4], r[7]) for r in rows[1:]] == [(n, f"R{i}", "ja", "30.0") for i, n in enumerate(ids[:3])]
    document = json.loads(out_json.read_text(encoding="utf-8"))
    assert document["round"]["applicants"] == 3 and len(document["applicants"]) == 3
    assert document["applicants"][0]["degrees"][0]["level"] == "bachelor"
    assert oct(out_csv.stat().st_mode & 0o777) == "0o600"
    assert SO in document["round"]["requester"]


def test_pause_stops_the_claims_and_resume_goes_on(admission) -> None:
    ids = people(3)
    live = admission(ids)
    for n in ids:
        live.consent(n)
    round_id = str(live.start("fnr\n" + "".join(f"{n}\n" for n in ids)).round_id)
    assert "Satt på pause" in run(live, "pause", round_id)
    run(live, "work", "--until-done")
    assert json.loads(run(live, "status", round_id, "--json"))["queued"] == 3
    assert sum(live.disclosures(c) for c in SOURCES) == 0
    run(live, "resume", round_id)
    run(live, "work", "--until-done")
    assert json.loads(run(live, "status", round_id, "--json"))["done"] == 3


def test_start_speaks_norwegian_with_plural_forms_and_names_what_each_line_says(admission, tmp_path) -> None:
    """Review R17: no English detail inside a Norwegian sentence, and "1 søker" (not "1 søkere")."""
    ids = people(2)
    live = admission(ids)
    live.consent(ids[0])
    bad = ids[1][:10] + str((int(ids[1][10]) + 1) % 10)  # the second check digit wrong
    listed = tmp_path / "liste.csv"
    listed.write_text(f"fodselsnummer\n{ids[0]}\n{bad}\n{ids[0]}\n", encoding="utf-8")
    text = run(live, "start", str(listed), "--name", "Hovedopptak 2027")
    assert text.splitlines()[0] == "Runde 1: 1 søker tatt inn, 2 linjer avvist."
    assert f"  Linje 3: ugyldig fødselsnummer ({bad})." in text.splitlines()
    assert f"  Linje 4: søkeren står allerede i lista ({ids[0]})." in text.splitlines()
    assert "check digit" not in text and "line" not in text
    assert "1 søker:" in run(live, "status", "1") and "2 linjer avvist" in run(live, "status", "1")
    listed.write_text(f"fodselsnummer\n{ids[0]}\n", encoding="utf-8")
    nn = run(live, "start", str(listed), "--name", "Etteropptak", "--lang", "nn")
    assert nn.splitlines()[0] == "Runde 2: 1 søkjar tekne inn, 0 linjer avviste."
