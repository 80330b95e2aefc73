"""Browser sessions: a signed cookie naming a row in the database.

The cookie holds a random session id and its HMAC; the table holds only the id's SHA-256, the session's data and
when it was last used. Nothing is kept in process memory, so any web process behind the address serves any user,
and logging out (or 30 minutes without a request) ends the session for all of them at once.

The cookie is HttpOnly and SameSite=Lax, Secure when the public URL is https, and has no Max-Age: it dies with the
browser, and the server ends it sooner when idle. Logging in makes a new session id (no session fixation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from vitnemal.web.models import WebSession

COOKIE = "vitnemal_session"
# The cookie and the data are outside input once they come back: bound them.
_MAX_COOKIE = 200
MAX_DATA = 16_000
# Writing last_seen_at on every request would make every page view a write; once a minute is close enough.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass
class BrowserSession:
    """A loaded session. Change ``data`` and call ``SessionStore.save``; ``cookie`` is set when it is new."""

    sid: str
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime
    cookie: str | None = None

    @property
    def national_id(self) -> str | None:
        value = self.data.get("pid")
        return value if isinstance(value, str) else None


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    """Sessions in the database of this web surface; every method takes a SQLAlchemy session and never commits."""

    def __init__(self, signing_key: bytes, idle: timedelta) -> None:
        self._key = signing_key
        self.idle = idle

    def _sign(self, sid: str) -> str:
        mac = hmac.new(self._key, sid.encode(), hashlib.sha256).digest()
        return f"{sid}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def _unsign(self, cookie: str | None) -> str | None:
        if not cookie or len(cookie) > _MAX_COOKIE or "." not in cookie:
            return None
        sid = cookie.rpartition(".")[0]
        return sid if hmac.compare_digest(self._sign(sid), cookie) else None

    def load(self, db: Session, cookie: str | None, now: datetime) -> BrowserSession | None:
        """The live session the cookie names, or None (no cookie, forged, ended, or idle too long). Reads only."""
        return self.load_many(db, [cookie], now)[0]

    def load_many(self, db: Session, cookies: Sequence[str | None], now: datetime) -> list[BrowserSession | None]:
        """:meth:`load` of each cookie, in one query (the recipients' page views are read in batches)."""
        sids = [self._unsign(cookie) for cookie in cookies]
        hashes = {_hash(sid) for sid in sids if sid is not None}
        rows = {row.id_hash: row for row in db.execute(
            select(WebSession.id_hash, WebSession.data, WebSession.created_at, WebSession.last_seen_at)
            .where(WebSession.id_hash.in_(hashes)))} if hashes else {}
        found: list[BrowserSession | None] = []
        for sid in sids:
            row = rows.get(_hash(sid)) if sid is not None else None
            if sid is None or row is None or now - row.last_seen_at > self.idle:
                found.append(None)
            else:
                found.append(BrowserSession(sid=sid, data=json.loads(row.data), created_at=row.created_at,
                                            last_seen_at=row.last_seen_at))
        return found

    @staticmethod
    def needs_touch(session: BrowserSession, now: datetime) -> bool:
        return now - session.last_seen_at > _TOUCH_EVERY

    def touch(self, db: Session, session: BrowserSession, now: datetime) -> None:
        """Record a request, so the idle timeout counts from now."""
        self._touch_all(db, [session], now)

    def touch_due(self, db: Session, sessions: Sequence[BrowserSession], now: datetime) -> None:
        """:meth:`touch` those of ``sessions`` that need it (:meth:`needs_touch`), in one statement."""
        self._touch_all(db, [s for s in sessions if self.needs_touch(s, now)], now)

    @staticmethod
    def _touch_all(db: Session, due: Sequence[BrowserSession], now: datetime) -> None:
        if due:
            db.execute(update(WebSession).where(WebSession.id_hash.in_({_hash(s.sid) for s in due}))
                       .values(last_seen_at=now).execution_options(synchronize_session=False))
            for session in due:
                session.last_seen_at = now

    def create(self, db: Session, now: datetime, data: dict[str, Any] | None = None) -> BrowserSession:
        """A new session with a fresh random id; its cookie value is in ``.cookie``."""
        sid = secrets.token_urlsafe(32)
        session = BrowserSession(sid=sid, data=dict(data or {}), created_at=now, last_seen_at=now,
                                 cookie=self._sign(sid))
        db.add(WebSession(id_hash=_hash(sid), data=self._dump(session.data), created_at=now, last_seen_at=now))
        return session

    def save(self, db: Session, session: BrowserSession, now: datetime) -> None:
        row = db.get(WebSession, _hash(session.sid))
        if row is None:
            raise LookupError("the session ended while this request ran")
        row.data = self._dump(session.data)
        row.last_seen_at = session.last_seen_at = now

    def rotate(self, db: Session, session: BrowserSession, now: datetime, data: dict[str, Any]) -> BrowserSession:
        """End ``session`` and start a new one with ``data``: done at login, so an id seen before is worthless."""
        self.end(db, session)
        return self.create(db, now, data)

    def end(self, db: Session, session: BrowserSession) -> None:
        db.execute(delete(WebSession).where(WebSession.id_hash == _hash(session.sid)))

    def purge(self, db: Session, now: datetime) -> int:
        """Delete every session idle longer than the timeout; return how many."""
        result = db.execute(delete(WebSession).where(WebSession.last_seen_at < now - self.idle))
        return int(getattr(result, "rowcount", 0) or 0)

    @staticmethod
    def _dump(data: dict[str, Any]) -> str:
        text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        if len(text) > MAX_DATA:
            raise ValueError(f"session data is {len(text)} characters; at most {MAX_DATA} are kept")
        return text


def utcnow() -> datetime:
    return datetime.now(UTC)
