"""Every case and diploma page and action against every kind of visitor: anonymous, a student's ID-porten login,
staff without the role, the role at another institution, and the role here (who never gets a 403). Every route of
the case pages' routers must be listed here (the last test walks them)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from tests.case_helpers import TP1, seed_graduates, seed_test_persons
from tests.functional.staffpages.test_access_matrix import _routes
from tests.staff_helpers import csrf, log_in_person, log_in_staff, staff_site

from vitnemal.casepages import cases, diplomas, external, orders
from vitnemal.diplomas import office
from vitnemal.diplomas.issue import issue_many
from vitnemal.recognition import service

CODES = ("185", "216")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CASE, DIPLOMA = "case_worker", "diploma_officer"
HERE = {"saksbehandler@uio.no": CASE, "vitnemal@uio.no": DIPLOMA}
NOWHERE = ["admin@uio.no", "saksbehandler@hisf.no", "vitnemal@hisf.no", "nobody@uio.no", "operator@sikt.no"]


def routes(ids: dict[str, int]) -> list[tuple[str, str, str]]:
    base = "/institutions/185"
    case, qual, doc = ids["case"], ids["qualification"], ids["document"]
    return [
        ("GET", f"{base}/cases", CASE), ("GET", f"{base}/cases?q=resultat", CASE), ("POST", f"{base}/cases", CASE),
        ("GET", f"{base}/cases/{case}", CASE), ("POST", f"{base}/cases/{case}/fetch", CASE),
        ("POST", f"{base}/cases/{case}/items", CASE),
        ("POST", f"{base}/cases/{case}/items/{ids['item']}/withdraw", CASE),
        ("POST", f"{base}/cases/{case}/decision", CASE), ("GET", f"{base}/orders", CASE),
        ("GET", f"{base}/orders/{ids['order']}", CASE), ("GET", f"{base}/orders/{ids['order']}/outcomes.json", CASE),
        ("GET", f"{base}/people/{ids['person']}/external", CASE),
        ("GET", f"{base}/diplomas", DIPLOMA), ("GET", f"{base}/diplomas/candidates/{qual}", DIPLOMA),
        ("GET", f"{base}/diplomas/candidates/{qual}/preview.pdf", DIPLOMA),
        ("POST", f"{base}/diplomas/candidates/{qual}/issue", DIPLOMA),
        ("POST", f"{base}/diplomas/documents/{doc}/revoke", DIPLOMA),
        ("GET", f"{base}/diplomas/documents/{doc}.pdf", DIPLOMA), ("POST", f"{base}/diplomas/bulk", DIPLOMA),
        ("GET", f"{base}/diplomas/bulk/progress.json?since=2026-12-01T12%3A00%3A00%2B00%3A00&total=1", DIPLOMA),
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    with staff_site(tmp_path_factory.mktemp("access") / "fed", sqlite_template, CODES) as s:
        seed_test_persons(s.db, CODES)
        seed_graduates(s.db("185"))
        with s.db("185").session() as db:
            case = service.open_case(db, national_id=TP1, opened_by="sb", now=NOW)
            order = service.fetch_external(db, case.id, ordered_by="sb", own_code="185", members=list(CODES),
                                           now=NOW)
            item = service.recognise_block(db, case.id, title="Blokk", institution_name="HiSF", credits="10",
                                           toward="MA-INF", by="sb", now=NOW)
            (graduate,) = office.due(db, limit=1)
            job = office.job_for(db, graduate)
            ids = {"case": case.id, "order": order.id, "person": case.person_id, "item": item.id,
                   "qualification": graduate.qualification_id}
        entry = s.fed.registry.get("185")
        report = issue_many(office.issue_context(s.fed.settings, "185", entry.name_nb, entry.name_en,
                                                 issued_by="test"), [job])
        ids["document"] = report.issued[0].id
        s.ids = ids  # type: ignore[attr-defined]
        yield s


def ask(client: httpx.Client, method: str, path: str, token: str) -> httpx.Response:
    if method == "GET":
        return client.get(path)
    return client.request(method, path, data={"csrf_token": token})


def test_anonymous_and_student_logins_are_sent_to_the_staff_login(site) -> None:
    with httpx.Client(base_url=site.url, follow_redirects=False) as client:
        for method, path, _ in routes(site.ids):
            answer = ask(client, method, path, "none")
            if method == "POST" and answer.status_code == 403:
                continue  # refused by the form's protection already: no session, no CSRF token
            assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login"), path
    with httpx.Client(base_url=site.url, follow_redirects=True, timeout=30) as client:
        token = csrf(log_in_person(client, TP1).text)
        client.follow_redirects = False
        for method, path, _ in routes(site.ids):
            answer = ask(client, method, path, token)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login"), path


@pytest.mark.parametrize("user", NOWHERE)
def test_staff_without_the_role_here_open_none(site, user: str) -> None:
    with httpx.Client(base_url=site.url, follow_redirects=True, timeout=30) as client:
        token = csrf(log_in_staff(client, user).text)
        client.follow_redirects = False
        for method, path, _ in routes(site.ids):
            assert ask(client, method, path, token).status_code == 403, (user, method, path)


@pytest.mark.parametrize("user", sorted(HERE))
def test_the_role_here_opens_its_own_and_nothing_of_the_others_or_of_another_institution(site, user: str) -> None:
    with httpx.Client(base_url=site.url, follow_redirects=True, timeout=30) as client:
        token = csrf(log_in_staff(client, user).text)
        client.follow_redirects = False
        for method, path, role in routes(site.ids):
            answer = ask(client, method, path, token)
            if role != HERE[user]:
                assert answer.status_code == 403, (user, method, path, answer.status_code)
                continue
            # 422: the form was empty (what is refused is the input, not the user)
            assert answer.status_code in (200, 303, 422), (user, method, path, answer.status_code)
            assert not answer.headers.get("location", "").startswith("/staff/login"), path
            other = ask(client, method, path.replace("/institutions/185/", "/institutions/216/"), token)
            assert other.status_code == 403, ("216", method, path, other.status_code)


def test_every_route_of_the_case_pages_is_listed(site) -> None:
    served = {(m, p) for module in (cases, orders, external, diplomas)
              for m, p in _routes(module.router.routes) if m != "HEAD"}
    listed = routes(site.ids)
    missing = []
    for method, template in sorted(served):
        pattern = re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + r"(\?.*)?")
        if not any(m == method and pattern.fullmatch(path) for m, path, _ in listed):
            missing.append(f"{method} {template}")
    assert len(served) >= 18 and missing == [], missing
