"""The recognition API (every route needs the institution's case-worker token) and the CLI, on both engines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories import MiniFederation
from tests.functional.recognition.conftest import STUDENT
from typer.testing import CliRunner

from vitnemal.cli import app as cli
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.recognition.local_exchange import run_order_now
from vitnemal.web.app import create_app


@pytest.fixture
def client(fed: MiniFederation) -> Iterator[TestClient]:
    with TestClient(create_app(fed.settings)) as c:
        yield c


def auth(fed: MiniFederation, code: str) -> dict[str, str]:
    return {"authorization": f"Bearer {fed.tokens[code]}"}


def call(client: TestClient, fed: MiniFederation, method: str, path: str, status: int = 200, **kw: Any) -> Any:
    response = client.request(method, f"/api/institutions/185/recognition{path}", headers=auth(fed, "185"), **kw)
    assert response.status_code == status, response.text
    return response.json()


def test_every_route_needs_the_institutions_token(client: TestClient, fed: MiniFederation) -> None:
    routes = [("POST", "/cases", {"national_id": STUDENT}), ("GET", "/cases", None), ("GET", "/cases/1", None),
              ("POST", "/cases/1/fetch", None), ("POST", "/cases/1/items", {"toward": "X", "external_result_id": 1}),
              ("DELETE", "/cases/1/items/1", None), ("POST", "/cases/1/decision", {"status": "FERDIG"})]
    for method, path, body in routes:
        url = f"/api/institutions/185/recognition{path}"
        assert client.request(method, url, json=body).status_code == 401, path
        other = client.request(method, url, json=body, headers=auth(fed, "216"))  # HiSF's token is not UiO's
        assert other.status_code == 401, path
        bogus = client.request(method, url, json=body, headers={"authorization": "Bearer nope"})
        assert bogus.status_code == 401, path


def test_the_golden_path_over_the_api(client: TestClient, fed: MiniFederation) -> None:
    case = call(client, fed, "POST", "/cases", 201, json={"national_id": "010395 12374",
                                                           "qualification_code": "MA-INF"})
    assert case["status"] == "BEHANDLES" and case["opened_by"] == "saksbehandler@uio"
    order = call(client, fed, "POST", f"/cases/{case['case_id']}/fetch", 201)
    assert order["label"].startswith("Bestilt ") and order["status"] == "queued"
    host = LocalInstitutions.open(fed.settings)
    try:
        run_order_now(host, "185", order["order_id"])
    finally:
        host.close()
    shown = call(client, fed, "GET", f"/cases/{case['case_id']}")
    assert shown["order"]["status"] == "done"
    ids = {r["code"]: r["id"] for r in shown["external_results"]}
    item = call(client, fed, "POST", f"/cases/{case['case_id']}/items", 201,
                json={"toward": "MA-INF", "external_result_id": ids["DAT200"], "group": "Valgfrie emner"})
    assert item["warnings"] and "BA-DAT" in item["warnings"][0]
    block = call(client, fed, "POST", f"/cases/{case['case_id']}/items", 201,
                 json={"toward": "MA-INF", "block": {"title": "Fordypning", "institution_name": "HiSF",
                                                      "credits": "30"}})
    assert block["kind"] == "block" and block["credits"] == "30"
    withdrawn = call(client, fed, "DELETE", f"/cases/{case['case_id']}/items/{item['id']}")
    assert withdrawn["withdrawn_by"] == "saksbehandler@uio"
    done = call(client, fed, "POST", f"/cases/{case['case_id']}/decision", json={"status": "FERDIG"})
    assert done["status"] == "FERDIG" and done["decided_by"] == "saksbehandler@uio"
    assert [c["case_id"] for c in call(client, fed, "GET", "/cases", params={"national_id": STUDENT})] == [
        case["case_id"]]
    # refusals are 422 with the reason, unknown cases 404
    refused = call(client, fed, "POST", f"/cases/{case['case_id']}/items", 422,
                   json={"toward": "MA-INF", "external_result_id": ids["DAT310"]})
    assert "FERDIG" in refused["detail"]
    assert "either external_result_id" in json.dumps(call(client, fed, "POST", "/cases/1/items", 422,
                                                          json={"toward": "MA-INF"}))
    call(client, fed, "GET", "/cases/9999", 404)
    call(client, fed, "GET", "/cases/99999999999999999999999", 422)  # beyond SQL integers: a clear refusal
    # every look at the case (and at the person's results in it) is in the audit log, with who
    audit = client.get(f"/api/institutions/185/people/{STUDENT}/audit", headers=auth(fed, "185")).json()
    assert {"view_recognition_case", "list_recognition_cases"} <= {e["action"] for e in audit}
    assert {e["actor"] for e in audit} == {"saksbehandler@uio"}


def run(fed: MiniFederation, *args: str) -> Any:
    return run_at(fed, 200, *args)


def run_at(fed: MiniFederation, columns: int, *args: str) -> Any:
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": fed.settings.database_url,
           "VITNEMAL_PUBLIC_URL": fed.settings.public_url, "COLUMNS": str(columns)}
    return CliRunner().invoke(cli, ["recognition", *args], env=env, terminal_width=columns)


def test_the_cli_fetches_in_process_and_records_decisions(fed: MiniFederation) -> None:
    opened = run(fed, "open", "-i", "185", "--person", "010395 12374", "--toward", "MA-INF", "--by", "kari@uio",
                 "--json")
    assert opened.exit_code == 0, opened.output
    case = json.loads(opened.output)["case_id"]
    fetched = run(fed, "fetch", str(case), "-i", "185", "--by", "kari@uio")
    assert fetched.exit_code == 0, fetched.output
    assert "Bestilt" in fetched.output and "Høgskulen i Sogn og Fjordane: 4 resultater" in fetched.output
    shown = json.loads(run(fed, "show", str(case), "-i", "185", "--json").output)
    ids = {r["code"]: r["id"] for r in shown["external_results"]}
    part = next(r for r in shown["external_results"] if r["code"] != "DAT310" and float(r["credits"]) > 5)
    partly = run(fed, "recognise", str(case), "-i", "185", "--result", str(part["id"]), "--toward", "MA-INF",
                 "--credits-counted", "5")
    # Only what counts is said as counting (issue 8 #15: it read "(10 credits)" for 5 of 10).
    assert partly.exit_code == 0 and f"(5 av {part['credits']} studiepoeng teller)" in partly.output, partly.output
    done = run(fed, "recognise", str(case), "-i", "185", "--result", str(ids["DAT310"]), "--toward", "MA-INF")
    # Said in bokmål, the CLI's default language (issue 8 #9), as the refusals are.
    assert done.exit_code == 0 and "Godkjente DAT310" in done.output, done.output
    assert "studiepoeng) mot MA-INF som vedtak" in done.output and "credits" not in done.output
    block = run(fed, "recognise", str(case), "-i", "185", "--block", "Fordypning i informatikk",
                "--from-institution", "Høgskulen i Sogn og Fjordane", "--credits", "30", "--toward", "MA-INF",
                "--lang", "en")
    assert block.exit_code == 0 and "Recognised the block “Fordypning i informatikk”" in block.output, block.output
    bad = run(fed, "recognise", str(case), "-i", "185", "--block", "X", "--toward", "MA-INF")
    assert bad.exit_code == 1 and "--from-institution" in bad.output
    decided = run(fed, "decide", str(case), "-i", "185", "--by", "leder@uio")
    assert decided.exit_code == 0 and f"Sak {case} er FERDIG." in decided.output, decided.output
    table = run(fed, "show", str(case), "-i", "185")
    assert "Godkjenningssak 1" in table.output and "(blokk)" in table.output and "Vedtak FERDIG" in table.output
    # At 80 columns (issue 8 #11) the tables wrap at spaces and cut nothing: codes whole, no "Viten…", "(blok…".
    narrow = run_at(fed, 80, "show", str(case), "-i", "185").output
    assert "…" not in narrow and max(len(line) for line in narrow.splitlines()) <= 80
    for whole in ("(blokk)", "DAT310", "MA-INF", "kari@uio", "Fordypning", "informatikk", "Høgskulen", "Fjordane",
                  "2018 HØST", "Eksterne resultater"):
        assert whole in narrow, (whole, narrow)
    listed = run(fed, "list", "-i", "185")
    assert "FERDIG" in listed.output and "3 vedtak" in listed.output  # DAT310, the part of a course, the block
    # --lang is the language of the whole case, not only of its errors (the codes and FS's statuses stay)
    english = run(fed, "show", str(case), "-i", "185", "--lang", "en").output
    for said in ("Recognition case 1", "Opened ", "Results order", ": Ordered ", "every institution has answered",
                 "(block)", "Decision FERDIG", "External results", "Toward"):
        assert said in english, (said, english)
    assert "Godkjenningssak" not in english and "Opprettet" not in english and "(done)" not in english
    nynorsk = run(fed, "list", "-i", "185", "--lang", "nn").output
    assert "3 vedtak" in nynorsk and "FERDIG" in nynorsk
    unknown = run(fed, "show", "999", "-i", "185")  # bokmål, the CLI's language by default
    assert unknown.exit_code == 1 and "Det finnes ingen godkjenningssak 999 her" in unknown.output
    unknown = run(fed, "show", "999", "-i", "185", "--lang", "en")
    assert unknown.exit_code == 1 and "No recognition case 999" in unknown.output


def test_only_a_qualification_the_person_can_take_and_hints_that_run(fed: MiniFederation) -> None:
    listed = run(fed, "qualifications", "-i", "185", "--person", "010395 12374", "--json")
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert [(q["code"], q["source"]) for q in data["qualifications"]] == [("MA-INF", "programme")]
    assert data["programmes"] == [{"code": "MAINF", "name_nb": "Masterprogram i informatikk",
                                   "qualification_code": "MA-INF", "admitted_on": "2024-08-01"}]
    text = run(fed, "qualifications", "-i", "185", "-p", "01039512374").output
    assert "MA-INF  Masterprogram i informatikk  (studierett)" in text and "MAINF" in text and "→ MA-INF" in text

    refused = run(fed, "open", "-i", "185", "--person", "010395 12374", "--toward", "MA-MEVIT", "--lang", "en")
    assert refused.exit_code == 1 and "cannot take MA-MEVIT" in refused.output and "MA-INF" in refused.output
    assert "vitnemal recognition qualifications -i 185 --person 01039512374" in refused.output
    case = json.loads(run(fed, "open", "-i", "185", "--person", "010395 12374", "--toward", "MA-INF",
                          "--json").output)["case_id"]
    block = ("--block", "Fordypning", "--from-institution", "HiSF", "--credits", "10")
    refused = run(fed, "recognise", str(case), "-i", "185", *block, "--toward", "MA-MEVIT", "--lang", "nn")
    assert refused.exit_code == 1 and "kan ikkje ta MA-MEVIT her" in refused.output
    refused = run(fed, "recognise", str(case), "-i", "185", *block, "--toward", "MA-MEVIT", "--json")
    assert refused.exit_code == 1 and json.loads(refused.output)["error"] == "not_open_to"  # the code stays
    assert json.loads(refused.output)["params"]["code"] == "MA-MEVIT"
    missing = run(fed, "recognise", str(case), "-i", "185", "--result", "999999", "--toward", "MA-INF")
    assert missing.exit_code == 1 and f"vitnemal recognition fetch {case} -i 185" in missing.output
    assert f"vitnemal recognition show {case} -i 185" in missing.output
    unknown = run(fed, "show", "999", "-i", "185", "--lang", "en")
    assert "Run `vitnemal recognition list -i 185`" in unknown.output

    for _ in range(3):
        assert run(fed, "recognise", str(case), "-i", "185", *block, "--toward", "MA-INF").exit_code == 0
    items = json.loads(run(fed, "show", str(case), "-i", "185", "--json").output)["items"]
    withdrew = run(fed, "withdraw", str(case), str(items[0]["id"]), "-i", "185", "--lang", "nn")
    assert withdrew.exit_code == 0 and f"Trekte tilbake vedtak {items[0]['id']} i sak {case}." in withdrew.output
    listed_cases = run(fed, "list", "-i", "185").output
    assert "2 vedtak (1 trukket)" in listed_cases and "3 vedtak" not in listed_cases


def test_a_person_with_no_qualification_or_admission_is_told_what_to_do(fed: MiniFederation) -> None:
    refused = run(fed, "open", "-i", "185", "--person", "19588312510", "--toward", "MA-INF")
    assert refused.exit_code == 1 and "er ikke tatt opp til noe studieprogram her" in refused.output
    text = run(fed, "qualifications", "-i", "185", "-p", "19588312510").output
    assert text.count("  ingen") == 2 and "none" not in text  # bokmål by default (issue 8 #9)
    admitted = run(fed, "qualifications", "-i", "185", "-p", "010395 12374").output
    assert "Studieprogram (opptak):" in admitted and re.search(r"MA-INF.*opptak \d\d\.\d\d\.\d{4}", admitted), admitted
    assert " at 185" not in admitted and "Kvalifikasjoner (det resultater kan godkjennes mot):" in admitted


def _trail(fed: MiniFederation, after_id: int = 0) -> list[tuple[str, str, str | None, str | None]]:
    """The audit events after ``after_id``, with case and order numbers blanked so two runs can be compared."""
    import re

    from sqlalchemy import select

    from vitnemal.audit.models import AuditEvent

    with fed.db("185").read_session() as s:
        # The federation's set-up grants the test staff their roles (staff.role_granted): not part of any trail here.
        rows = s.scalars(select(AuditEvent).where(AuditEvent.id > after_id, AuditEvent.action.not_like("staff.%"))
                         .order_by(AuditEvent.id)).all()
        return [(e.action, e.actor, e.subject_national_id, re.sub(r"\d+", "N", e.detail or "")) for e in rows]


def _last_event_id(fed: MiniFederation) -> int:
    from sqlalchemy import func, select

    from vitnemal.audit.models import AuditEvent

    with fed.db("185").read_session() as s:
        return s.scalar(select(func.max(AuditEvent.id))) or 0


def _age_events(fed: MiniFederation) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from vitnemal.audit.models import AuditEvent

    with fed.db("185").session() as s:
        for event in s.scalars(select(AuditEvent)):
            event.at -= timedelta(minutes=2)


def test_the_cli_and_the_api_leave_the_same_audit_trail(client: TestClient, fed: MiniFederation) -> None:
    actor = "saksbehandler@uio"  # the API token's user
    case = json.loads(run(fed, "open", "-i", "185", "--person", STUDENT, "--toward", "MA-INF", "--by", actor,
                          "--json").output)["case_id"]
    assert run(fed, "fetch", str(case), "-i", "185", "--queue-only", "--by", actor).exit_code == 0
    assert run(fed, "show", str(case), "-i", "185", "--by", actor).exit_code == 0
    assert run(fed, "list", "-i", "185", "--person", STUDENT, "--by", actor).exit_code == 0
    by_cli = _trail(fed)
    mark = _last_event_id(fed)
    _age_events(fed)  # the API run comes later: a repeat within a minute would be one look (tested below)

    other = call(client, fed, "POST", "/cases", 201, json={"national_id": STUDENT})["case_id"]
    call(client, fed, "POST", f"/cases/{other}/fetch", 201)
    call(client, fed, "GET", f"/cases/{other}")
    call(client, fed, "GET", "/cases", params={"national_id": STUDENT})
    by_api = _trail(fed, mark)

    assert by_cli == by_api == [("place_order", actor, STUDENT, "order N"),
                                ("view_recognition_case", actor, STUDENT, "case N"),
                                ("list_recognition_cases", actor, STUDENT, "")]


def test_polling_an_order_within_a_minute_is_one_look(client: TestClient, fed: MiniFederation) -> None:
    api = "/api/institutions/185"
    order = client.post(f"{api}/orders", json={"national_id": STUDENT}, headers=auth(fed, "185")).json()
    for _ in range(5):  # what `exchange order --wait` does
        assert client.get(f"{api}/orders/{order['order_id']}", headers=auth(fed, "185")).status_code == 200
    assert [e[0] for e in _trail(fed)] == ["place_order", "view_order"]
    _age_events(fed)  # a minute later it is a new look
    assert client.get(f"{api}/orders/{order['order_id']}", headers=auth(fed, "185")).status_code == 200
    assert [e[0] for e in _trail(fed)] == ["place_order", "view_order", "view_order"]
