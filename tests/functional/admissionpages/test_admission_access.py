"""Every admission page against every kind of visitor. The applicant's pages open for an ID-porten login only (any
applicant: they need not be registered anywhere), never for a staff login; every route under
``/institutions/{code}/admission`` must be listed here."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.functional.staffpages.test_access_matrix import _routes
from tests.staff_helpers import csrf, log_in_person, log_in_staff, staff_site

# (method, path) of the applicant's own pages, at Samordna opptak and at an institution's local admission.
APPLICANT_ROUTES = [(m, f"/institutions/{c}/admission/consent") for c in ("so", "185") for m in ("GET", "POST")]
FORMS = {"/institutions/so/admission/consent": {"answer": "J"}, "/institutions/185/admission/consent": {"answer": "J"}}


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    with staff_site(tmp_path_factory.mktemp("admission-access") / "fed", sqlite_template, admission=True) as s:
        yield s


def _ask(client: httpx.Client, method: str, path: str, token: str) -> httpx.Response:
    if method == "GET":
        return client.get(path)
    return client.request(method, path, data={"csrf_token": token, **FORMS.get(path, {})})


def test_every_admission_page_is_listed(site) -> None:
    served = {(m, p) for m, p in _routes(site.app.routes)
              if p.startswith("/institutions/{code}/admission") and m != "HEAD"}
    assert served, "no admission pages found: the route walk no longer sees the page routers"
    listed = APPLICANT_ROUTES
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
