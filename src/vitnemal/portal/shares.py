"""Shares: creating one (frozen snapshot, signed PDF, the institutions' diplomas, the two mails), opening it with
link and code, the owner's overview with every view, ending it, the purge, and what the verify page may say about
a share.

Every function takes a session and never commits. Opening returns its outcome instead of raising, so that the
caller commits the recorded attempt even when the code was wrong (a rolled-back failure would not count).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from vitnemal.audit import service as audit
from vitnemal.audit.service import record_event
from vitnemal.portal import events, rules, share_views
from vitnemal.portal.diplomas import FrozenDiploma
from vitnemal.portal.fetch import fetch_view, purge_fetches
from vitnemal.portal.mail import Mailer, share_mails
from vitnemal.portal.models import CodeAttempt, Share, ShareDocument, ShareView
from vitnemal.portal.source import Owner


class PdfMaker(Protocol):
    def make(self, snapshot: Sequence[dict[str, Any]], *, lang: str, name: str, birth_date: date | None,
             created_at: datetime, expires_at: datetime, public_id: str) -> bytes: ...


@dataclass(frozen=True)
class ShareRequest:
    """What the owner filled in on the share form."""

    selection: rules.Selection
    recipients: Sequence[str]
    language: str
    valid_until: date | None = None
    message: str | None = None


@dataclass(frozen=True)
class CreatedShare:
    share: Share
    link: str
    code: str


def share_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/s/{token}"


def create_shares(session: Session, *, owner: Owner, fetch_id: int, request: ShareRequest, now: datetime,
                  public_url: str, pdf_maker: PdfMaker, mailer: Mailer,
                  diplomas: Sequence[FrozenDiploma] = ()) -> list[CreatedShare]:
    """One share per recipient, each with its own link, code and signed PDF; both mails sent to each. Each share
    keeps its own copy of ``diplomas`` (the institution-signed documents, already checked: :mod:`.diplomas`).

    Raises :class:`rules.ShareRefused` for anything wrong in the request (nothing is written), and lets a
    :class:`vitnemal.portal.mail.MailError` through so that the caller rolls everything back: a share whose mail
    never left is not a share.
    """
    recipients = rules.normalise_recipients(request.recipients)
    lang = rules.check_language(request.language)
    message = rules.check_message(request.message)
    expires_at = rules.share_expiry(now, request.valid_until)
    view = fetch_view(session, owner_id=owner.national_id, fetch_id=fetch_id)
    if view is None:
        raise rules.ShareRefused(rules.N_("That fetch of your results is not available any more; fetch them again."))
    snapshot = rules.select_snapshot(view.snapshot(), request.selection)
    n_quals, n_courses = rules.counts(snapshot)
    created = []
    for recipient in recipients:
        token, code, public_id = rules.new_link_token(), rules.new_access_code(), str(uuid.uuid4())
        pdf = pdf_maker.make(snapshot, lang=lang, name=owner.name, birth_date=owner.birth_date, created_at=now,
                             expires_at=expires_at, public_id=public_id)
        share = Share(public_id=public_id, token_hash=rules.token_hash(token), owner_id=owner.national_id,
                      owner_name=owner.name, owner_birth_date=owner.birth_date, recipient=recipient, language=lang,
                      message=message, created_at=now, expires_at=expires_at, snapshot=snapshot,
                      code_hash=rules.hash_code(code), pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                      qualifications_count=n_quals, courses_count=n_courses, views_count=0)
        session.add(share)
        session.flush()
        record_event(session, actor=f"owner:{owner.national_id}", action=events.SHARE_CREATED,
                     subject=owner.national_id,
                     detail=f"share {public_id} to {recipient}: {n_quals} qualification(s), {n_courses} course(s), "
                            f"until {expires_at.isoformat()}")
        for number, frozen in enumerate(diplomas, start=1):
            w = frozen.wanted
            session.add(ShareDocument(share_id=share.id, number=number, institution_code=w.institution,
                                      institution_name=w.institution_name[:300], qualification_key=w.qualification_key,
                                      document_id=w.document_id, lang=w.lang, sha256=w.sha256,
                                      size_bytes=len(frozen.pdf), pdf=frozen.pdf))
            record_event(session, actor=f"owner:{owner.national_id}", action=events.SHARE_DIPLOMA_INCLUDED,
                         subject=owner.national_id,
                         detail=f"share {public_id} to {recipient}: diploma {w.document_id} ({w.lang}) issued by "
                                f"{w.institution}")
        link = share_link(public_url, token)
        mailer.send(*share_mails(lang=lang, owner_name=owner.name, recipient=recipient, link=link, code=code,
                                 share_id=public_id, expires_at=expires_at, message=message))
        created.append(CreatedShare(share, link, code))
    return created


# ---------------------------------------------------------------------------------------------------------- opening


class OpenStatus(StrEnum):
    OPENED = "opened"
    NOT_FOUND = "not_found"  # no such link (or purged)
    EXPIRED = "expired"
    ENDED = "ended"
    WRONG_CODE = "wrong_code"
    SHARE_LOCKED = "share_locked"
    CLIENT_LOCKED = "client_locked"


@dataclass(frozen=True)
class OpenResult:
    status: OpenStatus
    share: Share | None = None
    retry_after: datetime | None = None
    attempts_left: int | None = None

    @property
    def opened(self) -> bool:
        return self.status is OpenStatus.OPENED


def find_by_token(session: Session, token: str, *, with_documents: bool = False) -> Share | None:
    """The share behind a link (None when unknown or purged); ``with_documents`` loads its shared diplomas (without
    their bytes) in the same query, for the page that lists them."""
    # The PDF is read only when it is downloaded: a page view would otherwise carry it out of the database each time.
    query = select(Share).where(Share.token_hash == rules.token_hash(token)).options(defer(Share.pdf))
    if with_documents:
        query = query.options(joinedload(Share.documents).defer(ShareDocument.pdf))
    share = session.scalars(query).unique().one_or_none()
    return None if share is None or share.purged_at is not None else share


@dataclass(frozen=True)
class ShareHead:
    """What a page view must know of a share before showing it; the snapshot is read only to render the page."""

    id: int
    public_id: str
    owner_id: str
    language: str
    expires_at: datetime
    ended_at: datetime | None


def heads_by_token(session: Session, tokens: Collection[str]) -> dict[str, ShareHead]:
    """The shares behind these links (purged ones left out), by token, in one query."""
    hashes = {rules.token_hash(token): token for token in tokens}
    rows = session.execute(
        select(Share.token_hash, Share.id, Share.public_id, Share.owner_id, Share.language, Share.expires_at,
               Share.ended_at).where(Share.token_hash.in_(hashes), Share.purged_at.is_(None)))
    return {hashes[r.token_hash]: ShareHead(r.id, r.public_id, r.owner_id, r.language, r.expires_at, r.ended_at)
            for r in rows}


# The shares a recipient's browser session has opened with their codes, newest last (in the session's data).
OPENED = "shares"


def opened_shares(data: Mapping[str, Any]) -> list[str]:
    """The public ids of the shares a browser opened with the code, from its session's ``data``."""
    value = data.get(OPENED)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


