"""Fetching my results: every institution in parallel, answers kept as they arrive, the silent ones retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from tests.functional.portal.conftest import HISF, INSTITUTIONS, OTHER, OWNER, fetch_now, result

from vitnemal.audit.models import AuditEvent
from vitnemal.db import Database
from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal import events, fetch, tasks
from vitnemal.portal.models import FetchSource
from vitnemal.portal.source import Owner, SourceAnswer, StaticResultsSource


def _view(db: Database, fetch_id: int, owner: str = OWNER.national_id) -> fetch.FetchView | None:
    with db.read_session() as s:
        return fetch.fetch_view(s, owner_id=owner, fetch_id=fetch_id)


def test_every_institution_is_asked_and_the_silent_one_is_named(db: Database, source: StaticResultsSource) -> None:
    fetch_id = fetch_now(db, source)
    assert sorted(source.asked) == ["185", "214", "216"]
    view = _view(db, fetch_id)
    assert view is not None and view.finished and view.pending == 0
    assert [i.code for i in view.with_results] == ["216"]
    assert [i.code for i in view.unreachable] == ["185"]
    hisf = view.with_results[0]
    assert hisf.fetched_at is not None and len(hisf.results) == 3 and hisf.qualifications[0]["code"] == "BA"
    down = view.unreachable[0]
    assert down.state == "retry" and down.next_attempt_at is not None
    with db.read_session() as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.subject_national_id == OWNER.national_id)) \
            == events.FETCH


def test_a_retry_brings_the_missing_institution_and_loses_nothing(db: Database, source: StaticResultsSource) -> None:
    fetch_id = fetch_now(db, source)
    source.answers["185"] = SourceAnswer("185", Outcome.IMPORTED.value, "", [result("INF-1000", 2022, "HØST")])
    # Not yet due: nobody is asked.
    assert asyncio.run(tasks.run_due(db, source)) == 0
    with db.session() as s:
        s.execute(update(FetchSource).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
                  .where(FetchSource.institution_code == "185"))
    assert asyncio.run(tasks.run_due(db, source)) == 1
    view = _view(db, fetch_id)
    assert view is not None
    assert [i.code for i in view.with_results] == ["185", "216"] and view.unreachable == []
    assert len(next(i for i in view.institutions if i.code == "216").results) == 3


def test_an_institution_that_fails_now_still_shows_its_earlier_answer(db: Database) -> None:
    first = StaticResultsSource(INSTITUTIONS[2:], {"216": HISF})
    fetch_now(db, first)
    second = fetch_now(db, StaticResultsSource(INSTITUTIONS[2:], {}))
    view = _view(db, second)
    assert view is not None
    hisf = view.institutions[0]
    assert hisf.unreachable and hisf.earlier and len(hisf.results) == 3


def test_a_source_gives_up_after_the_last_retry(db: Database, source: StaticResultsSource) -> None:
    fetch_id = fetch_now(db, source)
    for _ in range(len(fetch.RETRY_DELAYS_S)):
        with db.session() as s:
            s.execute(update(FetchSource).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
                      .where(FetchSource.state == "retry"))
        asyncio.run(tasks.run_due(db, source))
    view = _view(db, fetch_id)
    assert view is not None and [(i.code, i.state) for i in view.unreachable] == [("185", "failed")]


def test_institutions_are_asked_in_parallel(db: Database) -> None:
    in_flight, peak = 0, 0

    class Slow(StaticResultsSource):
        async def fetch(self, owner: Owner, institution: str) -> SourceAnswer:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.05)
            in_flight -= 1
            return SourceAnswer(institution, Outcome.NO_RESULTS.value)

    fetch_now(db, Slow(INSTITUTIONS, {}))
    assert peak == len(INSTITUTIONS)


def test_another_owner_cannot_see_my_fetch(db: Database, source: StaticResultsSource) -> None:
    fetch_id = fetch_now(db, source)
    assert _view(db, fetch_id, OTHER.national_id) is None


def test_a_claimed_source_is_not_asked_twice(db: Database, source: StaticResultsSource) -> None:
    with db.session() as s:
        fetch_id = fetch.start_fetch(s, owner=OWNER, institutions=INSTITUTIONS,
                                     now=datetime.now(UTC)).id
    now = datetime.now(UTC)
    with db.session() as s:
        first = fetch.claim_sources(s, now=now, lease_s=30, fetch_id=fetch_id)
    with db.session() as s:
        again = fetch.claim_sources(s, now=now, lease_s=30, fetch_id=fetch_id)
    assert len(first) == 3 and again == []
    # A process that died: its lease runs out and another takes the sources over.
    with db.session() as s:
        later = fetch.claim_sources(s, now=now + timedelta(seconds=31), lease_s=30, fetch_id=fetch_id)
    assert len(later) == 3


def test_day_old_fetches_are_purged(db: Database, source: StaticResultsSource) -> None:
    fetch_now(db, source)
    with db.session() as s:
        assert fetch.purge_fetches(s, datetime.now(UTC)) == 0
    with db.session() as s:
        assert fetch.purge_fetches(s, datetime.now(UTC) + timedelta(days=1, minutes=1)) == 1
    with db.read_session() as s:
        assert fetch.latest_fetch_id(s, OWNER.national_id) is None


def test_the_institutions_logs_of_who_fetched_my_results_are_gathered(db: Database) -> None:
    log_216 = [{"at": "2026-11-02T10:00:00+00:00", "requester": "185", "basis": "consent", "results_count": 1,
                "qualifications_count": 0}]
    log_214 = [{"at": "2026-12-01T10:00:00+00:00", "requester": "portal", "basis": "owner_login",
                "results_count": 0, "qualifications_count": 0}]
    source = StaticResultsSource(INSTITUTIONS, {
        "216": SourceAnswer("216", Outcome.IMPORTED.value, "", HISF.results, HISF.qualifications, disclosures=log_216),
        "214": SourceAnswer("214", Outcome.NO_RESULTS.value, "", disclosures=log_214)})
    view = _view(db, fetch_now(db, source))
    assert view is not None
    assert [(d["institution"], d["requester"]) for d in view.disclosures()] == [("214", "portal"), ("216", "185")]
