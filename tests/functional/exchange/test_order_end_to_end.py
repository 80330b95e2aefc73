"""The golden path of the exchange over real HTTP: the seed's test persons and a bachelor/master history."""

from __future__ import annotations

from datetime import date

from tests.factories import MiniFederation, add_course, add_degree, add_person, add_result, consent
from tests.functional.exchange.conftest import outcomes


def seed_test_persons(fed: MiniFederation) -> None:
    with fed.db("185").session() as s:
        consent(s, add_person(s, "01536112185", "Testperson1", "Resultatutveksling", date(1961, 3, 1)))
        consent(s, add_person(s, "19588312510", "Testperson2", "Resultatutveksling", date(1983, 8, 19)))
    with fed.db("216").session() as s:
        p = add_person(s, "01536112185", "Testperson1", "Resultatutveksling", date(1961, 3, 1))
        add_result(s, p, add_course(s, "RES-100", "10", name_nb="Resultatutveksling 100"), 2014, "VÅR", "B")
    with fed.db("214").session() as s:
        p = add_person(s, "19588312510", "Testperson2", "Resultatutveksling", date(1983, 8, 19))
        add_result(s, p, add_course(s, "RES-OAL", "7.5", scale="pass_fail"), 2014, "HØST", "Bestått")


def test_seed_test_persons_fetch_their_course(live_federation) -> None:
    live = live_federation(["185", "216", "214", "184"], seed_test_persons)
    first = live.order("185", "015361 12185")
    assert first["status"] == "done"
    assert first["label"].startswith("Bestilt ")
    assert outcomes(first) == {"216": ("imported", 1), "214": ("no_results", 0), "184": ("no_results", 0)}
    second = live.order("185", "19588312510")
    assert outcomes(second)["214"] == ("imported", 1)
    with live.api("185") as api:
        records = api.get("/people/01536112185/external-records").json()
    assert [r["institution"] for r in records] == ["216"]
    assert records[0]["results"][0]["code"] == "RES-100"
    assert records[0]["results"][0]["term"] == "2014 VÅR"
    assert records[0]["results"][0]["grade"] == "B"


def test_degree_keeps_its_courses_and_unissued_degree_is_withheld(live_federation) -> None:
    def seed(fed: MiniFederation) -> None:
        with fed.db("185").session() as s:
            consent(s, add_person(s, "01039510010"))
        with fed.db("216").session() as s:
            p = add_person(s, "01039510010")
            r1 = add_result(s, p, add_course(s, "EXPHIL03", kind="exphil"), 2017, "HØST", "C")
            r2 = add_result(s, p, add_course(s, "INF100"), 2018, "VÅR", "A")
            add_result(s, p, add_course(s, "INF200"), 2018, "VÅR", "F")
            add_degree(s, p, "BA-INF", [r1, r2], issued=date(2020, 7, 1))
        with fed.db("214").session() as s:
            p = add_person(s, "01039510010")
            r = add_result(s, p, add_course(s, "MAS300", "60", kind="thesis"), 2024, "VÅR", "B",
                           thesis_title="Om resultatutveksling")
            add_degree(s, p, "MA-X", [r], level="master", issued=None)
    live = live_federation(["185", "216", "214"], seed)
    order = live.order("185", "01039510010")
    got = outcomes(order)
    assert got["216"] == ("imported", 2)  # the failed INF200 is not a passed result
    assert got["214"] == ("imported", 1)
    by_code = {o["institution"]: o for o in order["outcomes"]}
    assert by_code["216"]["qualifications"] == 1
    assert by_code["214"]["qualifications"] == 0
    assert "not issued" in by_code["214"]["message"]
    with live.api("185") as api:
        records = {r["institution"]: r for r in api.get("/people/01039510010/external-records").json()}
    assert records["216"]["qualifications"][0]["courses"] == ["EXPHIL03", "INF100"]
    assert records["214"]["results"][0]["thesis_title"] == "Om resultatutveksling"
    assert records["214"]["qualifications"] == []
