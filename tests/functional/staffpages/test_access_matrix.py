"""Every staff route against every kind of visitor: anonymous, a login without the role, the role at another
institution, and the right role. Add each new route to ROUTES (method, path at 185, the roles that may use it)."""

from __future__ import annotations

import httpx
import pytest
from tests.staff_helpers import csrf, log_in_person, log_in_staff, staff_site

from vitnemal.staff.roles import Role

ANY = frozenset({Role.CASE_WORKER, Role.DIPLOMA_OFFICER, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})
# (method, path at institution 185, roles at 185 that may use it)
ROUTES: list[tuple[str, str, frozenset[Role]]] = [
    ("GET", "/institutions/185", ANY),
]
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
        yield s


def _ask(client: httpx.Client, method: str, path: str, token: str) -> httpx.Response:
    if method == "GET":
        return client.get(path)
    # A valid CSRF token of this session: what decides is the authorization, not the form's protection.
    return client.request(method, path, data={"csrf_token": token})


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
                assert answer.status_code in (200, 303), (user, method, path, answer.status_code)
                assert not answer.headers.get("location", "").startswith("/staff/login"), (user, method, path)
            else:
                assert answer.status_code == 403, (user, method, path, answer.status_code)
