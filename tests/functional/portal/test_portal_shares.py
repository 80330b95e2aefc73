"""Sharing: a frozen snapshot per recipient, the link and the code in two mails, opening with limits, the owner's
overview with every view, ending at once, the purge that leaves only counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.functional.portal.conftest import OTHER, OWNER, fetch_now

from vitnemal.audit.models import AuditEvent
from vitnemal.db import Database
from vitnemal.portal import events, rules, shares
from vitnemal.portal.mail import CODE_HEADER, LINK_HEADER, MailError, MemoryMailer
from vitnemal.portal.models import Share, ShareView
from vitnemal.portal.rules import Selection, ShareRefused, ShareState
from vitnemal.portal.shares import OpenStatus, ShareRequest
from vitnemal.portal.source import StaticResultsSource

URL = "https://portal.example"


class FakePdf:
    def make(self, snapshot: Any, **kw: Any) -> bytes:
        return f"%PDF-1.7 {kw['public_id']} {len(snapshot)}".encode()


BA = Selection(qualifications=frozenset({("216", "BA")}))


def _share(db: Database, source: StaticResultsSource, *, recipients: list[str] | None = None,
           selection: Selection = BA, mailer: MemoryMailer | None = None, now: datetime | None = None,
           **kw: Any) -> list[shares.CreatedShare]:
    fetch_id = fetch_now(db, source)
    request = ShareRequest(selection, recipients or ["hr@example.no"], kw.pop("language", "nb"), **kw)
    with db.session() as s:
        return shares.create_shares(s, owner=OWNER, fetch_id=fetch_id, request=request,
                                    now=now or datetime.now(UTC), public_url=URL, pdf_maker=FakePdf(),
                                    mailer=mailer or MemoryMailer())


def _open(db: Database, token: str, code: str, client: str = "192.0.2.1",
          now: datetime | None = None) -> shares.OpenResult:
    with db.session() as s:
        return shares.open_share(s, token=token, code=code, client=client, agent="Firefox",
                                 now=now or datetime.now(UTC))


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_a_share_freezes_the_qualification_with_its_courses_and_sends_two_mails(
        db: Database, source: StaticResultsSource) -> None:
    mailer = MemoryMailer()
    [created] = _share(db, source, mailer=mailer, message="Søknad på stilling 42", language="en")
    with db.read_session() as s:
        share = s.scalars(select(Share)).one()
        assert [r["key"] for r in share.snapshot[0]["results"]] == ["RES-100|2020|VÅR", "MAT-1|2021|VÅR"]
        assert share.snapshot[0]["name"] == "Høgskulen i Sogn og Fjordane"
        assert share.snapshot[0]["fetched_at"]
        assert (share.qualifications_count, share.courses_count) == (1, 2)
        assert created.code not in share.code_hash and _token(created.link) not in share.token_hash
        assert share.expires_at == rules.share_expiry(share.created_at, None)
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == events.SHARE_CREATED))
    link_mail, code_mail = mailer.sent
    assert link_mail.to == code_mail.to == "hr@example.no"
    assert created.link in link_mail.text and created.code not in link_mail.text
    assert created.code in code_mail.text and created.link not in code_mail.text
    assert dict(link_mail.headers)[LINK_HEADER] == created.link and dict(code_mail.headers)[CODE_HEADER]
    assert "Kari Nordmann has shared" in link_mail.subject + link_mail.text
    assert "Søknad på stilling 42" in link_mail.text


def test_each_recipient_gets_a_share_of_their_own(db: Database, source: StaticResultsSource) -> None:
    mailer = MemoryMailer()
    created = _share(db, source, recipients=["a@example.no, b@example.no"], mailer=mailer)
    assert len(created) == 2 and len(mailer.sent) == 4
    assert len({c.code for c in created}) == 2 and len({c.link for c in created}) == 2


@pytest.mark.parametrize("kw,match", [
    ({"valid_until": date.today() + timedelta(days=400)}, "at most one year"),
    ({"language": "de"}, "language"),
    ({"recipients": ["not-an-address"]}, "e-mail"),
    ({"selection": Selection(courses=frozenset({("216", "FORGED|2020|VÅR")}))}, "Not among"),
])
def test_bad_requests_are_refused_and_nothing_is_written(db: Database, source: StaticResultsSource,
                                                         kw: dict[str, Any], match: str) -> None:
    with pytest.raises(ShareRefused, match=match):
        _share(db, source, **kw)
    with db.read_session() as s:
        assert s.scalars(select(Share)).all() == []


def test_a_mail_that_cannot_be_sent_shares_nothing(db: Database, source: StaticResultsSource) -> None:
    class Broken(MemoryMailer):
        def send(self, *mails: Any) -> None:
            raise MailError("the mail server did not take the mail")

    with pytest.raises(MailError):
        _share(db, source, mailer=Broken())
    with db.read_session() as s:
        assert s.scalars(select(Share)).all() == []


def test_link_and_code_open_the_share_and_every_view_is_logged(db: Database, source: StaticResultsSource) -> None:
    [created] = _share(db, source)
    token = _token(created.link)
    with db.read_session() as s:
        assert shares.link_status(s, token, datetime.now(UTC)) is None
        assert shares.link_status(s, "nope", datetime.now(UTC)) is OpenStatus.NOT_FOUND
    opened = _open(db, token, created.code.lower())
    assert opened.opened and opened.share is not None
    public_id = opened.share.public_id
    with db.session() as s:
        share = shares.opened_share(s, public_id, datetime.now(UTC))
        assert share is not None
        shares.record_view(s, share, client="192.0.2.1 Firefox", what="pdf", now=datetime.now(UTC))
    with db.read_session() as s:
        [summary] = shares.list_shares(s, OWNER.national_id, datetime.now(UTC))
        assert shares.list_shares(s, OTHER.national_id, datetime.now(UTC)) == []
    assert summary.state is ShareState.ACTIVE and summary.recipient == "hr@example.no"
    assert [(what, client) for _, what, client in summary.views] == [("opened", "192.0.2.1 Firefox"),
                                                                    ("pdf", "192.0.2.1 Firefox")]


def test_wrong_codes_lock_the_share_and_the_owner_is_told(db: Database, source: StaticResultsSource) -> None:
    [created] = _share(db, source)
    token = _token(created.link)
    results = [_open(db, token, "WRONG-CODE-0000", client=f"198.51.100.{i}") for i in range(rules.SHARE_MAX_FAILURES)]
    assert [r.status for r in results] == [OpenStatus.WRONG_CODE] * rules.SHARE_MAX_FAILURES
    assert [r.attempts_left for r in results] == [4, 3, 2, 1, 0]
    locked = _open(db, token, created.code)
    assert locked.status is OpenStatus.SHARE_LOCKED and locked.retry_after is not None
    with db.read_session() as s:
        [summary] = shares.list_shares(s, OWNER.national_id, datetime.now(UTC))
        assert summary.locked_at is not None and summary.views == []
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == events.SHARE_LOCKED)) is not None
    # An hour later the right code opens it.
    assert _open(db, token, created.code, now=datetime.now(UTC) + rules.ATTEMPT_WINDOW + timedelta(minutes=1)).opened


def test_one_client_guessing_across_shares_is_locked_out(db: Database, source: StaticResultsSource) -> None:
    created = _share(db, source, recipients=[f"r{i}@example.no" for i in range(5)])
    for i in range(rules.CLIENT_MAX_FAILURES):
        target = created[i % 5]
        assert _open(db, _token(target.link), "AAAA-AAAA-AAAA").status is OpenStatus.WRONG_CODE
    assert _open(db, _token(created[0].link), created[0].code).status is OpenStatus.CLIENT_LOCKED
    assert _open(db, "guessed-link", "x").status is OpenStatus.CLIENT_LOCKED
    # Another client is not affected.
    assert _open(db, _token(created[0].link), created[0].code, client="203.0.113.9").opened


def test_ending_a_share_refuses_the_link_at_once(db: Database, source: StaticResultsSource) -> None:
    [created] = _share(db, source)
    token = _token(created.link)
    public_id = _open(db, token, created.code).share.public_id  # type: ignore[union-attr]
    with db.session() as s:
        assert not shares.end_share(s, owner_id=OTHER.national_id, public_id=public_id, now=datetime.now(UTC))
    with db.session() as s:
        assert shares.end_share(s, owner_id=OWNER.national_id, public_id=public_id, now=datetime.now(UTC))
    assert _open(db, token, created.code).status is OpenStatus.ENDED
    with db.read_session() as s:
        assert shares.opened_share(s, public_id, datetime.now(UTC)) is None
        assert shares.list_shares(s, OWNER.national_id, datetime.now(UTC))[0].state is ShareState.ENDED
        assert shares.share_status(s, public_id, datetime.now(UTC))["state"] == "ended"  # type: ignore[index]


def test_a_verifier_polling_a_share_is_one_audit_event_a_minute(db: Database, source: StaticResultsSource) -> None:
    # GET /verify/<share id> is anonymous and audited: a client repeating it must not write a row per request.
    [created] = _share(db, source)
    public_id = created.share.public_id
    now = datetime.now(UTC)
    with db.session() as s:
        for _ in range(5):
            assert shares.share_status(s, public_id, now, audit_as="verifier:192.0.2.9") is not None
        shares.share_status(s, public_id, now, audit_as="verifier:192.0.2.10")  # another client: its own event
    with db.session() as s:
        shares.share_status(s, public_id, now + timedelta(minutes=2), audit_as="verifier:192.0.2.9")
    with db.read_session() as s:
        actors = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == events.SHARE_VERIFIED)
                           .order_by(AuditEvent.id)).all()
    assert actors == ["verifier:192.0.2.9", "verifier:192.0.2.10", "verifier:192.0.2.9"]


def test_an_expired_share_is_refused(db: Database, source: StaticResultsSource) -> None:
    # Oslo's today, as the share rule reads it (the machine's UTC date is yesterday in Oslo from 23:00 UTC)
    [created] = _share(db, source, valid_until=datetime.now(rules.OSLO).date())
    later = datetime.now(UTC) + timedelta(days=2)
    assert _open(db, _token(created.link), created.code, now=later).status is OpenStatus.EXPIRED


def test_purge_twelve_months_after_the_end_leaves_only_counts(db: Database, source: StaticResultsSource) -> None:
    [created] = _share(db, source)
    public_id = _open(db, _token(created.link), created.code).share.public_id  # type: ignore[union-attr]
    with db.session() as s:
        shares.end_share(s, owner_id=OWNER.national_id, public_id=public_id, now=datetime.now(UTC))
    with db.session() as s:
        assert shares.purge(s, datetime.now(UTC) + timedelta(days=300)).shares == 0
    with db.session() as s:
        report = shares.purge(s, datetime.now(UTC) + timedelta(days=367))
    assert report.shares == 1
    with db.read_session() as s:
        share = s.scalars(select(Share)).one()
        assert share.purged_at is not None
        assert (share.snapshot, share.pdf, share.recipient, share.owner_name, share.code_hash, share.message) == (
            None, None, None, None, None, None)
        assert (share.qualifications_count, share.courses_count, share.views_count) == (1, 2, 1)
        assert s.scalars(select(ShareView)).all() == []
        assert shares.list_shares(s, OWNER.national_id, datetime.now(UTC)) == []
    assert _open(db, _token(created.link), created.code).status is OpenStatus.NOT_FOUND


def test_the_purge_goes_by_batches_and_the_exact_day(db: Database, source: StaticResultsSource) -> None:
    created = _share(db, source, recipients=[f"hr{n}@example.no" for n in range(7)])
    opened = [_open(db, _token(c.link), c.code).share.public_id for c in created[:5]]  # type: ignore[union-attr]
    _open(db, _token(created[0].link), created[0].code)  # the first one twice
    ended_at = datetime.now(UTC)
    with db.session() as s:
        for public_id in opened:  # five ended now; the last two run until their day, 14 days on
            shares.end_share(s, owner_id=OWNER.national_id, public_id=public_id, now=ended_at)
    with db.read_session() as s:
        first_end = min(e for e in s.scalars(select(Share.ended_at)) if e is not None)
    with db.session() as s:  # a second before 12 calendar months have passed: nothing
        assert shares.purge(s, rules.add_months(first_end, 12) - timedelta(seconds=1), batch=2).shares == 0
    with db.session() as s:
        assert shares.purge(s, ended_at + timedelta(days=367), batch=2).shares == 5  # three batches of 2, 2, 1
    with db.read_session() as s:
        rows = {r.public_id: r for r in s.scalars(select(Share))}
        purged = [rows[p] for p in opened]
        assert all(r.purged_at is not None and (r.snapshot, r.pdf, r.recipient, r.code_hash) == (None,) * 4
                   for r in purged)
        assert [r.views_count for r in purged] == [2, 1, 1, 1, 1]
        kept = [r for p, r in rows.items() if p not in opened]
        assert len(kept) == 2 and all(r.purged_at is None and r.snapshot is not None for r in kept)
        assert s.scalars(select(ShareView)).all() == []
    with db.session() as s:
        assert shares.purge(s, ended_at + timedelta(days=400), batch=2).shares == 2
