"""The disclosure log page: search, filters and order in the URL, paging, the CSV export with safe cells, and the
audit events of looking and exporting."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.staff_helpers import log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.records.disclosure_log import PAGE_SIZE
from vitnemal.records.models import Disclosure
from vitnemal.records.service import add_person

LOG = "/institutions/185/disclosures"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    with staff_site(tmp_path_factory.mktemp("log") / "fed", sqlite_template) as s:
        with s.db("185").session() as session:
            person = add_person(session, "01536112185", "=HYPERLINK(\"https://evil.example\")", "Resultatutveksling",
                                actor="test")
            session.add(Disclosure(at=T0, requester_code="216", request_id="r-1", national_id="01536112185",
                                   person_id=person.id, answer="ok", results_count=3, qualifications_count=1,
                                   consent_given_at=T0 - timedelta(days=2), consent_reference="216/consent/7"))
            session.add(Disclosure(at=T0 + timedelta(hours=1), requester_code="216", request_id="r-2",
                                   national_id="19588312510", answer="no_results"))
            for n in range(PAGE_SIZE + 5):  # enough for a second page
                session.add(Disclosure(at=T0 - timedelta(days=1, minutes=n), requester_code="portal",
                                       request_id=f"p-{n}", national_id="01536112185", person_id=person.id,
                                       answer="ok", basis="owner_login", results_count=1))
        with s.db("216").session() as session:
            session.add(Disclosure(at=T0, requester_code="185", request_id="x-1", national_id="01010112345",
                                   answer="ok"))
        yield s


@pytest.fixture(scope="module")
def client(site):
    with site.client() as c:
        log_in_staff(c, "admin@uio.no", LOG)
        yield c


def test_the_log_lists_filters_and_pages_with_the_search_in_the_url(client) -> None:
    everything = client.get(LOG)
    assert "57 svar funnet." in everything.text and "Side 1 av 2" in everything.text
    assert "01010112345" not in everything.text  # 216's own log is 216's
    page2 = client.get(LOG + "?page=2")
    assert "Side 2 av 2" in page2.text and 'rel="prev"' in page2.text
    by_216 = client.get(LOG + "?requester=216")
    assert "2 svar funnet." in by_216.text and "Høgskulen i Sogn og Fjordane" in by_216.text
    assert "3 resultater, 1 kvalifikasjoner" in by_216.text and "Ingen beståtte resultater" in by_216.text
    by_id = client.get(LOG + "?q=1958831")
    assert "1 svar funnet." in by_id.text and "19588312510" in by_id.text
    by_name = client.get(LOG + "?q=resultatutv&requester=216")
    assert "1 svar funnet." in by_name.text
    by_day = client.get(LOG + "?from=2026-11-30&to=2026-11-30&answer=ok")
    assert "1 svar funnet." in by_day.text
    # The sorted column says so; its header link turns the order round, and keeps the filters.
    sorted_page = client.get(LOG + "?requester=216&sort=answer")
    assert 'aria-sort="ascending"' in sorted_page.text
    assert "/institutions/185/disclosures?requester=216&amp;sort=answer&amp;dir=desc" in sorted_page.text
    rows = sorted_page.text.split("<tbody>")[1]
    assert rows.index("Ingen beståtte resultater") < rows.index("Resultater utlevert")  # no_results < ok
    # The CSV link carries the same search.
    assert "/institutions/185/disclosures.csv?requester=216&amp;sort=answer" in sorted_page.text


def test_a_bad_filter_says_what_is_wrong(client) -> None:
    answer = client.get(LOG + "?from=yesterday")
    assert answer.status_code == 400 and "from is a date like 2026-12-01" in answer.text
    assert client.get(LOG + "?sort=secret").status_code == 400
    assert client.get(LOG + ".csv?answer=everything").status_code == 400


def test_the_csv_has_the_same_rows_and_cells_no_spreadsheet_runs(client) -> None:
    answer = client.get(LOG + ".csv?requester=216&sort=at&dir=asc")
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="disclosures-185-')
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["national_id"] for r in rows] == ["01536112185", "19588312510"]
    assert rows[0]["time_oslo"] == "2026-11-30 10:00:00" and rows[0]["requester_name"].startswith("Høgskulen")
    assert rows[0]["name"].startswith("'=HYPERLINK")  # written as text, never as a formula
    assert rows[0]["consent_reference"] == "216/consent/7" and rows[0]["results"] == "3"


def test_looking_and_exporting_are_audit_events(site, client) -> None:
    client.get(LOG + "?q=01536112185")
    client.get(LOG + ".csv?q=01536112185")
    with site.db("185").read_session() as session:
        events = {(e.action, e.actor, e.detail) for e in session.scalars(select(AuditEvent))}
    assert ("view_disclosure_log", "admin@uio.no", "q=01536112185") in events
    assert ("export_disclosure_log", "admin@uio.no", "56 rows; q=01536112185") in events


def _looks_since(site, mark: int) -> list[tuple[str, str, str | None, str | None]]:
    with site.db("185").read_session() as session:
        return [(e.action, e.actor, e.subject_national_id, e.detail) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.id > mark, AuditEvent.action == "view_disclosure_log")
            .order_by(AuditEvent.id))]


def _age_events_and_mark(site) -> int:
    """Move every event two minutes back (a repeat look within a minute is one look), return the newest id."""
    with site.db("185").session() as session:
        for event in session.scalars(select(AuditEvent)):
            event.at -= timedelta(minutes=2)
        return max((e.id for e in session.scalars(select(AuditEvent))), default=0)


def test_the_cli_and_the_page_leave_the_same_audit_event(site, client) -> None:
    from typer.testing import CliRunner

    from vitnemal.cli import app

    mark = _age_events_and_mark(site)
    env = {"VITNEMAL_HOME": str(site.fed.settings.home), "VITNEMAL_DATABASE_URL": ""}
    shown = CliRunner().invoke(app, ["records", "disclosures", "-i", "185", "-p", "01536112185",
                                     "--by", "admin@uio.no"], env=env)
    assert shown.exit_code == 0 and "216/consent/7" in shown.output
    by_cli = _looks_since(site, mark)
    mark = _age_events_and_mark(site)
    assert client.get(LOG + "?q=01536112185").status_code == 200
    by_page = _looks_since(site, mark)
    assert by_cli == by_page == [("view_disclosure_log", "admin@uio.no", "01536112185", "q=01536112185")]


def test_the_export_is_recorded_by_the_service_as_the_page_records_it(site, client) -> None:
    """Issue 12 #3: the export's audit event is the service's, so any caller of it leaves the same event."""
    from datetime import UTC, datetime

    from vitnemal.records.disclosure_log import export_recorded, parse_query

    def exports_since(mark: int) -> list[tuple[str, str, str | None, str | None]]:
        with site.db("185").read_session() as session:
            return [(e.action, e.actor, e.subject_national_id, e.detail) for e in session.scalars(
                select(AuditEvent).where(AuditEvent.id > mark, AuditEvent.action == "export_disclosure_log"))]

    mark = _age_events_and_mark(site)
    assert client.get(LOG + ".csv?q=01536112185").status_code == 200
    by_page = exports_since(mark)
    mark = _age_events_and_mark(site)
    with site.db("185").session() as session:
        rows = export_recorded(session, parse_query({"q": "01536112185"}), actor="admin@uio.no",
                               now=datetime.now(UTC))
    assert len(rows) == 56
    assert exports_since(mark) == by_page == [("export_disclosure_log", "admin@uio.no", "01536112185",
                                               "56 rows; q=01536112185")]
