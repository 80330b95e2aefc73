"""The language-test register on "My results": the latest and the best passed result per part, shared as a part
(both results), shown to the recipient and printed in the PDF; a result below A1 or a failed test never shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.functional.portal.conftest import HINT, HISF, INSTITUTIONS, result
from tests.functional.portal.test_portal_pages import app, csrf, fetched_page, mails, owner, share  # noqa: F401

from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal.models import Share
from vitnemal.portal.pdf import share_view
from vitnemal.portal.source import Institution, SourceAnswer, StaticResultsSource

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
