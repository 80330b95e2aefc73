"""Recognition cases on both engines: open, fetch (a real exchange, answered in-process), recognise, decide."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tests.factories import MiniFederation
from tests.functional.recognition.conftest import STUDENT

from vitnemal.institutions.host import LocalInstitutions
from vitnemal.recognition import service
from vitnemal.recognition.local_exchange import run_order_now
from vitnemal.recognition.models import DONE, OPEN, REFUSED
from vitnemal.web.i18n import translations

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


def fetched_case(fed: MiniFederation) -> tuple[int, dict[str, int]]:
    """A case for the student with the HiSF results fetched into it; returns (case id, result ids by code)."""
    with fed.db("185").session() as s:
        case = service.open_case(s, national_id="010395 12374", opened_by="sb@uio", now=NOW,
                                 qualification_code="MA-INF")
        order = service.fetch_external(s, case.id, ordered_by="sb@uio", own_code="185",
                                       members=fed.registry.codes(), now=datetime.now(UTC))
        case_id, order_id = case.id, order.id
    host = LocalInstitutions.open(fed.settings)
    try:
        assert run_order_now(host, "185", order_id) == "done"
    finally:
        host.close()
    with fed.db("185").read_session() as s:
        case = service.get_case(s, case_id)
        assert case.order is not None and case.order.status == "done"
        ids = {r["code"]: r["id"] for r in service.external_results(s, case.person_id)}
    return case_id, ids


def test_open_fetch_recognise_decide(fed: MiniFederation) -> None:
    case_id, ids = fetched_case(fed)
    assert set(ids) == {"EXPHIL", "DAT200", "DAT310", "DAT320"}
    with fed.db("185").session() as s:
        course = service.recognise_result(s, case_id, external_result_id=ids["DAT310"], toward="MA-INF",
                                          by="sb@uio", now=NOW, group="Valgfrie emner")
        part = service.recognise_result(s, case_id, external_result_id=ids["DAT320"], toward="MA-INF", by="sb@uio",
                                        now=NOW, credits_counted="5")
        block = service.recognise_block(s, case_id, title="Fordypning i programvareutvikling", credits="20",
                                        institution_name="Høgskulen i Sogn og Fjordane", institution_code="216",
                                        term="2018 HØST", toward="MA-INF", by="sb@uio", now=NOW)
        assert (course.code, course.institution_code, course.institution_name, course.credits) == (
            "DAT310", "216", "Høgskulen i Sogn og Fjordane", Decimal(10))
        assert (course.year, course.season, course.recognised_by) == (2018, "VÅR", "sb@uio")
        assert part.credits_counted == Decimal(5)
        assert (block.kind, block.code, block.year, block.season) == ("block", None, 2018, "HØST")
        # a course that is part of the HiSF bachelor: allowed, with a warning for the case worker
        assert "part of Bachelor BA-DAT" in str(service.result_warnings(s, ids["DAT200"])[0])
        assert service.recognitions_for(s, service.get_case(s, case_id).person_id, "MA-INF") == []  # not decided
        case = service.decide(s, case_id, status="FERDIG", by="leder@uio", now=NOW)
        assert (case.status, case.decided_by) == (DONE, "leder@uio")
        counted = service.recognitions_for(s, case.person_id, "MA-INF")
        assert [i.code for i in counted] == ["DAT310", "DAT320", None]
        assert service.recognitions_for(s, case.person_id, "MA-FYS") == []
        view = service.case_view(service.get_case(s, case_id))
        assert view["status"] == "FERDIG" and view["order"]["label"].startswith("Bestilt ")
        assert [i["credits_counted"] for i in view["items"]] == [None, "5", None]


def test_refusals_say_what_to_do(fed: MiniFederation) -> None:
    case_id, ids = fetched_case(fed)
    with fed.db("185").session() as s:
        with pytest.raises(service.RecognitionError, match="already open"):
            service.open_case(s, national_id=STUDENT, opened_by="x", now=NOW, qualification_code="MA-INF")
        with pytest.raises(service.RecognitionError, match=r"is registered here\. Register the person first"):
            service.open_case(s, national_id="01536112185", opened_by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="not among Kari Nordmann's imported results"):
            service.recognise_result(s, case_id, external_result_id=999999, toward="MA-INF", by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="Give the qualification"):
            service.recognise_result(s, case_id, external_result_id=ids["DAT310"], toward=" ", by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="cannot count"):
            service.recognise_result(s, case_id, external_result_id=ids["DAT310"], toward="MA-INF", by="x", now=NOW,
                                     credits_counted="12")
        with pytest.raises(service.RecognitionError, match="not a number of credits"):
            service.recognise_block(s, case_id, title="Blokk", institution_name="HiSF", credits="mange",
                                    toward="MA-INF", by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="not a term"):
            service.recognise_block(s, case_id, title="Blokk", institution_name="HiSF", credits="10",
                                    term="sommer", toward="MA-INF", by="x", now=NOW)
        service.recognise_result(s, case_id, external_result_id=ids["DAT310"], toward="MA-INF", by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="already recognised toward MA-INF"):
            service.recognise_result(s, case_id, external_result_id=ids["DAT310"], toward="MA-INF", by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="is not a decision"):
            service.decide(s, case_id, status="OK", by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="needs its reason"):
            service.decide(s, case_id, status="AVSLÅTT", by="x", now=NOW)
        with pytest.raises(service.CaseNotFound):
            service.get_case(s, 424242)


def test_withdraw_and_refuse(fed: MiniFederation) -> None:
    case_id, ids = fetched_case(fed)
    with fed.db("185").session() as s:
        item = service.recognise_result(s, case_id, external_result_id=ids["DAT310"], toward="MA-INF", by="a",
                                        now=NOW)
        service.withdraw(s, case_id, item.id, by="b", now=NOW)
        assert (item.withdrawn_by, item.withdrawn_at) == ("b", NOW)
        with pytest.raises(service.RecognitionError, match="recognises nothing"):
            service.decide(s, case_id, status="FERDIG", by="x", now=NOW)
        case = service.decide(s, case_id, status="avslått", by="leder", now=NOW, note="Emnet overlapper med INF1010.")
        assert case.status == REFUSED and case.decision_note == "Emnet overlapper med INF1010."
        with pytest.raises(service.RecognitionError, match="is AVSLÅTT: its decisions are final"):
            service.recognise_block(s, case_id, title="X", institution_name="Y", credits=10, toward="MA-INF",
                                    by="x", now=NOW)
        assert service.recognitions_for(s, case.person_id, "MA-INF") == []
        again = service.open_case(s, national_id=STUDENT, opened_by="x", now=NOW, qualification_code="MA-INF")
        assert again.status == OPEN


def test_fetch_needs_consent(fed: MiniFederation) -> None:
    with fed.db("185").session() as s:
        case = service.open_case(s, national_id="19588312510", opened_by="x", now=NOW)
        with pytest.raises(service.RecognitionError, match="consent") as refused:
            service.fetch_external(s, case.id, ordered_by="x", own_code="185", members=["185", "216"], now=NOW)
    # the code says which refusal it is (never answered), and Norwegian readers get it in Norwegian
    assert refused.value.as_json()["code"] == "no_consent"
    assert "har ikke svart på spørsmålet om resultatutveksling" in refused.value.said(translations("nb").upgettext)
    assert "har ikkje svart på spørsmålet om resultatutveksling" in refused.value.said(translations("nn").upgettext)


def test_running_an_order_now_takes_over_one_left_behind_by_a_dead_worker(fed: MiniFederation) -> None:
    """The in-process run claims by the worker's rule: an expired lease is taken over, not waited for."""
    from datetime import timedelta

    from vitnemal.exchange import lifecycle

    with fed.db("185").session() as s:
        case = service.open_case(s, national_id="010395 12374", opened_by="sb@uio", now=NOW,
                                 qualification_code="MA-INF")
        order_id = service.fetch_external(s, case.id, ordered_by="sb@uio", own_code="185",
                                          members=fed.registry.codes(), now=datetime.now(UTC)).id
    with fed.db("185").session() as s:  # a worker claimed it an hour ago and died
        assert lifecycle.claim_order(s, order_id, owner="dead-worker", now=datetime.now(UTC) - timedelta(hours=1),
                                     lease_s=60)
    host = LocalInstitutions.open(fed.settings)
    try:
        assert run_order_now(host, "185", order_id, timeout_s=10) == "done"
    finally:
        host.close()
