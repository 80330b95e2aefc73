"""`vitnemal exchange order/status/records` against a running server, as a case worker uses them."""

from __future__ import annotations

import json
import re

from tests.functional.exchange.test_order_end_to_end import seed_test_persons
from typer.testing import CliRunner

from vitnemal.cli import app


def test_order_wait_json_status_and_records(live_federation) -> None:
    live = live_federation(["185", "216", "214"], seed_test_persons)
    runner = CliRunner()
    env = {"VITNEMAL_TOKEN": live.fed.tokens["185"]}
    args = ["--for", "185", "--api", live.server.url]
    result = runner.invoke(app, ["exchange", "order", "015361", "12185", *args, "--wait", "--json"], env=env)
    assert result.exit_code == 0, result.output
    order = json.loads(result.stdout)
    assert order["status"] == "done"
    assert {"institution": "216", "outcome": "imported", "results": 1}.items() <= order["outcomes"][1].items()

    status = runner.invoke(app, ["exchange", "status", str(order["order_id"]), *args], env=env)
    assert status.exit_code == 0
    assert "Høgskulen i Sogn og Fjordane: 1 resultat er hentet inn." in status.stdout
    assert "Ingen resultater for personen ved Høgskolen i Nord-Trøndelag." in status.stdout
    assert "imported" not in status.stdout and "no_results" not in status.stdout  # codes only in --json
    english = runner.invoke(app, ["exchange", "status", str(order["order_id"]), *args, "--lang", "en"], env=env)
    assert "Finished" in english.stdout and ": 1 result imported." in english.stdout

    records = runner.invoke(app, ["exchange", "records", "01536112185", *args], env=env)
    assert records.exit_code == 0
    assert "RES-100" in records.stdout and "2014 VÅR" in records.stdout


def test_refusals_are_explained(live_federation) -> None:
    live = live_federation(["185", "216", "214"], seed_test_persons)
    runner = CliRunner()
    args = ["--for", "185", "--api", live.server.url]
    env = {"VITNEMAL_TOKEN": live.fed.tokens["185"]}
    bad = runner.invoke(app, ["exchange", "order", "01536112186", *args], env=env)
    assert bad.exit_code == 1
    assert "check digit" in bad.stderr
    unknown = runner.invoke(app, ["exchange", "order", "01039510010", *args], env=env)
    assert unknown.exit_code == 1 and "not registered" in unknown.stderr
    wrong_token = runner.invoke(app, ["exchange", "order", "01536112185", *args],
                                env={"VITNEMAL_TOKEN": live.fed.tokens["216"]})
    assert wrong_token.exit_code == 1 and "401" in wrong_token.stderr
    down = runner.invoke(app, ["exchange", "status", "--for", "185", "--api", "http://127.0.0.1:9"], env=env)
    assert down.exit_code == 1 and "Ingen server svarer på http://127.0.0.1:9" in down.stderr
    down = runner.invoke(app, ["exchange", "status", "--for", "185", "--api", "http://127.0.0.1:9", "--lang", "en"],
                         env=env)
    assert down.exit_code == 1 and "No server answers" in down.stderr


def test_an_unknown_institution_is_named_as_such(live_federation) -> None:
    live = live_federation(["185", "216", "214"], seed_test_persons)
    env = {"VITNEMAL_HOME": str(live.fed.settings.home), "VITNEMAL_TOKEN": live.fed.tokens["185"]}
    result = CliRunner().invoke(app, ["exchange", "status", "--for", "999", "--api", live.server.url], env=env)
    assert result.exit_code == 1 and "Ukjent institusjon 999" in result.stderr


def test_wait_on_an_order_left_waiting_says_when_and_exits_3(live_federation) -> None:
    from dataclasses import replace

    from vitnemal.devtools.postgres import free_port

    closed_port = free_port()

    def seed(fed) -> None:  # 214 is registered but nothing answers at its address
        seed_test_persons(fed)
        entries = fed.registry.institutions
        entries["214"] = replace(entries["214"], node_url=f"http://127.0.0.1:{closed_port}/nodes/214")
        fed.registry.save(fed.settings.registry_path)

    live = live_federation(["185", "216", "214"], seed)
    env = {"VITNEMAL_HOME": str(live.fed.settings.home), "VITNEMAL_TOKEN": live.fed.tokens["185"]}
    args = ["--for", "185", "--api", live.server.url]
    result = CliRunner().invoke(app, ["exchange", "order", "01536112185", *args, "--wait"], env=env)
    assert result.exit_code == 3, result.output
    printed = " ".join(result.stdout.split())  # as read, whatever the terminal's width
    assert re.search(r"Venter på nytt forsøk \d\d\.\d\d\.\d{4} \d\d:\d\d: alle har svart unntatt "
                     r"Høgskolen i Nord-Trøndelag\.", printed), printed
    assert re.search(r"Høgskolen i Nord-Trøndelag svarte ikke nå; spørres automatisk på nytt \d\d\.", printed)
    assert "ClientConnectorError" not in result.stdout  # the raw error is only in --json
    as_json = CliRunner().invoke(app, ["exchange", "order", "19588312510", *args, "--wait", "--json"], env=env)
    assert as_json.exit_code == 3
    down = {o["institution"]: o for o in json.loads(as_json.stdout)["outcomes"]}["214"]
    assert down["outcome"] == "unavailable" and down["state"] == "retry" and "Cannot connect" in down["message"]


def test_every_look_at_personal_data_is_audited(live_federation) -> None:
    live = live_federation(["185", "216", "214"], seed_test_persons)
    order = live.order("185", "01536112185")
    with live.api("185") as api:
        api.get("/people/01536112185/external-records").raise_for_status()
        events = api.get("/people/01536112185/audit").json()
    actions = [e["action"] for e in events]
    assert actions[0] == "view_external_records"
    assert "place_order" in actions and "view_order" in actions
    assert all(e["actor"] == "saksbehandler@uio" for e in events)
    assert any(e["detail"] == f"order {order['order_id']}" for e in events)


def test_orders_are_found_by_an_earlier_id_and_huge_ids_are_a_clear_422(live_federation) -> None:
    from tests.factories import add_person, consent

    def seed(fed) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, "01039510010", earlier=["41039510004"]))

    live = live_federation(["185", "216"], seed)
    order = live.order("185", "01039510010")
    with live.api("185") as api:
        found = api.get("/orders", params={"national_id": "41039510004"}).json()
        too_big = api.get("/orders/99999999999999999999999")
    assert [o["order_id"] for o in found] == [order["order_id"]]
    assert too_big.status_code == 422
