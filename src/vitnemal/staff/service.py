"""Issuing, listing, revoking and checking case workers' API tokens. Only a SHA-256 hash of each token is stored.

Every token expires (:data:`DEFAULT_LIFETIME` unless said otherwise); an expired or revoked token is refused.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.staff.models import StaffToken

DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=366)


class NotAuthenticated(Exception):
    """The request carries no usable case worker's token; the message says which and what to do."""


class TokenNotFound(LookupError):
    pass


@dataclass(frozen=True)
class IssuedToken:
    id: int
    username: str
    token: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, username: str, *, now: datetime | None = None,
                lifetime: timedelta = DEFAULT_LIFETIME) -> IssuedToken:
    """Create an API token for ``username``; the token itself is in the answer only, so show it once."""
    if not username.strip() or len(username) > 100:
        raise ValueError("a token needs the case worker's user name (at most 100 characters)")
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise ValueError(f"a token lives more than 0 and at most {MAX_LIFETIME.days} days")
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    row = StaffToken(username=username.strip(), token_hash=_hash(token), created_at=now, expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return IssuedToken(row.id, row.username, token, row.expires_at)


def create_token(session: Session, username: str, *, now: datetime | None = None,
                 lifetime: timedelta = DEFAULT_LIFETIME) -> str:
    """Create an API token for ``username`` and return only the token (demo and test federations)."""
    return issue_token(session, username, now=now, lifetime=lifetime).token


def token_state(row: StaffToken, now: datetime) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if row.expires_at <= now else "active"


def list_tokens(session: Session) -> list[StaffToken]:
    """Every token of the institution, newest first (hashes only; the tokens themselves are never stored)."""
    return list(session.scalars(select(StaffToken).order_by(StaffToken.id.desc())))


def revoke_token(session: Session, token_id: int, *, now: datetime | None = None) -> StaffToken:
    """Revoke a token at once (revoking a revoked token keeps its first revocation time)."""
    row = session.get(StaffToken, token_id)
    if row is None:
        raise TokenNotFound(f"no token {token_id} here; `vitnemal tokens list` shows the ids")
    if row.revoked_at is None:
        row.revoked_at = now or datetime.now(UTC)
    return row


def user_for_token(session: Session, token: str, now: datetime | None = None) -> str | None:
    """Return the username the token belongs to, or None for an unknown, expired or revoked token."""
    row = session.scalar(select(StaffToken).where(StaffToken.token_hash == _hash(token)))
    if row is None or token_state(row, now or datetime.now(UTC)) != "active":
        return None
    return row.username


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header; NotAuthenticated when there is none."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("A case worker's bearer token is required.")
    return token.strip()


def authenticate(session: Session, authorization: str | None, now: datetime | None = None) -> str:
    """The case worker behind an ``Authorization`` header, checked against this institution's tokens."""
    user = user_for_token(session, bearer_token(authorization), now)
    if user is None:
        raise NotAuthenticated("Unknown, expired or revoked token for this institution: ask its administrator "
                               "for a new one (`vitnemal tokens issue`).")
    return user
