"""Issuing and checking case workers' API tokens. Only a SHA-256 hash of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.staff.models import StaffToken


class NotAuthenticated(Exception):
    """The request carries no usable case worker's token; the message says which."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, username: str) -> str:
    """Create an API token for ``username`` and return it; only its hash is stored, so show it once."""
    token = secrets.token_urlsafe(32)
    session.add(StaffToken(username=username, token_hash=_hash(token), created_at=datetime.now(UTC)))
    return token


def user_for_token(session: Session, token: str) -> str | None:
    """Return the username the token belongs to, or None for an unknown or revoked token."""
    row = session.scalar(select(StaffToken).where(StaffToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row.username


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header; NotAuthenticated when there is none."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("A case worker's bearer token is required.")
    return token.strip()


def authenticate(session: Session, authorization: str | None) -> str:
    """The case worker behind an ``Authorization`` header, checked against this institution's tokens."""
    user = user_for_token(session, bearer_token(authorization))
    if user is None:
        raise NotAuthenticated("Unknown or revoked token for this institution.")
    return user
