"""Fetching again reports changes; identity history finds old D-numbers; consent is honoured at every step."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import MiniFederation, add_course, add_degree, add_person, add_result, consent
from tests.functional.exchange.conftest import outcomes

from vitnemal.exchange.models import ExternalQualification, ExternalResult
from vitnemal.exchange.service import external_records_view
from vitnemal.identity.models import Person
from vitnemal.records.models import AssessmentResult, Disclosure

PERSON = "01039510010"
OLD_D_NUMBER = "41039510004"  # the same birth date, day + 40


def person_at_185(s: Session) -> int:
    person_id = s.scalar(select(Person.id).where(Person.national_id == PERSON))
    assert person_id is not None
    return person_id


def test_fetching_again_imports_new_and_changed_results_and_reports_them(live_federation) -> None:
    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, PERSON))
        with fed.db("216").session() as s:
            p = add_person(s, PERSON)
            add_result(s, p, add_course(s, "RES-100"), 2014, "VÅR", "C")
            add_result(s, p, add_course(s, "RES-200"), 2014, "HØST", "D")

    live = live_federation(["185", "216"], seed)
    first = live.order("185", PERSON)
    assert outcomes(first) == {"216": ("imported", 2)}
    assert first["changes"] == []  # a first import lists no "changes"

    # The seed's step 12: the source institution registers changes after the first import.
    with live.fed.db("216").session() as s:
        p_id = s.scalar(select(AssessmentResult.person_id).limit(1))
        s.scalars(select(AssessmentResult).where(AssessmentResult.grade == "C")).one().grade = "B"  # appeal
        p = s.get(Person, p_id)
        assert p is not None
        new = add_result(s, p, add_course(s, "RES-300"), 2015, "VÅR", "A")
        add_degree(s, p, "BA-RES", [new], issued=date(2015, 7, 1))

    second = live.order("185", PERSON)
    assert outcomes(second) == {"216": ("imported", 3)}
    kinds = sorted((c["kind"], c["code"]) for c in second["changes"])
    assert kinds == [("improved_grade", "RES-100"), ("new_qualification", "BA-RES"), ("new_result", "RES-300")]
    assert any("C → B" in c["detail"] for c in second["changes"])
    with live.fed.db("185").read_session() as s:
        assert s.scalar(select(func.count(ExternalResult.id))) == 3  # updated in place, never duplicated
        assert s.scalar(select(func.count(ExternalQualification.id))) == 1
        # Person eksternstudium marks the rows the last fetch found new or improved, and only those
        (record,) = external_records_view(s, person_at_185(s))
        assert {r["code"]: r["change"] for r in record["results"]} == {
            "RES-100": "improved_grade", "RES-200": None, "RES-300": "new_result"}
        assert [(q["code"], q["change"], q["courses"]) for q in record["qualifications"]] == [
            ("BA-RES", "new_qualification", ["RES-300"])]
        assert {r["code"]: r["part_of"] for r in record["results"]}["RES-300"] == ["BA-RES"]

    third = live.order("185", PERSON)
    assert third["changes"] == []  # nothing changed since the last fetch
    with live.fed.db("185").read_session() as s:
        (record,) = external_records_view(s, person_at_185(s))
        assert {r["change"] for r in record["results"]} == {None}  # and nothing is highlighted any more


def _seed_old_d_number(known: bool):
    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, PERSON, "Ola", "Utlending", date(1995, 3, 1),
                                  earlier=[OLD_D_NUMBER] if known else None))
        with fed.db("216").session() as s:
            p = add_person(s, OLD_D_NUMBER, "Ola", "Utlending", date(1995, 3, 1))
            add_result(s, p, add_course(s, "NOR100"), 2016, "HØST", "B")
    return seed


def test_results_under_an_old_d_number_are_found_and_the_mismatch_reported(live_federation) -> None:
    live = live_federation(["185", "216"], _seed_old_d_number(known=True))
    order = live.order("185", PERSON)
    assert outcomes(order) == {"216": ("imported", 1)}
    message = order["outcomes"][0]["message"]
    assert OLD_D_NUMBER in message and "update the national id" in message


def test_an_unknown_old_number_is_reported_as_identity_mismatch_not_silently_missed(live_federation) -> None:
    live = live_federation(["185", "216"], _seed_old_d_number(known=False))
    order = live.order("185", PERSON)
    assert outcomes(order) == {"216": ("identity_mismatch", 0)}
    assert "update the national id" in order["outcomes"][0]["message"]
    with live.fed.db("185").read_session() as s:
        assert s.scalar(select(func.count(ExternalResult.id))) == 0


def test_no_consent_refuses_the_order_and_nobody_is_asked(live_federation) -> None:
    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            add_person(s, PERSON)  # registered, never asked
            consent(s, add_person(s, "01039510282"), answer="N")
        with fed.db("216").session() as s:
            add_result(s, add_person(s, PERSON), add_course(s, "X1"), 2016, "HØST", "B")

    live = live_federation(["185", "216"], seed)
    with live.api("185") as api:
        none = api.post("/orders", json={"national_id": PERSON})
        no = api.post("/orders", json={"national_id": "01039510282"})
    assert none.status_code == 422 and "not answered" in none.json()["detail"]
    assert no.status_code == 422 and "answered no (N)" in no.json()["detail"]
    with live.fed.db("216").read_session() as s:
        assert s.scalar(select(func.count(Disclosure.id))) == 0


def test_consent_withdrawn_after_ordering_stops_the_fetch(tmp_path, sqlite_template) -> None:
    import asyncio

    from tests.factories import make_federation

    from vitnemal.exchange import lifecycle, service
    from vitnemal.exchange.order_round import run_round

    fed = make_federation(tmp_path / "fed", ["185", "216"], "http://127.0.0.1:9", template=sqlite_template)
    db = fed.db("185")
    with db.session() as s:
        person = add_person(s, PERSON)
        consent(s, person)
        order = service.place_order(s, national_id=PERSON, ordered_by="t", own_code="185", members=["185", "216"],
                                    now=datetime.now(UTC))
        order_id = order.id
    with db.session() as s:
        consent(s, person, answer="N", at=datetime.now(UTC))
        assert lifecycle.claim_orders(s, owner="w", now=datetime.now(UTC), lease_s=30, limit=5) == [order_id]

    class NeverCalled:
        async def send(self, *a: object) -> None:
            raise AssertionError("a node was asked after consent was withdrawn")

        async def aclose(self) -> None: ...

    from vitnemal.institutions.exchange_keys import load_private_key

    status = asyncio.run(run_round(db=db, order_id=order_id, own="185", owner="w", registry=fed.registry,
                                   key=load_private_key(fed.settings.keys_dir / "185.pem"), client=NeverCalled(),
                                   settings=fed.settings))
    assert status == "done"
    with db.read_session() as s:
        view = service.order_view(service.load_order(s, order_id))  # type: ignore[arg-type]
    assert outcomes(view) == {"216": ("no_consent", 0)}


def test_an_institution_that_left_the_registry_does_not_hold_the_order_forever(tmp_path, sqlite_template) -> None:
    import asyncio

    from tests.factories import make_federation

    from vitnemal.exchange import lifecycle, service
    from vitnemal.exchange.order_round import run_round
    from vitnemal.institutions.exchange_keys import load_private_key

    fed = make_federation(tmp_path / "fed", ["185", "216"], "http://127.0.0.1:9", template=sqlite_template)
    db = fed.db("185")
    with db.session() as s:
        consent(s, add_person(s, PERSON))
        order_id = service.place_order(s, national_id=PERSON, ordered_by="t", own_code="185",
                                       members=["185", "216", "999"], now=datetime.now(UTC)).id
    with db.session() as s:
        lifecycle.claim_orders(s, owner="w", now=datetime.now(UTC), lease_s=30, limit=5)

    class Down:
        async def send(self, *a: object):
            from vitnemal.exchange.outcomes import Reply

            return Reply(None, b"", "connection refused", 1)

        async def aclose(self) -> None: ...

    status = asyncio.run(run_round(db=db, order_id=order_id, own="185", owner="w", registry=fed.registry,
                                   key=load_private_key(fed.settings.keys_dir / "185.pem"), client=Down(),
                                   settings=fed.settings))
    assert status == "waiting"  # 216 is retried tomorrow; 999 is settled now
    with db.read_session() as s:
        view = service.order_view(service.load_order(s, order_id))  # type: ignore[arg-type]
    states = {o["institution"]: (o["outcome"], o["state"]) for o in view["outcomes"]}
    assert states == {"216": ("unavailable", "retry"), "999": ("unavailable", "final")}
