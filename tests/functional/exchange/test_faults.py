"""Faulty nodes: each gets its own outcome, nothing from it is imported, and the others' results are imported."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI, Request, Response
from sqlalchemy import func, select
from tests.factories import MiniFederation, add_course, add_person, add_result, consent
from tests.functional.exchange.conftest import outcomes

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange.models import ExternalResult, ExternalStudyRecord
from vitnemal.institutions.exchange_keys import generate_key, load_private_key
from vitnemal.node.protocol import NodeAnswer, sign
from vitnemal.records.models import Disclosure

PERSON = "01039510010"
OTHER = "01039510282"


def faulty_node_app(keys_dir: Path) -> FastAPI:
    """Nodes that misbehave in the ways the issue lists, one behaviour per institution code."""
    app = FastAPI()
    impostor = generate_key()

    def answer_for(code: str, body: bytes, subject: str) -> NodeAnswer:
        payload = json.loads(__import__("base64").urlsafe_b64decode(body.split(b".")[1] + b"=="))
        return NodeAnswer(node=code, requester=payload["iss"], in_reply_to=payload["jti"], issued_at=int(time.time()),
                          subject=subject, status="ok", results=[{
                              "key": "STOLEN|2020|VÅR", "course_code": "STOLEN", "name_nb": "x", "name_en": "x",
                              "year": 2020, "season": "VÅR", "credits": "10", "grade": "A"}])

    @app.post("/nodes/{code}/exchange/v1/results")
    async def results(code: str, request: Request) -> Response:
        body = await request.body()
        if code == "302":  # hangs past the deadline
            await asyncio.sleep(5)
        if code == "303":  # garbled
            return Response(b'{"status": "ok", "results": [', media_type="application/json")
        if code == "304":  # valid-looking answer, signed by a key that is not 304's
            return Response(sign(answer_for(code, body, PERSON).payload(), code, impostor))
        if code == "305":  # correctly signed, but about another person
            key = load_private_key(keys_dir / f"{code}.pem")
            return Response(sign(answer_for(code, body, OTHER).payload(), code, key))
        return Response(status_code=500)

    return app


def test_each_fault_gets_its_own_outcome_and_imports_nothing(live_federation, tmp_path: Path) -> None:
    faulty = BackgroundServer(faulty_node_app(tmp_path / "fed" / "keys"))
    closed_port = free_port()

    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, PERSON))
        with fed.db("216").session() as s:
            add_result(s, add_person(s, PERSON), add_course(s, "GOOD100"), 2020, "HØST", "A")
        entries = fed.registry.institutions
        entries["301"] = replace(entries["301"], node_url=f"http://127.0.0.1:{closed_port}/nodes/301")
        for code in ("302", "303", "304", "305"):
            entries[code] = replace(entries[code], node_url=f"{faulty.url}/nodes/{code}")
        fed.registry.save(fed.settings.registry_path)

    with faulty:
        live = live_federation(["185", "216", "301", "302", "303", "304", "305"], seed, node_timeout_s=2.5)
        order = live.order("185", PERSON)

    got = outcomes(order)
    assert got == {
        "216": ("imported", 1),
        "301": ("unavailable", 0),
        "302": ("unavailable", 0),
        "303": ("invalid_answer", 0),
        "304": ("invalid_answer", 0),
        "305": ("identity_mismatch", 0),
    }
    messages = {o["institution"]: o["message"] for o in order["outcomes"]}
    assert "within 2.5 s" in messages["302"]  # cut off at its deadline, not waited for
    assert "signature does not verify" in messages["304"]
    assert "another person" in messages["305"]
    # The down and hanging nodes are asked again the next day; the order waits for them and nothing else.
    assert order["status"] == "waiting"
    retry = {o["institution"]: o for o in order["outcomes"] if o["state"] == "retry"}
    assert set(retry) == {"301", "302"}
    with live.fed.db("185").read_session() as s:
        codes = s.scalars(select(ExternalResult.course_code)).all()
        sources = s.scalars(select(ExternalStudyRecord.source_code)).all()
    assert codes == ["GOOD100"]
    assert sources == ["216"]


def test_down_node_is_retried_later_without_asking_the_others_again(live_federation) -> None:
    revived_port = free_port()

    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, PERSON))
        for code in ("216", "214"):
            with fed.db(code).session() as s:
                add_result(s, add_person(s, PERSON), add_course(s, f"C{code}"), 2021, "VÅR", "B")
        entries = fed.registry.institutions
        entries["214"] = replace(entries["214"], node_url=f"http://127.0.0.1:{revived_port}/nodes/214")
        fed.registry.save(fed.settings.registry_path)

    live = live_federation(["185", "216", "214"], seed, retry_after_s=1.5, poll_interval_s=0.1)
    order = live.order("185", PERSON)
    assert outcomes(order) == {"216": ("imported", 1), "214": ("unavailable", 0)}
    assert order["status"] == "waiting"
    # 214 comes back up (its own node host on the port the registry names) before the retry is due.
    from vitnemal.web.app import create_app

    with BackgroundServer(create_app(live.fed.settings, codes=["214"]), port=revived_port):
        deadline = time.monotonic() + 15
        with live.api("185") as api:
            while order["status"] != "done":
                assert time.monotonic() < deadline, order
                time.sleep(0.1)
                order = api.get(f"/orders/{order['order_id']}").json()
    assert outcomes(order) == {"216": ("imported", 1), "214": ("imported", 1)}
    attempts = {o["institution"]: o["attempts"] for o in order["outcomes"]}
    assert attempts == {"216": 1, "214": 2}
    with live.fed.db("216").read_session() as s:
        assert s.scalar(select(func.count(Disclosure.id))) == 1  # 216 was asked once only


def test_reserved_and_not_sharing_institutions_and_unreleased_degree(live_federation) -> None:
    from tests.factories import add_degree

    from vitnemal.records.models import ExchangeSettings

    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, PERSON))
        for code in ("216", "214", "184"):
            with fed.db(code).session() as s:
                p = add_person(s, PERSON)
                r = add_result(s, p, add_course(s, f"C{code}"), 2021, "VÅR", "B")
                if code == "184":
                    s.delete(r)  # only the degree, whose diploma is not issued yet
                    s.flush()
                    add_degree(s, p, "BA", [], issued=None)
        with fed.db("216").session() as s:
            s.scalars(select(ExchangeSettings)).one().reserved = True
        with fed.db("214").session() as s:
            s.scalars(select(ExchangeSettings)).one().module_active = False

    live = live_federation(["185", "216", "214", "184"], seed)
    order = live.order("185", PERSON)
    assert outcomes(order) == {"216": ("reserved", 0), "214": ("not_sharing", 0), "184": ("degree_not_released", 0)}
    assert order["status"] == "done"


NESTED = b"[" * 100_000 + b"]" * 100_000


def hostile_node_app(keys_dir: Path) -> FastAPI:
    """Nodes whose replies could crash a parser: nested JSON unsigned and signed, and an answer that cannot be
    stored (two qualifications under one key)."""
    from joserfc import jws

    app = FastAPI()

    def signed(code: str, payload: bytes) -> Response:
        key = load_private_key(keys_dir / f"{code}.pem")
        return Response(jws.serialize_compact({"alg": "ES256", "kid": code, "typ": "vitnemal+jws"}, payload, key))

    @app.post("/nodes/{code}/exchange/v1/results")
    async def results(code: str, request: Request) -> Response:
        body = await request.body()
        if code == "306":  # an unsigned refusal nested 100,000 deep
            return Response(b'{"detail": ' + NESTED + b"}", status_code=400, media_type="application/json")
        if code == "307":  # signed by the node's own key, nested 100,000 deep
            return signed(code, b'{"status": "ok", "results": ' + NESTED + b"}")
        payload = json.loads(__import__("base64").urlsafe_b64decode(body.split(b".")[1] + b"=="))
        degree = {"key": "BA", "code": "BA", "name_nb": "x", "name_en": "x", "credits": "180",
                  "award_date": "2020-06-01", "diploma_issued_on": "2020-07-01", "courses": []}
        answer = NodeAnswer(node=code, requester=payload["iss"], in_reply_to=payload["jti"],
                            issued_at=int(time.time()), subject=PERSON, status="ok", qualifications=[degree, degree])
        return signed(code, json.dumps(answer.payload()).encode())  # 308: well-formed, but cannot be stored

    return app


def test_nested_or_unstorable_replies_are_their_nodes_outcomes_and_the_order_finishes(live_federation,
                                                                                   tmp_path: Path) -> None:
    hostile = BackgroundServer(hostile_node_app(tmp_path / "fed" / "keys"))

    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, PERSON))
        for code in ("216", "214"):
            with fed.db(code).session() as s:
                add_result(s, add_person(s, PERSON), add_course(s, f"C{code}"), 2021, "VÅR", "B")
        entries = fed.registry.institutions
        for code in ("306", "307", "308"):
            entries[code] = replace(entries[code], node_url=f"{hostile.url}/nodes/{code}")
        fed.registry.save(fed.settings.registry_path)

    with hostile:
        live = live_federation(["185", "216", "214", "306", "307", "308"], seed)
        order = live.order("185", PERSON)

    assert order["status"] == "done"
    assert outcomes(order) == {"216": ("imported", 1), "214": ("imported", 1), "306": ("refused", 0),
                               "307": ("invalid_answer", 0), "308": ("invalid_answer", 0)}
    messages = {o["institution"]: o["message"] for o in order["outcomes"]}
    assert "nested deeper than" in messages["307"]
    assert "could not be stored" in messages["308"]
    with live.fed.db("185").read_session() as s:
        assert sorted(s.scalars(select(ExternalStudyRecord.source_code)).all()) == ["214", "216"]
    for code in ("216", "214"):  # the healthy nodes were asked once: no round was lost and started again
        with live.fed.db(code).read_session() as s:
            assert s.scalar(select(func.count(Disclosure.id))) == 1