class _Dated(Protocol):
    @property
    def expires_at(self) -> datetime: ...
    @property
    def ended_at(self) -> datetime | None: ...


def _closed(share: _Dated, now: datetime) -> OpenStatus | None:
    state = rules.share_state(share.expires_at, share.ended_at, now)
    return {rules.ShareState.EXPIRED: OpenStatus.EXPIRED, rules.ShareState.ENDED: OpenStatus.ENDED}.get(state)


def link_status(session: Session, token: str, now: datetime) -> OpenStatus | None:
    """What following the link shows before the code is typed: None (ask for the code), or why it cannot open."""
    return share_link_status(find_by_token(session, token), now)


def share_link_status(share: Share | ShareHead | None, now: datetime) -> OpenStatus | None:
    """:func:`link_status` of a share already found by its token (one query per page view, not two)."""
    return OpenStatus.NOT_FOUND if share is None else _closed(share, now)


def _failures(session: Session, now: datetime, **where: Any) -> list[datetime]:
    since = now - rules.ATTEMPT_WINDOW
    query = select(CodeAttempt.at).where(CodeAttempt.ok.is_(False), CodeAttempt.at > since)
    for column, value in where.items():
        query = query.where(getattr(CodeAttempt, column) == value)
    return list(session.scalars(query))


