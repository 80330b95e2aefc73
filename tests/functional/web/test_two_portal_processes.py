"""Two portal processes behind one address on one PostgreSQL serve the same users (issue 9 #9).

Two real uvicorn OS processes (``vitnemal.web.app:app_from_env``, as ``vitnemal serve --processes 2`` starts them)
on a small demo federation whose every database is on one PostgreSQL server. An owner logs in on one and goes on
on the other; a share made on one is opened on the other and viewed on the first; the owner ends it on the second
and the first refuses the link; uploads to POST /verify count against one limit across both.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace

import httpx
import pytest

from vitnemal.config import Settings
from vitnemal.demo.generator import generate_federation
from vitnemal.devtools.portal_processes import WebProcesses
from vitnemal.web.sessions import COOKIE

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
TESTPERSON1 = "01536112185"
SECRET = "two-processes-secret-0123456789-abcdefghijk"


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def _log_in(client: httpx.Client) -> None:
    idp = client.get("/auth/start/idporten?next=/my-results")
    landed = client.post("/test-idp/authorize", data={
        "csrf_token": _field(idp.text, "csrf_token"), "request": _field(idp.text, "request"),
        "pid": TESTPERSON1, "acr": "idporten-loa-substantial", "action": "login"})
    assert landed.url.path == "/my-results", landed.text[:500]


def _wait_for_results(client: httpx.Client) -> str:
    deadline = time.monotonic() + 120
    while client.get("/my-results/progress.json").json()["pending"]:
        assert time.monotonic() < deadline, "the institutions did not answer"
        time.sleep(0.3)
    return client.get("/my-results").text


@pytest.fixture
def processes(tmp_path, pg_server):  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "fed", database_url=pg_server.url(f"two{tmp_path.name[-6:]}_{{code}}"),
                        secret_key=SECRET)
    generate_federation(settings, people=40, institutions=5)
    settings = replace(settings, verify_uploads_per_hour=3)
    with WebProcesses(settings, 2, log_dir=tmp_path / "logs") as web:
        yield web


def test_two_processes_serve_one_owner_and_one_recipient(processes: WebProcesses) -> None:
    a, b = processes.urls
    assert len(set(processes.pids)) == 2
    with httpx.Client(base_url=a, follow_redirects=True, timeout=60) as on_a:
        _log_in(on_a)
        cookie = on_a.cookies[COOKIE]
    with httpx.Client(base_url=b, follow_redirects=True, timeout=60) as on_b:
        on_b.cookies.set(COOKIE, cookie)
        page = _wait_for_results(on_b)  # the fetch started on A; B shows what it recorded
        assert "RES-100" in page and "Testperson1" in page
        choice = re.search(r'name="c" value="(216:RES-100[^"]*)"', page)
        assert choice, "RES-100 cannot be chosen on B"
        made = on_b.post("/shares", data={
            "csrf_token": _field(page, "csrf_token"), "fetch_id": _field(page, "fetch_id"),
            "recipients": "hr@example.no", "language": "nb", "c": choice.group(1)})
        assert made.url.path == "/shares" and "hr@example.no" in made.text
        mails = on_b.get("/demo/outbox.json").json()
    link = next(m["link"] for m in reversed(mails) if m["link"])
    code = next(m["code"] for m in reversed(mails) if m["code"])
    assert link.startswith(a)  # the one public address
    token_path = link.removeprefix(a)
    # The recipient types the code on B, and reads the results and the PDF on A.
    with httpx.Client(base_url=b, follow_redirects=True, timeout=60) as recipient_b:
        form = recipient_b.get(token_path)
        opened = recipient_b.post(token_path, data={"csrf_token": _field(form.text, "csrf_token"), "code": code})
        assert opened.status_code == 200 and "RES-100" in opened.text
        recipient_cookie = recipient_b.cookies[COOKIE]
    with httpx.Client(base_url=a, timeout=60) as recipient_a:
        recipient_a.cookies.set(COOKIE, recipient_cookie)
        assert "RES-100" in recipient_a.get(token_path).text
        assert recipient_a.get(f"{token_path}/pdf").headers["content-type"] == "application/pdf"
    # The owner sees all three views on A (the page opened on B and on A, the PDF on A), each in the log with its
    # kind, ends the share there, and B refuses the link at once.
    with httpx.Client(base_url=a, follow_redirects=True, timeout=60) as owner_a:
        owner_a.cookies.set(COOKIE, cookie)
        overview = owner_a.get("/shares?lang=en")
        assert overview.text.count("hr@example.no") >= 1
        assert "Opened 3 times" in overview.text
        kinds = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td>", overview.text)
        assert sorted(kinds) == ["Downloaded the PDF", "Opened the results", "Opened the results"], kinds
        end = re.search(r'action="(/shares/[^"]+/end)"', overview.text)
        assert end
        owner_a.post(end.group(1), data={"csrf_token": _field(overview.text, "csrf_token")})
    with httpx.Client(base_url=b, timeout=60) as recipient_b:
        recipient_b.cookies.set(COOKIE, recipient_cookie)
        assert recipient_b.get(token_path).status_code == 410


def test_the_upload_limit_is_shared_by_both_processes(processes: WebProcesses) -> None:
    a, b = processes.urls
    # The limit counts uses per fixed clock hour (ratelimit.py): five uploads that straddle a full hour land in two
    # windows and are all allowed, as the limit means. Start them in a window with time to spare.
    left = 3600 - time.time() % 3600
    if left < 90:
        time.sleep(left + 1)
    statuses = []
    for url in (a, b, a, b, a):
        answer = httpx.post(f"{url}/verify", files={"file": ("x.pdf", b"%PDF-1.7 nothing", "application/pdf")},
                            timeout=120)
        statuses.append(answer.status_code)
    assert statuses == [200, 200, 200, 429, 429]
