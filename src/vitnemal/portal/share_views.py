"""The views of shares: each time a recipient opened a share's page or downloaded its PDF or a diploma, logged
with its time and client (the owner sees every one) and audited, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from vitnemal.audit import service as audit
from vitnemal.portal import events
from vitnemal.portal.models import ShareView

MAX_CLIENT_CHARS = 200
_ACTIONS = {"pdf": events.SHARE_PDF, "diploma": events.SHARE_DIPLOMA}


@dataclass(frozen=True)
class NewView:
    """One view to log (:func:`record_views`): the page opened, the PDF or a diploma downloaded."""

    share_id: int
    public_id: str
    owner_id: str
    client: str
    what: str
    at: datetime


def record_views(session: Session, views: Sequence[NewView]) -> None:
    """Log views with their times and clients, and audit each: two statements however many there are."""
    # No views_count += 1 here: every view of one share would queue on that one row's lock. The rows are the count;
    # the purge writes it down before it deletes them.
    if not views:
        return
    session.execute(insert(ShareView), [{"share_id": v.share_id, "at": v.at, "client": v.client[:MAX_CLIENT_CHARS],
                                         "what": v.what} for v in views])
    audit.record_events(session, [
        audit.Entry(actor=f"recipient:{v.client[:80]}", action=_ACTIONS.get(v.what, events.SHARE_VIEWED), at=v.at,
                    subject=v.owner_id, detail=f"share {v.public_id} {v.what}") for v in views])