def open_share(session: Session, *, token: str, code: str, client: str, now: datetime, agent: str = "",
               log_view: bool = True) -> OpenResult:
    """Check link and code; on success log the view (unless the caller logs it when it shows the results). Wrong
    codes count per share and per ``client`` (its address); ``agent`` (the browser) goes into the view log."""
    client_key = client[:100]
    share = find_by_token(session, token)
    client_failures = _failures(session, now, client=client_key)
    if share is None:
        # A wrong link counts against the client too: guessing links is guessing.
        decision = rules.attempt_decision([], client_failures, now)
        if not decision.allowed:
            return OpenResult(OpenStatus.CLIENT_LOCKED, retry_after=decision.retry_after)
        session.add(CodeAttempt(share_id=None, client=client_key, at=now, ok=False))
        return OpenResult(OpenStatus.NOT_FOUND)
    closed = _closed(share, now)
    if closed is not None:
        return OpenResult(closed)
    share_failures = _failures(session, now, share_id=share.id)
    decision = rules.attempt_decision(share_failures, client_failures, now)
    if not decision.allowed:
        status = OpenStatus(decision.verdict.value)
        return OpenResult(status, retry_after=decision.retry_after)
    if share.code_hash is None or not rules.code_matches(code, share.code_hash):
        session.add(CodeAttempt(share_id=share.id, client=client_key, at=now, ok=False))
        record_event(session, actor=f"recipient:{client_key}", action=events.SHARE_WRONG_CODE,
                     subject=share.owner_id, detail=f"share {share.public_id}")
        if rules.locks_share(len(share_failures)):
            share.locked_at = now
            record_event(session, actor="portal", action=events.SHARE_LOCKED, subject=share.owner_id,
                         detail=f"share {share.public_id} locked after {rules.SHARE_MAX_FAILURES} wrong codes")
        left = max(rules.SHARE_MAX_FAILURES - len(share_failures) - 1, 0)
        return OpenResult(OpenStatus.WRONG_CODE, attempts_left=left)
    session.add(CodeAttempt(share_id=share.id, client=client_key, at=now, ok=True))
    if log_view:
        record_view(session, share, client=f"{client_key} {agent}".strip(), what="opened", now=now)
    return OpenResult(OpenStatus.OPENED, share)


def record_view(session: Session, share: Share, *, client: str, what: str, now: datetime) -> None:
    """Log one view (the page opened, the PDF downloaded) with its time and client, and audit it."""
    view = share_views.NewView(share.id, share.public_id, share.owner_id, client, what, now)
    share_views.record_views(session, [view])


def share_document(session: Session, share: Share, number: int) -> ShareDocument | None:
    return session.scalar(select(ShareDocument).where(ShareDocument.share_id == share.id,
                                                      ShareDocument.number == number))


def opened_share(session: Session, public_id: str, now: datetime) -> Share | None:
    """A share the recipient has already opened with its code (the route checks that), if it still works."""
    share = session.scalar(select(Share).where(Share.public_id == public_id))
    if share is None or share.purged_at is not None or _closed(share, now) is not None:
        return None
    return share


# ---------------------------------------------------------------------------------------------------------- the owner


@dataclass(frozen=True)
class ShareSummary:
    public_id: str
    recipient: str | None
    language: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    locked_at: datetime | None
    state: rules.ShareState
    snapshot: list[dict[str, Any]]
    qualifications_count: int
    courses_count: int
    views: list[tuple[datetime, str, str]]  # (time, what, client)
    diplomas: Sequence[tuple[str, str]] = ()  # (institution name, language) of each diploma shared


def list_shares(session: Session, owner_id: str, now: datetime) -> list[ShareSummary]:
    """The owner's shares, newest first, active and expired alike, each with every view."""
    shares = session.scalars(
        select(Share).where(Share.owner_id == owner_id, Share.purged_at.is_(None))
        .options(selectinload(Share.views)).order_by(Share.created_at.desc(), Share.id.desc())
    ).all()
    documents: dict[int, list[tuple[str, str]]] = {}
    if shares:
        for share_id, name, lang in session.execute(
                select(ShareDocument.share_id, ShareDocument.institution_name, ShareDocument.lang)
                .where(ShareDocument.share_id.in_([s.id for s in shares])).order_by(ShareDocument.number)):
            documents.setdefault(share_id, []).append((name, lang))
    return [ShareSummary(s.public_id, s.recipient, s.language, s.created_at, s.expires_at, s.ended_at, s.locked_at,
                         rules.share_state(s.expires_at, s.ended_at, now), list(s.snapshot or []),
                         s.qualifications_count, s.courses_count, [(v.at, v.what, v.client) for v in s.views],
                         documents.get(s.id, []))
            for s in shares]


