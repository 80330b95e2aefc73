"""The applicant's consent at application (issue 14 #1): "Samtykke til henting av resultater" at Samordna opptak and
at an institution's local admission (Søknadsweb), after ID-porten login: answer yes or no, see when, withdraw. The
answer is the admission consent a round and the node rely on, in that member's own database, and an audit event."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from tests.staff_helpers import csrf, log_in_person, log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.institutions.registry import MemberKind, editing
from vitnemal.records.consent import admission_consent_state

APPLICANT = "01536112185"  # registered nowhere in this federation: an applicant need not be anyone's student
SO = "/institutions/so/admission/consent"
LOCAL = "/institutions/185/admission/consent"


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    with staff_site(tmp_path_factory.mktemp("applicant") / "fed", sqlite_template, admission=True) as s:
        yield s


def _answers(site, code: str) -> list[str]:
    with site.db(code).read_session() as session:
        return [r.answer for r in reversed(admission_consent_state(session, APPLICANT).history)]


def test_the_applicant_consents_at_samordna_opptak_sees_when_and_withdraws(site) -> None:
    with site.client() as client:
        assert client.get(SO).url.path == "/auth/login"  # ID-porten first
        page = log_in_person(client, APPLICANT, SO)
        assert page.url.path == SO
        assert "Samtykke til henting av resultater" in page.text and "Søknaden din til Samordna opptak" in page.text
        assert "Kan Samordna opptak hente resultatene dine fra tidligere utdanningsinstitusjoner?" in page.text
        assert _answers(site, "so") == []
        yes = client.post(SO, data={"csrf_token": csrf(page.text), "answer": "J"})
        assert yes.url.query == b"saved=J" and "Samtykket ditt er registrert." in yes.text
        assert "Ja (J), gitt" in yes.text and "Trekk tilbake samtykket mitt" in yes.text
        assert _answers(site, "so") == ["J"]
        en = client.get(SO + "?lang=en")
        assert "May Samordna opptak fetch your results from earlier institutions?" in en.text
        nn = client.get(SO + "?lang=nn")
        assert "Kan Samordna opptak hente resultata dine frå tidlegare utdanningsinstitusjonar?" in nn.text
        withdrawn = client.post(SO, data={"csrf_token": csrf(nn.text), "answer": "N"})
        assert "Nei (N), svart" in withdrawn.text and "Svaret ditt er registrert" in withdrawn.text
        assert 'value="J"' in withdrawn.text  # the question is asked again: the applicant may consent anew
        assert _answers(site, "so") == ["J", "N"]
    with site.db("so").read_session() as session:
        events = [(e.actor, e.subject_national_id, e.detail) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "consent.answered").order_by(AuditEvent.id))]
    assert events == [(f"applicant:{APPLICANT}", APPLICANT, "OPPTAK J"),
                      (f"applicant:{APPLICANT}", APPLICANT, "OPPTAK N")]


def test_the_local_admission_asks_in_its_own_soknadsweb_and_keeps_its_own_answer(site) -> None:
    with site.client() as client:
        page = log_in_person(client, "19588312510", LOCAL)
        assert "Søknadsweb: søknad til Universitetet i Oslo" in page.text
        assert ("Kan Universitetet i Oslo hente resultatene dine fra tidligere utdanningsinstitusjoner til søknaden "
                "din?") in page.text
        client.post(LOCAL, data={"csrf_token": csrf(page.text), "answer": "J"})
    with site.db("185").read_session() as session:
        assert admission_consent_state(session, "19588312510").consented
    with site.db("so").read_session() as session:  # a consent to 185's admission is not one to Samordna opptak
        assert admission_consent_state(session, "19588312510").current is None


def test_the_page_is_the_applicants_only(site) -> None:
    with site.client() as client:
        token = csrf(log_in_staff(client, "opptak@samordnaopptak.no").text)
        client.follow_redirects = False
        for answer in (client.get(SO), client.post(SO, data={"csrf_token": token, "answer": "J"})):
            assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/login")
    with site.client() as client:
        page = log_in_person(client, APPLICANT, SO)
        refused = client.post(SO, data={"answer": "J"})  # no CSRF token
        assert refused.status_code == 403
        bad = client.post(SO, data={"csrf_token": csrf(page.text), "answer": "maybe"})
        assert bad.status_code == 422
        assert client.get("/institutions/999/admission/consent").status_code == 404


def test_a_member_that_admits_no_one_answers_404_in_words(tmp_path_factory, sqlite_template) -> None:
    with staff_site(tmp_path_factory.mktemp("register") / "fed", sqlite_template, ("185", "hkdir")) as register:
        with editing(register.fed.settings.registry_path) as registry:  # hkdir as the language-test register
            registry.institutions["hkdir"] = replace(
                registry.institutions["hkdir"], kind=MemberKind.LANGUAGE_TESTS, name_nb="HK-dir", name_en="HK-dir")
        with register.client() as client:
            page = log_in_person(client, APPLICANT, "/institutions/hkdir/admission/consent")
            assert page.status_code == 404 and page.url.path == "/institutions/hkdir/admission/consent"
            assert "HK-dir tar ikke imot søknader om opptak, så det er ikke noe samtykke å gi her." in page.text
            assert 'name="answer"' not in page.text
            en = client.get("/institutions/hkdir/admission/consent?lang=en")
            assert en.status_code == 404 and "HK-dir takes no applications for admission" in en.text
            client.get("/?lang=nb")
            refused = client.post("/institutions/hkdir/admission/consent",
                                  data={"csrf_token": csrf(client.get(LOCAL).text), "answer": "J"})
            assert refused.status_code == 404 and "HK-dir tar ikke imot søknader" in refused.text
        with register.db("hkdir").read_session() as session:
            assert admission_consent_state(session, APPLICANT).history == []
