"""The student's consent page: after ID-porten login the student answers RESUTVEKSL, sees when, and can withdraw;
the answer is the Consent row the exchange relies on, and each answer is an audit event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from tests.staff_helpers import csrf, log_in_person, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.exchange.service import current_consent
from vitnemal.records.admin import change_consent_type
from vitnemal.records.service import add_earlier_id, add_person

TESTPERSON1 = "01536112185"
PAGE = "/institutions/185/student/consent"


@pytest.fixture
def site(tmp_path, sqlite_template):
    with staff_site(tmp_path / "fed", sqlite_template) as s:
        with s.db("185").session() as session:
            add_person(session, TESTPERSON1, "Testperson1", "Resultatutveksling", actor="test")
            change_consent_type(session, actor="test", active=True, seq_semreg=1, seq_studentweb=1)
        yield s


def _consent(site, pid: str = TESTPERSON1) -> str | None:
    with site.db("185").read_session() as session:
        from vitnemal.records.service import get_person

        row = current_consent(session, get_person(session, pid).id)
        return row.answer if row else None


def test_the_student_consents_sees_when_and_withdraws(site) -> None:
    with site.client() as client:
        assert client.get(PAGE).url.path == "/auth/login"  # ID-porten first
        page = log_in_person(client, TESTPERSON1, PAGE)
        assert page.url.path == PAGE
        assert "Kan Universitetet i Oslo hente resultatene dine fra andre institusjoner?" in page.text
        assert _consent(site) is None
        before = datetime.now(UTC)
        yes = client.post(PAGE, data={"csrf_token": csrf(page.text), "answer": "J"})
        assert yes.url.query == b"saved=J" and "Samtykket ditt er registrert." in yes.text
        assert "Ja (J), gitt" in yes.text and "Trekk tilbake samtykket mitt" in yes.text
        assert _consent(site) == "J"
        en = client.get(PAGE + "?lang=en")
        assert "May University of Oslo fetch your results" in en.text and "Withdraw my consent" in en.text
        nn = client.get(PAGE + "?lang=nn")
        assert "Kan Universitetet i Oslo hente resultata dine frå andre institusjonar?" in nn.text
        withdrawn = client.post(PAGE, data={"csrf_token": csrf(nn.text), "answer": "N"})
        assert "Nei (N), svart" in withdrawn.text
        assert withdrawn.text.count("RESULTATUTVEKS") >= 2  # the history: the yes and the withdrawal
        assert _consent(site) == "N"
    with site.db("185").read_session() as session:
        events = [(e.actor, e.subject_national_id, e.detail) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "consent.answered").order_by(AuditEvent.id))]
        first = session.scalar(select(AuditEvent.at).where(AuditEvent.action == "consent.answered"))
    assert events == [(f"student:{TESTPERSON1}", TESTPERSON1, "RESUTVEKSL J"),
                      (f"student:{TESTPERSON1}", TESTPERSON1, "RESUTVEKSL N")]
    assert first is not None and first >= before


def test_the_login_brings_the_student_back_to_the_page_in_their_language(site) -> None:
    with site.client() as client:
        first = client.get(PAGE + "?lang=en", follow_redirects=False)
        assert first.headers["location"] == "/auth/login?next=/institutions/185/student/consent%3Flang%3Den"
        page = log_in_person(client, TESTPERSON1, "/institutions/185/student/consent%3Flang%3Den")
        assert page.url.path == PAGE and page.url.params["lang"] == "en"
        assert "May University of Oslo fetch your results from other institutions?" in page.text


def test_a_person_not_registered_here_has_nothing_to_answer(site) -> None:
    with site.client() as client:
        page = log_in_person(client, "19588312510", PAGE)
        assert "Du er ikke registrert som student ved Universitetet i Oslo" in page.text
        assert 'name="answer"' not in page.text
        refused = client.post(PAGE, data={"csrf_token": csrf(page.text), "answer": "J"})
        assert refused.status_code == 403
        # At 216 they are no one either: each institution's page reads that institution's records only.
        assert "ikke registrert" in client.get("/institutions/216/student/consent").text


def test_an_earlier_id_finds_the_student(site) -> None:
    with site.db("185").session() as session:
        add_person(session, "19588312510", "Testperson2", "Resultatutveksling", actor="test")
        add_earlier_id(session, "19588312510", "59588312539", actor="test")  # a D-number they had before
    with site.client() as client:
        page = log_in_person(client, "59588312539", PAGE)
        client.post(PAGE, data={"csrf_token": csrf(page.text), "answer": "J"})
    assert _consent(site, "19588312510") == "J"


def test_no_question_while_the_consent_type_is_off(site) -> None:
    with site.db("185").session() as session:
        change_consent_type(session, actor="test", active=False, seq_semreg=None, seq_studentweb=None)
    with site.client() as client:
        page = log_in_person(client, TESTPERSON1, PAGE)
        assert "ber ikke om dette samtykket nå" in page.text and 'name="answer"' not in page.text
        assert client.post(PAGE, data={"csrf_token": csrf(page.text), "answer": "J"}).status_code == 409
    assert _consent(site) is None


def test_a_staff_login_is_not_a_student(site) -> None:
    from tests.staff_helpers import log_in_staff

    with site.client() as client:
        log_in_staff(client, "admin@uio.no")
        assert client.get(PAGE).url.path == "/auth/login"
