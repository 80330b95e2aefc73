"""The view log writes views in batches: each caller returns only once its view is committed, every view of a
burst is in the owner's log and the audit log, and one view that cannot be written fails alone. A share page's
view is logged only when the share is open and that browser opened it with the code."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from tests.functional.portal.conftest import OWNER
from tests.functional.portal.test_portal_shares import _share

from vitnemal.audit.models import AuditEvent
from vitnemal.db import Database
from vitnemal.portal import events, shares
from vitnemal.portal.models import Share, ShareView
from vitnemal.portal.source import StaticResultsSource
from vitnemal.portal.viewlog import LinkView, ViewLog, ViewNotLogged
from vitnemal.web.sessions import SessionStore


def _share_row(db: Database, public_id: str) -> Share:
    with db.read_session() as s:
        share = s.scalars(select(Share).where(Share.public_id == public_id)).one()
        s.expunge_all()
        return share


def test_a_burst_of_views_is_all_in_the_log_when_each_caller_returns(db: Database,
                                                                      source: StaticResultsSource) -> None:
    [created] = _share(db, source)
    share = _share_row(db, created.share.public_id)
    views = ViewLog(db)
    seen: list[int] = []
    start = threading.Barrier(20)

    def view(n: int) -> None:
        start.wait()
        views.record(share, client=f"192.0.2.{n} Firefox", what="opened", now=datetime.now(UTC))
        with db.read_session() as s:  # committed by the time record() returns
            seen.append(len(s.scalars(select(ShareView.id).where(ShareView.client == f"192.0.2.{n} Firefox")).all()))

    threads = [threading.Thread(target=view, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    views.close()
    assert seen == [1] * 20
    with db.read_session() as s:
        [summary] = shares.list_shares(s, OWNER.national_id, datetime.now(UTC))
        audited = s.scalars(select(AuditEvent).where(AuditEvent.action == events.SHARE_VIEWED)).all()
    assert sorted(client for _, _, client in summary.views) == sorted(f"192.0.2.{n} Firefox" for n in range(20))
    assert len(audited) == 20


def test_a_view_that_cannot_be_written_fails_alone(db: Database, source: StaticResultsSource) -> None:
    first, second = _share(db, source, recipients=["a@example.no", "b@example.no"])
    kept, gone = _share_row(db, first.share.public_id), _share_row(db, second.share.public_id)
    with db.session() as s:
        s.execute(delete(Share).where(Share.id == gone.id))
    views = ViewLog(db)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def view(share: Share) -> None:
        start.wait()
        try:
            views.record(share, client="192.0.2.7", what="opened", now=datetime.now(UTC))
        except ViewNotLogged as exc:
            errors.append(exc)

    threads = [threading.Thread(target=view, args=(gone if n == 0 else kept,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    views.close()
    assert len(errors) == 1
    with db.read_session() as s:
        assert len(s.scalars(select(ShareView).where(ShareView.share_id == kept.id)).all()) == 5


def test_a_closed_log_starts_a_new_writer_for_the_next_view(db: Database, source: StaticResultsSource) -> None:
    [created] = _share(db, source)
    share = _share_row(db, created.share.public_id)
    views = ViewLog(db)
    views.record(share, client="192.0.2.8", what="opened", now=datetime.now(UTC))
    views.close()
    views.record(share, client="192.0.2.8", what="opened", now=datetime.now(UTC))  # a new writer starts
    views.close()
    with db.read_session() as s:
        assert len(s.scalars(select(ShareView).where(ShareView.share_id == share.id)).all()) == 2


def test_a_batch_of_link_views_logs_only_open_shares_opened_by_that_browser(db: Database,
                                                                         source: StaticResultsSource) -> None:
    first, second = _share(db, source, recipients=["a@example.no", "b@example.no"])
    token, ended_token = first.link.rsplit("/", 1)[1], second.link.rsplit("/", 1)[1]
    store = SessionStore(b"k" * 32, timedelta(minutes=30))
    now = datetime.now(UTC)
    with db.session() as s:
        opened = store.create(s, now, {shares.OPENED: [first.share.public_id, second.share.public_id]})
        stranger = store.create(s, now, {})
        shares.end_share(s, owner_id=OWNER.national_id, public_id=second.share.public_id, now=now)
    views = ViewLog(db, store)

    async def burst() -> list[LinkView]:
        asked = [(token, opened.cookie)] * 5 + [(token, stranger.cookie), (token, "forged.cookie"),
                                                (ended_token, opened.cookie), ("no-such-link", opened.cookie)]
        return await asyncio.gather(*(views.view_link(token=t, cookie=c or "", client="192.0.2.9 Firefox",
                                                      now=datetime.now(UTC)) for t, c in asked))

    found = asyncio.run(burst())
    views.close()
    assert [f.logged for f in found] == [True] * 5 + [False] * 4
    assert found[0].share is not None and found[0].share.public_id == first.share.public_id
    assert found[0].session.sid == opened.sid and found[5].session.sid == stranger.sid
    assert found[6].session is None and found[8].share is None
    assert found[7].share is not None and found[7].share.ended_at is not None
    with db.read_session() as s:
        logged = s.scalars(select(ShareView.share_id)).all()
        audited = s.scalars(select(AuditEvent.subject_national_id).where(
            AuditEvent.action == events.SHARE_VIEWED)).all()
    assert logged == [first.share.id] * 5 and audited == [OWNER.national_id] * 5
