"""The diploma officer's pages over real HTTP: who is due, the candidate's set rendered in the page before
issuing, issuing, the issued documents (the signed file), reissuing, revoking with the reason (and verification
then says revoked), bulk issuing for a faculty with its progress; only the diploma officer here opens them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select
from tests.case_helpers import FACULTY, seed_graduates
from tests.staff_helpers import StaffSite, csrf, log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.diplomas.models import IssuedDocument

BASE = "/institutions/185/diplomas"


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template) -> Iterator[StaffSite]:
    with staff_site(tmp_path_factory.mktemp("diplomas") / "fed", sqlite_template) as s:
        seed_graduates(s.db("185"))
        yield s


@contextmanager
def officer(site: StaffSite, user: str = "vitnemal@uio.no") -> Iterator[tuple[httpx.Client, str]]:
    with site.client() as client:
        landed = log_in_staff(client, user, BASE)
        assert landed.status_code == 200 and landed.url.path == BASE, (landed.status_code, landed.url)
        yield client, csrf(landed.text)


def test_preview_issue_reissue_revoke(site: StaffSite) -> None:
    with officer(site) as (client, token):
        overview = client.get(BASE, params={"faculty": FACULTY})
        assert all(f"Kandidat{i} Nordmann" in overview.text for i in range(3))
        link = re.search(r'href="(/institutions/185/diplomas/candidates/(\d+))"', overview.text)
        assert link
        page = client.get(link.group(1))
        assert page.status_code == 200 and "<iframe" in page.text and "frame-src 'self'" in page.headers[
            "content-security-policy"]
        preview = client.get(link.group(1) + "/preview.pdf")
        assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
        assert preview.headers["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in preview.headers["content-security-policy"]

        issued = client.post(link.group(1) + "/issue", data={"csrf_token": token})
        assert issued.status_code == 200 and "Gyldig" in issued.text
        (pdf_link,) = re.findall(r'href="(/institutions/185/diplomas/documents/\d+\.pdf)"', issued.text)
        signed = client.get(pdf_link)
        assert signed.status_code == 200 and signed.content.startswith(b"%PDF") and b"/ByteRange" in signed.content

        again = client.post(link.group(1) + "/issue", data={"csrf_token": token})
        assert again.status_code == 200 and "Erstattet" in again.text and again.text.count("Gyldig") == 1
        newest = re.findall(r'action="(/institutions/185/diplomas/documents/\d+/revoke)"', again.text)[0]
        refused = client.post(newest, data={"csrf_token": token, "reason": "  "})
        assert refused.status_code == 422 and "Give the reason" in refused.text
        revoked = client.post(newest, data={"csrf_token": token, "reason": "Utstedt med feil karakter i HIS1"})
        assert revoked.status_code == 200 and "Tilbakekalt" in revoked.text
        assert "Utstedt med feil karakter i HIS1" in revoked.text and "vitnemal@uio.no" in revoked.text
        rows = re.findall(r'href="/institutions/185/diplomas/documents/(\d+)\.pdf">([0-9a-f]{8})', revoked.text)
        assert len(rows) == 2
    with site.db("185").read_session() as s:
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "vitnemal@uio.no")))
        gone = s.scalar(select(IssuedDocument.document_id).where(IssuedDocument.revoked_at.is_not(None)))
    assert {"diploma.previewed", "diploma.revoked"} <= actions
    record = httpx.get(f"{site.url}/verify/{gone}", headers={"Accept": "application/json"}).json()
    assert record["revoked"] is True  # what every verifier is told from now on


def test_bulk_issue_for_a_faculty_shows_its_progress(site: StaffSite) -> None:
    with officer(site) as (client, token):
        started = client.post(f"{BASE}/bulk", data={"csrf_token": token, "faculty": FACULTY})
        assert started.status_code == 200 and started.url.path == BASE and "since=" in str(started.url)
        total = int(started.url.params["total"])
        assert total >= 1 and "<progress" in started.text
        deadline = time.monotonic() + 120
        while True:
            run = client.get(f"{BASE}/bulk/progress.json", params={
                "since": started.url.params["since"], "total": total}).json()
            if run["finished"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert run["finished"] and run["done"] == total
        assert "Ingen venter på vitnemål" in client.get(BASE).text or "Nobody is due" in client.get(BASE).text


@pytest.mark.parametrize("user", ["saksbehandler@uio.no", "admin@uio.no", "vitnemal@hisf.no"])
def test_only_the_diploma_officer_here_opens_them(site: StaffSite, user: str) -> None:
    with site.client() as client:
        token = csrf(log_in_staff(client, user).text)
        client.follow_redirects = False
        for method, path in [("GET", BASE), ("GET", f"{BASE}/candidates/1"),
                             ("GET", f"{BASE}/candidates/1/preview.pdf"),
                             ("POST", f"{BASE}/candidates/1/issue"), ("POST", f"{BASE}/documents/1/revoke"),
                             ("GET", f"{BASE}/documents/1.pdf"), ("POST", f"{BASE}/bulk"),
                             ("GET", f"{BASE}/bulk/progress.json?since=2026-01-01T00:00:00%2B00:00")]:
            answer = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
            assert answer.status_code == 403, (user, method, path, answer.status_code)
