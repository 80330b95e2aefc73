"""The case worker's pages over real HTTP: find the person, open the case, Hent ekstern norsk utdanning, the
outcomes, Resultatbestilling, Person eksternstudium, recognise and decide; refusals said on the page; every look
at the external results in the audit log; step 12's change highlighted on the next fetch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select
from tests.case_helpers import TP1, TP2, seed_test_persons, wait_for_outcomes
from tests.factories import add_course, add_result
from tests.staff_helpers import StaffSite, csrf, log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.identity.models import Person
from vitnemal.recognition.models import RecognitionCase
from vitnemal.web import longpoll

CODES = ("185", "216", "214")
CASES = "/institutions/185/cases"


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    with staff_site(tmp_path_factory.mktemp("cases") / "fed", sqlite_template, CODES, with_worker=True) as s:
        seed_test_persons(s.db, CODES)
        yield s


@contextmanager
def logged_in(site: StaffSite, user: str = "saksbehandler@uio.no") -> Iterator[tuple[httpx.Client, str]]:
    with site.client() as client:
        yield client, _log_in(client, user)


def _log_in(client: httpx.Client, user: str) -> str:
    landed = log_in_staff(client, user, CASES)
    assert landed.status_code == 200 and landed.url.path == CASES, (landed.status_code, landed.url)
    return csrf(landed.text)


def open_case(client: httpx.Client, token: str, nid: str) -> str:
    found = client.get(CASES, params={"q": nid[:6] + " " + nid[6:]})
    assert found.status_code == 200 and "Resultatutveksling" in found.text
    opened = client.post(CASES, data={"csrf_token": token, "national_id": nid, "qualification_code": "MA-INF"})
    assert opened.status_code == 200 and re.fullmatch(r"/institutions/185/cases/\d+", opened.url.path), opened.url
    assert "BEHANDLES" in opened.text
    return opened.url.path


def fetch(client: httpx.Client, token: str, case: str) -> httpx.Response:
    page = client.post(case + "/fetch", data={"csrf_token": token})
    assert page.status_code == 200 and page.url.path == case
    assert re.search(r"Bestilt \d\d\.\d\d\.\d{4} \d\d:\d\d", page.text), "the order's time is on the page at once"
    (url,) = re.findall(r'data-url="([^"]+outcomes\.json)"', page.text)
    state = wait_for_outcomes(client, url)
    assert state["pending"] == 0 and state["total"] == 2
    return client.get(case)


def test_the_seeds_routine_open_fetch_look_recognise_decide(site: StaffSite) -> None:
    with logged_in(site) as (client, token):
        case = open_case(client, token, TP1)
        page = fetch(client, token, case)
        assert "Høgskulen i Sogn og Fjordane: 1 resultat er hentet inn." in page.text
        assert "har ingen beståtte resultater for personen" in page.text  # 214 holds nothing for Testperson1
        assert "RES-100" in page.text

        orders = client.get("/institutions/185/orders", params={"status": "done"})
        assert orders.status_code == 200 and "Testperson1 Resultatutveksling" in orders.text
        assert "Testperson1" not in client.get("/institutions/185/orders", params={"status": "queued"}).text
        order_link = re.search(r'href="(/institutions/185/orders/\d+)"', orders.text)
        assert order_link and "1 resultat er hentet inn" in client.get(order_link.group(1)).text

        ext_link = re.search(r'href="(/institutions/185/people/\d+/external)"', page.text)
        assert ext_link
        external = client.get(ext_link.group(1))
        assert external.status_code == 200
        assert all(t in external.text for t in ("RES-100", "Resultatutveksling 100", "Results exchange 100",
                                                "2014 HØST", ">C<"))
        assert "case-changed" not in external.text  # a first fetch highlights nothing

        (result_id,) = re.findall(r'name="result" value="(\d+)"', page.text)
        recognised = client.post(case + "/items", data={"csrf_token": token, "kind": "result", "result": result_id,
                                                         "toward": "MA-INF", "note": "Tilsvarer INF1000"})
        assert recognised.status_code == 200 and "Tilsvarer INF1000" in recognised.text
        assert "saksbehandler@uio.no" in recognised.text
        decided = client.post(case + "/decision", data={"csrf_token": token, "status": "FERDIG", "note": ""})
        assert decided.status_code == 200 and "FERDIG" in decided.text
        assert "Hent ekstern norsk utdanning</button>" not in decided.text  # a decided case is final
    with site.db("185").read_session() as s:
        events = s.execute(select(AuditEvent.actor, AuditEvent.action).where(
            AuditEvent.subject_national_id == TP1)).all()
        row = s.scalar(select(RecognitionCase).where(RecognitionCase.status == "FERDIG"))
        assert row is not None and row.decided_by == "saksbehandler@uio.no" and row.decided_at is not None
    actions = {a for actor, a in events if actor == "saksbehandler@uio.no"}
    assert {"search_people", "place_order", "view_order", "view_recognition_case", "view_external_records",
            "list_orders"} <= actions


def test_refusals_are_said_on_the_page_and_change_nothing(site: StaffSite) -> None:
    with logged_in(site) as (client, token):
        case = open_case(client, token, TP2)
        refused = client.post(case + "/decision", data={"csrf_token": token, "status": "AVSLÅTT", "note": " "})
        assert refused.status_code == 422 and "Et avslag (AVSLÅTT) må begrunnes" in refused.text
        assert "Ingenting ble lagret" in refused.text
        empty = client.post(case + "/items", data={"csrf_token": token, "kind": "result", "toward": "MA-INF"})
        assert empty.status_code == 422 and "Velg minst ett eksternt resultat" in empty.text
        again = client.post(CASES, data={"csrf_token": token, "national_id": TP2, "qualification_code": "MA-INF"})
        assert again.status_code == 422 and "er allerede åpen for Testperson2 Resultatutveksling" in again.text
        no_token = client.post(case + "/decision", data={"status": "FERDIG"})
        assert no_token.status_code == 403
        refused_for_real = client.post(case + "/decision", data={"csrf_token": token, "status": "AVSLÅTT",
                                                                 "note": "Ikke relevant for graden"})
        assert refused_for_real.status_code == 200 and "AVSLÅTT" in refused_for_real.text
        assert "Ikke relevant for graden" in refused_for_real.text
        # ending a case keeps it and its history: still listed, still open to read
        assert case.rsplit("/", 1)[1] in client.get(CASES, params={"status": "AVSLÅTT"}).text


def test_step_12_a_change_at_hisf_is_highlighted_on_the_next_fetch(site: StaffSite) -> None:
    with logged_in(site) as (client, token):
        case = open_case(client, token, TP1)
        fetch(client, token, case)
        with site.db("216").session() as s:
            person = s.scalar(select(Person).where(Person.national_id == TP1))
            assert person is not None
            add_result(s, person, add_course(s, "RES-200", name_nb="Resultatutveksling 200"), 2025, "HØST", "A")
        page = fetch(client, token, case)
        assert "Høgskulen i Sogn og Fjordane: nytt resultat RES-200." in page.text
        ext_link = re.search(r'href="(/institutions/185/people/\d+/external)"', page.text)
        assert ext_link
        external = client.get(ext_link.group(1)).text
        changed = re.findall(r'<tr class="case-changed">(.*?)</tr>', external, re.S)
        assert len(changed) == 1 and "RES-200" in changed[0] and "Nytt resultat" in changed[0]


REFUSALS = {  # the page's language → (a closed case, a course not among the imported results, its alert's heading)
    "nb": ("er AVSLÅTT: vedtakene er endelige. Opprett en ny sak", "Eksternt resultat 999999 er ikke blant "
           "resultatene som er hentet inn for Testperson2 Resultatutveksling", "Ingenting ble lagret"),
    "nn": ("er AVSLÅTT: vedtaka er endelege. Opprett ei ny sak", "Eksternt resultat 999999 er ikkje blant "
           "resultata som er henta inn for Testperson2 Resultatutveksling", "Ingenting vart lagra"),
    "en": ("is AVSLÅTT: its decisions are final. Open a new case", "External result 999999 is not among "
           "Testperson2 Resultatutveksling&#39;s imported results", "Nothing was saved"),
}


@pytest.mark.parametrize("lang", sorted(REFUSALS))
def test_refusals_are_said_in_the_pages_language(site: StaffSite, lang: str) -> None:
    closed_text, unknown_text, heading = REFUSALS[lang]
    with logged_in(site) as (client, token):
        assert client.get(CASES, params={"lang": lang}).status_code == 200  # the language is remembered
        case = open_case(client, token, TP2)
        unknown = client.post(case + "/items", data={"csrf_token": token, "kind": "result", "toward": "MA-INF",
                                                     "result": "999999"})
        assert unknown.status_code == 422 and unknown_text in unknown.text and heading in unknown.text
        assert f'<html lang="{lang}"' in unknown.text
        assert client.post(case + "/decision", data={"csrf_token": token, "status": "AVSLÅTT",
                                                     "note": "Ikke relevant"}).status_code == 200
        closed = client.post(case + "/fetch", data={"csrf_token": token})
        assert closed.status_code == 422 and closed_text in closed.text
        assert "is AVSLÅTT" in closed.text if lang == "en" else "its decisions are final" not in closed.text


def test_the_outcomes_wait_for_news_and_the_page_costs_no_request_for_its_script(
        site: StaffSite, monkeypatch: pytest.MonkeyPatch) -> None:
    with logged_in(site) as (client, token):
        # An order of its own (the test runs alone or on another worker than the tests above), then that order on
        # its own page, which shows the outcomes as the case page does.
        fetch(client, token, open_case(client, token, TP2))
        orders = client.get("/institutions/185/orders", params={"status": "done"}).text
        page = client.get(re.findall(r'href="(/institutions/185/orders/\d+)"', orders)[-1])
        (url,) = re.findall(r'data-url="([^"]+outcomes\.json)"', page.text)
        assert 'data-answered="2" data-status="done"' in page.text, "every order here asked 216 and 214"
        # What the page shows is what there is: the wait runs out (shortened here) and says the same.
        monkeypatch.setattr(longpoll, "MAX_WAIT_S", 0.2)
        state = client.get(url, params={"wait": 1, "answered": 2, "status": "done"}).json()
        assert (state["answered"], state["pending"], state["status"]) == (2, 0, "done")
        # A page that is behind is answered at once.
        assert client.get(url, params={"wait": 1, "answered": 0, "status": "queued"}).json()["answered"] == 2
        assert client.get(url, params={"wait": 1, "answered": -1}).status_code == 422
        for asset in re.findall(r'(?:src|href)="(/casepages/[\w.-]+\?v=[0-9a-f]{12})"', page.text):
            assert client.get(asset).headers["cache-control"] == "public, max-age=31536000, immutable", asset
        assert {"js", "css"} <= {a.rsplit("?")[0].rsplit(".")[-1] for a in re.findall(
            r'(?:src|href)="(/casepages/[\w.-]+\?v=[0-9a-f]{12})"', page.text)}
