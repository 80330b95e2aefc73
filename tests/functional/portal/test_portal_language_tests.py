"""The language-test register on "My results": the latest and the best passed result per part, shared as a part
(both results), shown to the recipient and printed in the PDF; a result below A1 or a failed test never shows."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.functional.portal.conftest import HINT, HISF, INSTITUTIONS, result
from tests.functional.portal.test_portal_pages import app, csrf, fetched_page, mails, owner, share  # noqa: F401

from vitnemal.config import Settings
from vitnemal.demo import generate_federation
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.exchange.outcomes import Outcome
from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.institutions.registry import PORTAL_CODE, Registry
from vitnemal.portal.models import Share
from vitnemal.portal.pdf import share_view
from vitnemal.portal.rules import language_test_parts
from vitnemal.portal.source import ExchangeResultsSource, Institution, Owner, SourceAnswer, StaticResultsSource
from vitnemal.web.app import create_app

REGISTER = Institution("hkdir", "Direktoratet for høyere utdanning og kompetanse (HK-dir)",
                       "Norwegian Directorate for Higher Education and Skills (HK-dir)")


def sitting(code: str, year: int, season: str, grade: str, name: str) -> dict[str, object]:
    return {**result(code, year, season, grade, name=name, credits="0"), "kind": "language_test",
            "grading_scale": "pass_fail" if grade in ("Bestått", "Ikke bestått") else "cefr"}


TESTS = SourceAnswer("hkdir", Outcome.IMPORTED.value, "", [
    sitting("NP-LESING", 2019, "HØST", "B1", "Norskprøven, leseforståelse"),
    sitting("NP-LESING", 2021, "VÅR", "A2", "Norskprøven, leseforståelse"),  # latest, but not the best
    sitting("NP-SKRIFTLIG", 2019, "HØST", "Under A1", "Norskprøven, skriftlig framstilling"),  # not passed
    sitting("NP-SKRIFTLIG", 2021, "VÅR", "B1", "Norskprøven, skriftlig framstilling"),
    sitting("STATSBORGER", 2021, "VÅR", "Ikke bestått", "Statsborgerprøven"),  # not passed
    sitting("STATSBORGER", 2022, "HØST", "Bestått", "Statsborgerprøven"),
])


def test_latest_and_best_per_part_on_the_page_the_share_and_the_pdf(app: FastAPI, owner: TestClient) -> None:  # noqa: F811
    app.state.portal._source = StaticResultsSource([*INSTITUTIONS, REGISTER],
                                                   {"216": HISF, "214": HINT, "hkdir": TESTS})
    page = fetched_page(owner)
    section = page[page.index("Språkprøver"):]
    start = section.index("Norskprøven, leseforståelse")
    reading = section[start:section.index("</tr>", start)]
    assert re.search(r"<strong>B1</strong> · 2019 Høst.*<strong>A2</strong> · 2021 Vår", reading, re.S), reading
    assert "Under A1" not in page and "Ikke bestått" not in page
    assert 'name="t" value="hkdir:NP-LESING"' in page and 'name="t" value="hkdir:STATSBORGER"' in page
    assert share(owner, page, q="", t="hkdir:NP-LESING").startswith("/shares?created=1")
    link, code = mails(app)
    with TestClient(app) as recipient:
        path = link.removeprefix("http://testserver")
        ask = recipient.get(path)
        shown = recipient.post(path, data={"csrf_token": csrf(ask.text), "code": code}).text
        assert "Norskprøven, leseforståelse" in shown and "<strong>A2</strong>" in shown
        assert "Statsborgerprøven" not in shown and "RES-100" not in shown  # only what was shared
        pdf = recipient.get(path + "/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")  # the template lays the tests out
    with app.state.portal.db.read_session() as db:
        snapshot = db.scalars(select(Share.snapshot)).one()
    printed = share_view(snapshot, lang="en", name="K", birth_date=None, created_at=datetime.now(UTC),
                         expires_at=datetime.now(UTC), public_id="x", url="u")["institutions"]
    assert [(r["code"], r["grade"], r["notes"], r["credits"]) for r in printed[0]["tests"]] == [
        ("NP-LESING", "B1", ["Best result"], ""), ("NP-LESING", "A2", ["Latest result"], "")]


def test_a_part_that_was_not_fetched_cannot_be_shared(app: FastAPI, owner: TestClient) -> None:  # noqa: F811
    page = fetched_page(owner)
    response = owner.post("/shares", data={"csrf_token": csrf(page), "t": "hkdir:NP-LESING",
                                           "fetch_id": re.search(r'name="fetch_id" value="(\d+)"', page).group(1),  # type: ignore[union-attr]
                                           "recipients": "hr@example.no", "language": "nb"})
    assert response.status_code == 400 and "hkdir:NP-LESING" in response.text


def test_the_demo_register_answers_the_owners_login_over_http(tmp_path: Path) -> None:
    """The generated register is a node like the others: the portal's signed owner_login request is answered with
    the passed sittings (never "Under A1" or a fail), named as the register was called then."""
    port = free_port()
    settings = Settings(home=tmp_path / "fed", public_url=f"http://127.0.0.1:{port}")
    generate_federation(settings, people=40, institutions=5)
    registry = Registry.load(settings.registry_path)
    key = load_private_key(settings.keys_dir / f"{PORTAL_CODE}.pem")
    testperson1 = Owner("01536112185", "Testperson1", datetime.now(UTC), "idporten-loa-substantial")

    async def ask() -> SourceAnswer:
        source = ExchangeResultsSource(registry, key, HttpNodeClient(), timeout_s=20)
        try:
            assert "hkdir" in [i.code for i in source.institutions()]
            return await source.fetch(testperson1, "hkdir")
        finally:
            await source.client.aclose()

    with BackgroundServer(create_app(settings, pages=False), port=port):
        answer = asyncio.run(ask())
    assert answer.outcome == Outcome.IMPORTED, answer.message
    grades = {(r["course_code"], r["year"], r["grade"]) for r in answer.results}
    assert ("NP-LESING", 2019, "B1") in grades and ("NP-LESING", 2021, "A2") in grades
    assert all(r["kind"] == "language_test" and r["grade"] not in ("Under A1", "Ikke bestått") for r in answer.results)
    assert next(r for r in answer.results if r["year"] == 2019)["institution_name_nb"] == "Kompetanse Norge"
    parts = {p.code: p for p in language_test_parts(answer.results)}
    assert parts["NP-LESING"].best["grade"] == "B1" and parts["NP-LESING"].latest["grade"] == "A2"
    assert parts["STATSBORGER"].latest["year"] == 2022
