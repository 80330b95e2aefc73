"""Every admission page against every kind of visitor. The admissions officer's pages open for that role at that
member only (anonymous: to the staff login; a student's login: to the staff login; another role, or the role at
another member: 403). The applicant's pages open for an ID-porten login only (any applicant: they need not be
registered anywhere), never for a staff login. Every route under ``/institutions/{code}/admission`` is listed."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.functional.admissionpages.conftest import GRADUATE
from tests.functional.staffpages.test_access_matrix import _routes
from tests.staff_helpers import csrf, log_in_person, log_in_staff

from vitnemal.staff.roles import Role

# (method, path) of the applicant's own pages, at Samordna opptak and at an institution's local admission.
APPLICANT_ROUTES = [(m, f"/institutions/{c}/admission/consent") for c in ("so", "185") for m in ("GET", "POST")]
FORMS = {"/institutions/so/admission/consent": {"answer": "J"}, "/institutions/185/admission/consent": {"answer": "J"}}
OFFICER = frozenset({Role.ADMISSIONS_OFFICER})
# Test users and the roles they hold at Samordna opptak (so); the *@uio.no ones hold theirs at 185 only.
USERS = {"opptak@samordnaopptak.no": OFFICER, "admin@samordnaopptak.no": set(), "opptak@uio.no": set(),
         "saksbehandler@uio.no": set(), "admin@uio.no": set(), "operator@sikt.no": set(), "nobody@uio.no": set()}


def officer_routes(rounds) -> list[tuple[str, str]]:
    """(method, path at so) of every officer's page, on the fixture's rounds (pausing the paused one: no change)."""
    base = f"/institutions/so/admission/rounds/{rounds.paused}"
    applicant = rounds.applicant_id(rounds.paused, GRADUATE)
    return [("GET", "/institutions/so/admission/rounds"), ("GET", "/institutions/so/admission/rounds.json"),
            ("GET", "/institutions/so/admission/rounds/new"),
            ("GET", base), ("GET", f"{base}/progress.json"), ("GET", f"{base}/applicants/{applicant}"),
            ("GET", f"{base}/export.csv"), ("GET", f"{base}/export.json"), ("POST", f"{base}/pause")]


@pytest.fixture(scope="module")
def site(rounds):
    return rounds.site


def _ask(client: httpx.Client, method: str, path: str, token: str) -> httpx.Response:
    if method == "GET":
        return client.get(path)
    return client.request(method, path, data={"csrf_token": token, **FORMS.get(path, {})})


def test_every_admission_page_is_listed(site, rounds) -> None:
    served = {(m, p) for m, p in _routes(site.app.routes)
              if p.startswith("/institutions/{code}/admission") and m != "HEAD"}
    assert served, "no admission pages found: the route walk no longer sees the page routers"
    resume = ("POST", f"/institutions/so/admission/rounds/{rounds.paused}/resume")  # tried in test_officer_pages
    upload = ("POST", "/institutions/so/admission/rounds/new")  # tried for every user in test_upload_round
    listed = [*APPLICANT_ROUTES, *officer_routes(rounds), resume, upload]
    missing = [f"{m} {t}" for m, t in sorted(served)
               if not any(m == lm and re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(t)), lp)
                          for lm, lp in listed)]
    assert missing == [], f"add these routes to the admission matrix: {missing}"


def test_the_applicant_pages_open_for_an_id_porten_login_only(site) -> None:
    with httpx.Client(base_url=site.url, follow_redirects=False) as client:
        for method, path in APPLICANT_ROUTES:
            answer = _ask(client, method, path, "no-session-no-token")
            assert answer.status_code in (303, 403), (method, path)  # a POST without a session fails its CSRF check
            if answer.status_code == 303:
                assert answer.headers["location"].startswith("/auth/login?next="), (method, path)
    for user in ("opptak@samordnaopptak.no", "admin@samordnaopptak.no", "opptak@uio.no", "operator@sikt.no"):
        with site.client() as client:
            token = csrf(log_in_staff(client, user).text)
            client.follow_redirects = False
            for method, path in APPLICANT_ROUTES:
                answer = _ask(client, method, path, token)
                assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/login"), (user, path)
    with site.client() as client:
        token = csrf(log_in_person(client, "19588312510").text)
        client.follow_redirects = False
        for method, path in APPLICANT_ROUTES:
            answer = _ask(client, method, path, token)
            assert answer.status_code == (200 if method == "GET" else 303), (method, path, answer.status_code)


def test_anonymous_visitors_and_students_are_sent_to_the_staff_login(site, rounds) -> None:
    with httpx.Client(base_url=site.url, follow_redirects=False) as client:
        for method, path in officer_routes(rounds):
            answer = _ask(client, method, path, "no-session-no-token")
            if method == "POST" and answer.status_code == 403:
                continue  # refused at the form's protection already: an anonymous visitor has no CSRF token
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/staff/login?next="), (method, path)
    with site.client() as client:
        token = csrf(log_in_person(client, GRADUATE).text)
        client.follow_redirects = False
        for method, path in officer_routes(rounds):
            answer = _ask(client, method, path, token)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login"), path


@pytest.mark.parametrize("user", sorted(USERS))
def test_each_officer_page_opens_for_the_admissions_officer_there_only(site, rounds, user: str) -> None:
    with site.client() as client:
        token = csrf(log_in_staff(client, user).text)
        client.follow_redirects = False
        for method, path in officer_routes(rounds):
            answer = _ask(client, method, path, token)
            if USERS[user]:
                assert answer.status_code in (200, 303), (user, method, path, answer.status_code)
                assert not answer.headers.get("location", "").startswith("/staff/login"), (user, path)
            else:
                assert answer.status_code == 403, (user, method, path, answer.status_code)


def test_an_institutions_admissions_officer_has_its_local_rounds(site) -> None:
    with site.client() as client:
        log_in_staff(client, "opptak@uio.no")
        assert client.get("/institutions/185/admission/rounds").status_code == 200  # its own (none yet)
        assert client.get("/institutions/216/admission/rounds").status_code == 403  # not 216's
