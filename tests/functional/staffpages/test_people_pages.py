"""Bildet Person over real HTTP: a case worker registers the seed's test persons (steps 2–3), registers them as
students with their programme, records a consent answer given on paper (step 4's "Akseptanse for person"); what
is refused is said in the page's language and nothing is saved; every change is an audit event."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select
from tests.case_helpers import TP1, TP2
from tests.factories import add_person
from tests.staff_helpers import csrf, log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import NationalIdKind, make_national_id
from vitnemal.programmes.service import ProgrammeSpec, add_programme, qualifications_open_to
from vitnemal.records.consent import consent_state
from vitnemal.records.models import Consent, Student

PEOPLE = "/institutions/185/people"
D_NUMBER = make_national_id(date(1961, 3, 1), 123, kind=NationalIdKind.D_NUMBER, series="fs_test") or ""


@pytest.fixture
def site(tmp_path, sqlite_template):
    with staff_site(tmp_path / "fed", sqlite_template) as s:
        with s.db("185").session() as db:
            add_programme(db, ProgrammeSpec("MAINF", "Masterprogram i informatikk", "Master's programme in informatics",
                                            "Det matematisk-naturvitenskapelige fakultet", qualification_code="MA-INF"))
        yield s


def _events(site, action: str) -> list[tuple[str, str | None, str | None]]:
    with site.db("185").read_session() as s:
        return [(e.actor, e.subject_national_id, e.detail)
                for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def _register(client: httpx.Client, token: str, nid: str, first: str, last: str = "Resultatutveksling",
              lang: str = "") -> httpx.Response:
    return client.post(PEOPLE + (f"?lang={lang}" if lang else ""), data={
        "csrf_token": token, "national_id": nid, "first_name": first, "last_name": last, "email": ""})


def test_the_seeds_test_persons_are_registered_as_students_and_consent_is_recorded(site) -> None:
    with site.client() as client:
        page = log_in_staff(client, "saksbehandler@uio.no", PEOPLE)
        assert page.url.path == PEOPLE and "Registrer en person" in page.text
        done = _register(client, csrf(page.text), "015361 12185", "Testperson1")
        assert re.fullmatch(r"/institutions/185/people/\d+", done.url.path), done.url
        assert "Testperson1 Resultatutveksling er registrert." in done.text and "015361 12185" in done.text
        person_url = done.url.path
        student = client.post(person_url + "/student", data={"csrf_token": csrf(done.text), "programme": "MAINF"})
        assert "er registrert som student" in student.text and "studentnummer 100001" in student.text
        assert "MAINF Masterprogram i informatikk" in student.text
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        answered = client.post(person_url + "/consent", data={
            "csrf_token": csrf(student.text), "answer": "J", "answered_on": yesterday})
        assert "Svaret er registrert." in answered.text and "saksbehandler@uio.no" in answered.text
        # The second person, found afterwards by name.
        _register(client, csrf(answered.text), TP2, "Testperson2")
        found = client.get(PEOPLE, params={"q": "testperson2"})
        assert "Testperson2 Resultatutveksling" in found.text and "195883 12510" in found.text
    with site.db("185").read_session() as s:
        person = s.scalar(select(Person).where(Person.national_id == TP1))
        assert person is not None and person.birth_date == date(1961, 3, 1)
        assert s.get(Student, person.id).student_number == 100001  # type: ignore[union-attr]
        assert [q.code for q in qualifications_open_to(s, person.id)] == ["MA-INF"]
        state = consent_state(s, TP1)
        assert state.consented and state.current is not None and state.current.recorded_by == "saksbehandler@uio.no"
    assert [(a, sub) for a, sub, _ in _events(site, "person.registered")] == [
        ("saksbehandler@uio.no", TP1), ("saksbehandler@uio.no", TP2)]
    assert _events(site, "person.student_registered") == [("saksbehandler@uio.no", TP1, "100001")]
    assert [d for _, _, d in _events(site, "consent.answered")] == [f"RESUTVEKSL J {yesterday} (Akseptanse for person)"]
    assert _events(site, "person.programme_admitted")[0][1:] == (TP1, f"MAINF {date.today().isoformat()}")


def test_a_person_is_registered_once_whatever_id_they_had(site) -> None:
    with site.client() as client:
        page = log_in_staff(client, "admin@uio.no", PEOPLE)  # an administrator may register people too
        done = _register(client, csrf(page.text), TP1, "Testperson1")
        earlier = client.post(done.url.path + "/earlier-ids", data={"csrf_token": csrf(done.text), "earlier": D_NUMBER})
        assert "Den tidligere identiteten er registrert" in earlier.text and D_NUMBER[:6] in earlier.text
        twice = _register(client, csrf(earlier.text), D_NUMBER, "Kari", "Nordmann")
        assert twice.status_code == 422
        assert f"{D_NUMBER} er allerede i institusjonens register: det tilhører Testperson1 Resultatutveksling." \
            in twice.text, twice.text
        assert f'href="{done.url.path}"' in twice.text  # the link to the person who has it
        again = _register(client, csrf(twice.text), "01536112185", "Testperson1", lang="en")
        assert again.status_code == 422, (again.url, again.text[-3000:])
        assert "already in this institution&#39;s records" in again.text
        # Another person's ordinary fødselsnummer is never an earlier id.
        other = client.post(done.url.path + "/earlier-ids",
                            data={"csrf_token": csrf(again.text), "earlier": "01039510010"})
        assert other.status_code == 422 and "ordinary fødselsnummer" in other.text  # ?lang=en stays
    with site.db("185").read_session() as s:
        assert len(list(s.scalars(select(Person)))) == 1


@pytest.mark.parametrize(("lang", "nid", "said"), [
    ("nb", "01536112186", "andre kontrollsifferet er feil"),
    ("nn", "0153611218", "har 10 siffer"),
    ("en", "015361 1218x", "write the 11 digits only"),
])
def test_a_wrong_national_id_is_said_in_the_pages_language_and_nothing_is_saved(site, lang, nid, said) -> None:
    with site.client() as client:
        page = log_in_staff(client, "saksbehandler@uio.no", PEOPLE)
        refused = _register(client, csrf(page.text), nid, "Kari", "Nordmann", lang=lang)
        assert refused.status_code == 422 and said in refused.text, refused.text
        assert f'value="{nid}"' in refused.text  # what was typed stays in the form
        empty = _register(client, csrf(refused.text), TP1, " ", lang=lang)
        assert empty.status_code == 422
    with site.db("185").read_session() as s:
        assert s.scalar(select(Person)) is None
    assert _events(site, "person.registered") == []


def test_corrections_and_a_consent_dated_in_the_future(site) -> None:
    with site.client() as client:
        page = log_in_staff(client, "saksbehandler@uio.no", PEOPLE)
        done = _register(client, csrf(page.text), TP1, "Testperson1")
        url = done.url.path
        fixed = client.post(url, data={"csrf_token": csrf(done.text), "first_name": "Test  Person1",
                                       "last_name": "Resultatutveksling", "email": "tp1@example.no"})
        assert "Endringene er lagret." in fixed.text and "Test Person1 Resultatutveksling" in fixed.text
        bad_mail = client.post(url, data={"csrf_token": csrf(fixed.text), "first_name": "Test", "last_name": "X",
                                          "email": "tp1 at example"})
        assert bad_mail.status_code == 422 and "er ikke en e-postadresse" in bad_mail.text
        tomorrow = (date.today() + timedelta(days=2)).isoformat()
        future = client.post(url + "/consent", data={"csrf_token": csrf(bad_mail.text), "answer": "J",
                                                     "answered_on": tomorrow})
        assert future.status_code == 422 and "etter i dag" in future.text
        nonsense = client.post(url + "/consent", data={"csrf_token": csrf(future.text), "answer": "J",
                                                       "answered_on": "31.02.2026"})
        assert nonsense.status_code == 422 and "er ikke en dato" in nonsense.text
        assert client.get("/institutions/185/people/999999").status_code == 404
    with site.db("185").read_session() as s:
        assert s.scalar(select(Consent)) is None
        assert s.scalar(select(Person.email)) == "tp1@example.no"
    assert _events(site, "person.changed") == [("saksbehandler@uio.no", TP1, "first_name, email")]


def test_a_case_worker_at_185_never_sees_216s_people(site) -> None:
    with site.db("216").session() as db:
        person_id = add_person(db, TP1, "Testperson1", "Resultatutveksling").id
    other = f"/institutions/216/people/{person_id}"
    for user in ("saksbehandler@uio.no", "admin@uio.no", "vitnemal@uio.no"):
        with site.client() as client:
            token = csrf(log_in_staff(client, user).text)
            client.follow_redirects = False
            assert client.get("/institutions/216/people", params={"q": "testperson"}).status_code == 403, user
            assert client.get(other).status_code == 403, user
            for suffix, form in (("", {"first_name": "X", "last_name": "Y"}), ("/student", {}),
                                 ("/consent", {"answer": "N", "answered_on": date.today().isoformat()})):
                assert client.post(other + suffix, data={"csrf_token": token, **form}).status_code == 403, suffix
            if user == "vitnemal@uio.no":  # a diploma officer does not register people at 185 either
                assert client.get(PEOPLE).status_code == 403
    with site.db("216").read_session() as s:
        assert s.scalar(select(Consent)) is None and s.scalar(select(Person.first_name)) == "Testperson1"