def end_share(session: Session, *, owner_id: str, public_id: str, now: datetime) -> bool:
    """End the owner's share at once; False when it is not theirs (or unknown). Ending twice keeps the first time."""
    share = session.scalar(select(Share).where(Share.public_id == public_id, Share.owner_id == owner_id))
    if share is None:
        return False
    if share.ended_at is None:
        share.ended_at = now
        record_event(session, actor=f"owner:{owner_id}", action=events.SHARE_ENDED, subject=owner_id,
                     detail=f"share {public_id}")
    return True


# ---------------------------------------------------------------------------------------------------------- purge


@dataclass(frozen=True)
class PurgeReport:
    shares: int
    fetches: int
    attempts: int


PURGE_BATCH = 500  # shares purged per statement: each UPDATE and DELETE names at most this many


def purge(session: Session, now: datetime, *, batch: int = PURGE_BATCH) -> PurgeReport:
    """Delete shared data 12 months after each share ended (keeping its counts), day-old fetches, old attempts.

    Set-based, in batches of ``batch`` shares: only the candidates' id and dates are read (never a snapshot or a
    PDF), the rule decides each exactly (:func:`rules.purge_due`), and one UPDATE (the views counted in SQL) and one
    DELETE per table purge the batch."""
    # A share can be due only when it stopped working 12 calendar months ago; a few days of slack cover the short
    # months (the rule decides those exactly).
    cutoff = rules.add_months(now, -rules.PURGE_AFTER_MONTHS) + timedelta(days=4)
    stopped: ColumnElement[datetime]
    if session.get_bind().dialect.name == "sqlite":  # SQLite's two-argument min() is NULL when one is
        stopped = func.coalesce(func.min(Share.expires_at, Share.ended_at), Share.expires_at)
    else:  # PostgreSQL's least() leaves NULLs out
        stopped = func.least(Share.expires_at, Share.ended_at, type_=Share.expires_at.type)
    purged, after = 0, 0
    while True:
        rows = session.execute(select(Share.id, Share.expires_at, Share.ended_at).where(
            Share.purged_at.is_(None), Share.id > after, stopped < cutoff).order_by(Share.id).limit(batch)).all()
        if not rows:
            break
        after = rows[-1].id
        ids = [r.id for r in rows if rules.purge_due(r.expires_at, r.ended_at, now)]
        if ids:
            _purge_shares(session, ids, now)
            purged += len(ids)
    if purged:
        record_event(session, actor="portal", action=events.SHARES_PURGED, detail=f"{purged} share(s)")
    old = session.execute(delete(CodeAttempt).where(CodeAttempt.at < now - 24 * rules.ATTEMPT_WINDOW))
    return PurgeReport(purged, purge_fetches(session, now), old.rowcount)  # type: ignore[attr-defined]


def _purge_shares(session: Session, ids: list[int], now: datetime) -> None:
    views = select(func.count()).where(ShareView.share_id == Share.id).correlate(Share).scalar_subquery()
    session.execute(update(Share).where(Share.id.in_(ids)).values(
        views_count=views, owner_name=None, recipient=None, message=None, snapshot=None, code_hash=None, pdf=None,
        pdf_sha256=None, owner_birth_date=None, purged_at=now).execution_options(synchronize_session=False))
    for table in (ShareView, ShareDocument, CodeAttempt):
        session.execute(delete(table).where(table.share_id.in_(ids)))


# ---------------------------------------------------------------------------------------------------------- verify


def share_status(session: Session, public_id: str, now: datetime, *,
                 audit_as: str | None = None) -> rules.ShareStatus | None:
    """What a verifier may learn about the share behind a PDF: its state and dates, nothing personal."""
    share = session.scalar(select(Share).where(Share.public_id == public_id))
    if share is None:
        return None
    if audit_as is not None:
        # Anyone may ask (GET /verify/<id> is anonymous): the same verifier asking again within a minute is one look,
        # so repeated requests cannot write a row each.
        audit.record_view(session, actor=audit_as, action=events.SHARE_VERIFIED, subject=share.owner_id,
                          detail=f"share {public_id}", now=now)
    return {"public_id": share.public_id, "state": rules.share_state(share.expires_at, share.ended_at, now).value,
            "created_at": share.created_at.isoformat(), "expires_at": share.expires_at.isoformat(),
            "ended_at": share.ended_at.isoformat() if share.ended_at else None,
            "purged": share.purged_at is not None, "pdf_sha256": share.pdf_sha256}
