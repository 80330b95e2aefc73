"""Every staff route against every kind of visitor: anonymous, a login without the role, the role at another
institution, and the right role. Add each new route to ROUTES (method, path at 185, the roles that may use it)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest
from tests.factories import add_person
from tests.staff_helpers import csrf, log_in_person, log_in_staff, staff_site

from vitnemal.staff.roles import Role

ANY = frozenset({Role.CASE_WORKER, Role.DIPLOMA_OFFICER, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})
REGISTER = frozenset({Role.CASE_WORKER, Role.ADMIN})  # bildet Person
PERSON = "/institutions/185/people/1"  # Testperson1, the one person at 185 (the site fixture)
# (method, path at institution 185, roles at 185 that may use it)
ROUTES: list[tuple[str, str, frozenset[Role]]] = [
    ("GET", "/institutions/185", ANY),
    ("GET", "/institutions/185/settings/modules", ADMIN),
    ("POST", "/institutions/185/settings/modules", ADMIN),
    ("GET", "/institutions/185/settings/consent-types", ADMIN),
    ("POST", "/institutions/185/settings/consent-types", ADMIN),
    ("GET", "/institutions/185/disclosures", ADMIN),
    ("GET", "/institutions/185/disclosures.csv", ADMIN),
    ("GET", "/institutions/185/staff", ADMIN),
    ("POST", "/institutions/185/staff/grant", ADMIN),
    ("POST", "/institutions/185/staff/revoke", ADMIN),
    ("GET", "/institutions/185/people", REGISTER),
    ("GET", "/institutions/185/people?q=testperson", REGISTER),
    ("POST", "/institutions/185/people", REGISTER),
    ("GET", PERSON, REGISTER),
    ("POST", PERSON, REGISTER),
    ("POST", f"{PERSON}/earlier-ids", REGISTER),
    ("POST", f"{PERSON}/student", REGISTER),
    ("POST", f"{PERSON}/consent", REGISTER),
]
# The student's own pages under an institution: an ID-porten login of a person registered there, never a staff role.
STUDENT_ROUTES: list[tuple[str, str]] = [
    ("GET", "/institutions/185/student/consent"),
    ("POST", "/institutions/185/student/consent"),
]
FORMS = {
    "/institutions/185/staff/grant": {"username": "admin@uio.no", "role": "institution_admin"},  # held already
    "/institutions/185/staff/revoke": {"username": "nobody@uio.no", "role": "case_worker"},  # held by no one
    "/institutions/185/student/consent": {"answer": "J"},
    "/institutions/185/settings/modules": {"module_active": "J", "reserved": "N"},
    "/institutions/185/settings/consent-types": {"active": "N", "seq_semreg": "", "seq_studentweb": ""},
    # Testperson1 again: refused as registered already (422), so a role that may register sees the input refused.
    "/institutions/185/people": {"national_id": "01536112185", "first_name": "Testperson1",
                                 "last_name": "Resultatutveksling"},
    PERSON: {"first_name": "Testperson1", "last_name": "Resultatutveksling"},  # as they are: nothing changes
    f"{PERSON}/earlier-ids": {"earlier": "01536112185"},  # their own id: refused on input (422)
    f"{PERSON}/consent": {"answer": "J", "answered_on": "2026-12-01"},
}
# The forms whose input is refused (422) for a role that may use them: what decides there is the user, not the form.
INPUT_REFUSED = {"/institutions/185/people", f"{PERSON}/earlier-ids"}
CASE_PAGES = tuple(f"/institutions/{{code}}/{p}" for p in ("cases", "orders", "people/{person_id}/external",
                                                            "diplomas"))
# Test users (testidp.staff) and the roles they hold at 185; the *@hisf.no users hold the same roles at 216 only.
USERS = {
    "saksbehandler@uio.no": {Role.CASE_WORKER},
    "vitnemal@uio.no": {Role.DIPLOMA_OFFICER},
    "admin@uio.no": {Role.ADMIN},
    "saksbehandler@hisf.no": set(),
    "vitnemal@hisf.no": set(),
    "admin@hisf.no": set(),
    "operator@sikt.no": set(),
    "nobody@uio.no": set(),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    with staff_site(tmp_path_factory.mktemp("matrix") / "fed", sqlite_template) as s:
        with s.db("185").session() as db:
            assert add_person(db, "01536112185", "Testperson1", "Resultatutveksling").id == 1
        yield s


def _ask(client: httpx.Client, method: str, path: str, token: str) -> httpx.Response:
    if method == "GET":
        return client.get(path)
    # A valid CSRF token of this session: what decides is the authorization, not the form's protection. The form
    # is a valid one too (and changes nothing: the settings as they are), so the allowed roles get 303, not 422.
    return client.request(method, path, data={"csrf_token": token, **FORMS.get(path, {})})


def test_anonymous_visitors_are_sent_to_the_staff_login(site) -> None:
    with httpx.Client(base_url=site.url, follow_redirects=False) as client:
        for method, path, _ in ROUTES:
            answer = _ask(client, method, path, "no-session-no-token")
            if method != "GET" and answer.status_code == 403:
                continue  # refused at the form's protection already: an anonymous visitor has no CSRF token
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/staff/login?next="), (method, path)


def test_a_student_login_opens_no_staff_route(site) -> None:
    with site.client() as client:
        landed = log_in_person(client, "01536112185")
        token = csrf(landed.text)
        client.follow_redirects = False
        for method, path, _ in ROUTES:
            answer = _ask(client, method, path, token)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login"), (method, path)


@pytest.mark.parametrize("user", sorted(USERS))
def test_each_route_opens_for_its_roles_at_its_institution_only(site, user: str) -> None:
    with site.client() as client:
        landed = log_in_staff(client, user)
        token = csrf(landed.text)
        client.follow_redirects = False
        for method, path, allowed in ROUTES:
            answer = _ask(client, method, path, token)
            if USERS[user] & allowed:
                ok = (200, 303, 422) if method == "POST" and path in INPUT_REFUSED else (200, 303)
                assert answer.status_code in ok, (user, method, path, answer.status_code)
                assert not answer.headers.get("location", "").startswith("/staff/login"), (user, method, path)
            else:
                assert answer.status_code == 403, (user, method, path, answer.status_code)


def _routes(routes: Iterable[Any]) -> Iterator[tuple[str, str]]:
    """(method, path template) of every route, through included routers (FastAPI keeps them as sub-routers)."""
    for route in routes:
        if hasattr(route, "path"):
            for method in getattr(route, "methods", None) or ():
                yield method, route.path
        elif hasattr(route, "original_router"):
            prefix = route.include_context.prefix
            yield from ((m, prefix + p) for m, p in _routes(route.original_router.routes))


def test_every_institution_page_is_in_the_matrix(site) -> None:
    # A page under /institutions/{code} that is not in ROUTES is never tried by the tests above: list it there.
    # The student's own pages (ID-porten login, not a staff role) have their matrix in test_student_consent.py;
    # the case and diploma pages theirs in tests/functional/casepages/test_case_access.py (with data to open), the
    # admission's pages theirs in tests/functional/admissionpages/test_admission_access.py.
    served = {(m, p) for m, p in _routes(site.app.routes)
              if p.startswith("/institutions/{code}") and not p.startswith(("/institutions/{code}/student/",
                                                                             "/institutions/{code}/admission/",
                                                                             *CASE_PAGES))
              and m != "HEAD"}
    assert served, "no institution pages found: the route walk no longer sees the page routers"
    missing = []
    for method, template in sorted(served):
        pattern = re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + r"(\?.*)?")
        listed = [(m, p) for m, p, _ in ROUTES] + STUDENT_ROUTES
        if not any(m == method and pattern.fullmatch(path) for m, path in listed):
            missing.append(f"{method} {template}")
    assert missing == [], f"add these routes to ROUTES: {missing}"


def test_the_student_pages_open_for_an_id_porten_login_only(site) -> None:
    with httpx.Client(base_url=site.url, follow_redirects=False) as client:
        for method, path in STUDENT_ROUTES:
            answer = _ask(client, method, path, "no-session-no-token")
            assert answer.status_code in (303, 403), (method, path)
            if answer.status_code == 303:
                assert answer.headers["location"].startswith("/auth/login?next="), (method, path)
    for user in ("admin@uio.no", "saksbehandler@uio.no"):
        with site.client() as client:
            token = csrf(log_in_staff(client, user).text)
            client.follow_redirects = False
            for method, path in STUDENT_ROUTES:
                answer = _ask(client, method, path, token)
                assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/login"), (user, path)
    with site.client() as client:
        # A person who is not registered at 185 sees the page (it says so) but cannot answer.
        token = csrf(log_in_person(client, "19588312510").text)
        client.follow_redirects = False
        for method, path in STUDENT_ROUTES:
            answer = _ask(client, method, path, token)
            assert answer.status_code == (200 if method == "GET" else 403), (method, path, answer.status_code)
