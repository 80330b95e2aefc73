"""The admissions officer's pages (issue 14 #3): the rounds with their progress, one round (progress, answers so
far, rejected lines in words, the incomplete applicants with why, pause/resume), one applicant summarised as
admission decides with every institution's answer in words, and the round's export, as the officer sees them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from tests.functional.admissionpages.conftest import GRADUATE, NO_CONSENT, NOTHING, OFFICER
from tests.staff_helpers import csrf, log_in_staff

from vitnemal.admissions import service
from vitnemal.audit.models import AuditEvent

ROUNDS = "/institutions/so/admission/rounds"


@pytest.fixture(scope="module")
def officer(rounds):
    client = rounds.site.client()
    log_in_staff(client, OFFICER)
    yield client
    client.close()


def test_the_rounds_with_their_progress(rounds, officer) -> None:
    page = officer.get(ROUNDS)
    assert page.status_code == 200
    assert "Hovedopptak 2027" in page.text and "Suppleringsopptak 2027" in page.text
    assert "Ferdig" in page.text and "Satt på pause" in page.text and "2 / 2" in page.text and "0 / 1" in page.text
    live = officer.get(ROUNDS + ".json").json()["rounds"]
    assert [(r["id"], r["status"], r["done"], r["applicants"]) for r in live] == [
        (rounds.paused, "paused", 0, 1), (rounds.done, "done", 2, 2)]
    assert 'href="/institutions/so/admission/rounds"' in officer.get("/institutions/so").text  # in the navigation


def test_a_finished_round_says_what_was_answered_and_which_lines_were_not_taken(rounds, officer) -> None:
    page = officer.get(f"{ROUNDS}/{rounds.done}?only=all")
    assert page.status_code == 200
    text = page.text
    assert "Hovedopptak 2027" in text and "Ferdig" in text and "søkere.csv" in text
    assert "Resultater hentet" in text and "Ingen resultater der" in text  # the answers so far, by kind
    # the lines as numbered in the file (the header is line 1), each with its reason in words
    assert "Linje 4: ugyldig fødselsnummer" in text
    assert "Linje 5: søkeren har ikke samtykket til henting av resultater." in text
    assert f"{GRADUATE[:6]} {GRADUATE[6:]}" in text and f"{NOTHING[:6]} {NOTHING[6:]}" in text
    assert NO_CONSENT[6:] not in text.split("Søkere", 1)[1]  # rejected, so no applicant
    assert "Sett runden på pause" not in text and "Fortsett runden" not in text  # done: nothing to pause
    progress = officer.get(f"{ROUNDS}/{rounds.done}/progress.json").json()
    assert (progress["done"], progress["complete"], progress["incomplete"], progress["lines_rejected"]) == (2, 2, 0, 2)
    assert progress["outcomes"] == {"no_results": 3, "imported": 1}
    # only incomplete applicants by default: none here
    assert "Ingen søkere her." in officer.get(f"{ROUNDS}/{rounds.done}").text


def test_the_incomplete_applicants_are_listed_with_why(rounds, officer) -> None:
    page = officer.get(f"{ROUNDS}/{rounds.paused}")
    assert "Satt på pause" in page.text and "Fortsett runden" in page.text
    assert "Universitetet i Oslo er ikke spurt ennå." in page.text
    assert "Høgskulen i Sogn og Fjordane er ikke spurt ennå." in page.text
    en = officer.get(f"{ROUNDS}/{rounds.paused}?lang=en")
    assert "University of Oslo has not been asked yet." in en.text
    officer.get(ROUNDS + "?lang=nb")  # the language sticks to the login: back to bokmål for the other tests


def test_pause_and_resume_are_forms_with_their_effect(rounds, officer) -> None:
    page = officer.get(f"{ROUNDS}/{rounds.paused}")
    resumed = officer.post(f"{ROUNDS}/{rounds.paused}/resume", data={"csrf_token": csrf(page.text)})
    assert resumed.url.query == b"done=resumed" and "Runden fortsetter der den stoppet." in resumed.text
    assert "Sett runden på pause" in resumed.text
    paused = officer.post(f"{ROUNDS}/{rounds.paused}/pause", data={"csrf_token": csrf(resumed.text)})
    assert "Runden er satt på pause" in paused.text
    with rounds.site.db("so").read_session() as s:
        assert service.get_round(s, rounds.paused).paused_by == OFFICER
    refused = officer.post(f"{ROUNDS}/{rounds.done}/resume", data={"csrf_token": csrf(paused.text)})
    assert refused.status_code == 409  # a round that is done cannot be resumed
    assert officer.post(f"{ROUNDS}/{rounds.paused}/pause", data={}).status_code == 403  # no CSRF token


def test_one_applicant_as_admission_decides(rounds, officer) -> None:
    applicant = rounds.applicant_id(rounds.done, GRADUATE)
    page = officer.get(f"{ROUNDS}/{rounds.done}/applicants/{applicant}")
    assert page.status_code == 200
    text = page.text
    assert "BA-ORG Bachelor BA-ORG" in text and "bachelornivå" in text and "20. juni 2022" in text
    assert "ORG-101" in text and "EX-100" in text and "<td>B</td>" in text and "<td>A</td>" in text
    assert "utenfor grad" in text  # EX-100 belongs to no degree
    assert "<strong>25</strong>" in text  # 15 + 10 credits in all
    assert "Høgskulen i Sogn og Fjordane: 2 resultater, 1 grad er hentet." in text
    assert "Universitetet i Oslo har ingen beståtte resultater for søkeren." in text
    assert "Komplett" in text
    with rounds.site.db("so").read_session() as s:
        looks = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "admission.applicant_viewed",
                                                         AuditEvent.subject_national_id == GRADUATE)).all()
    assert looks == [OFFICER]
    assert officer.get(f"{ROUNDS}/{rounds.paused}/applicants/{applicant}").status_code == 404  # another round's
    assert officer.get(f"{ROUNDS}/999/applicants/{applicant}").status_code == 404


def test_the_round_is_exported_as_csv_and_json(rounds, officer) -> None:
    csv_answer = officer.get(f"{ROUNDS}/{rounds.done}/export.csv")
    assert csv_answer.status_code == 200 and csv_answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_answer.headers["content-disposition"]
    lines = csv_answer.text.strip().splitlines()
    assert len(lines) == 3 and GRADUATE in csv_answer.text and "BA-ORG" in csv_answer.text
    data = json.loads(officer.get(f"{ROUNDS}/{rounds.done}/export.json").text)
    assert data["round"]["id"] == rounds.done and {a["national_id"] for a in data["applicants"]} == {GRADUATE, NOTHING}
    with rounds.site.db("so").read_session() as s:
        exports = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "admission.round_exported")).all()
    assert exports.count(OFFICER) >= 2
