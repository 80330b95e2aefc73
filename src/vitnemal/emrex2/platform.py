"""The platforms' API (issue 10 #7), the service: a platform with a client-credentials token reads what concerns it
alone, the transfers made to it and the consents given to it, by their ids and dates (no name, no national id, no
result: those it received, or may fetch, with the applicant's consent). Each read is an audit event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from vitnemal.audit import service as audit
from vitnemal.audit.events import AuditAction
from vitnemal.emrex.models import EmrexClient, EmrexTransfer
from vitnemal.emrex2.models import Emrex2Grant, PlatformToken
from vitnemal.emrex2.server import digest
from vitnemal.emrex2.service import ResultsRefused

MAX_LIMIT = 200


def platform_for(session: Session, authorization: str | None, scope: str, now: datetime) -> tuple[int, str]:
    """(the client's row id, its client id) for a bearer token that holds ``scope``; ResultsRefused otherwise."""
    kind, _, token = (authorization or "").partition(" ")
    row = session.get(PlatformToken, digest(token.strip())) if kind.lower() == "bearer" and token else None
    if row is None or now >= row.expires_at:
        raise ResultsRefused(401, "invalid_token", "no valid access token (client credentials)")
    client = session.get(EmrexClient, row.client_pk)
    if client is None or client.removed_at is not None:
        raise ResultsRefused(401, "invalid_token", "the client is no longer registered")
    if scope not in row.scope.split():
        raise ResultsRefused(403, "insufficient_scope", f"the token does not hold the scope {scope}")
    return client.id, client.client_id


def _newest(session: Session, model: Any, client_pk: int, when: Any, *, limit: int, client_id: str, now: datetime,
            what: str, heavy: tuple[Any, ...]) -> list[Any]:
    """This platform's rows of ``model``, newest first (at most :data:`MAX_LIMIT`), without the ``heavy`` columns
    (documents, results: never answered here, so never read); the read is audited."""
    rows = session.scalars(select(model).options(*(defer(c) for c in heavy)).where(model.client_pk == client_pk)
                           .order_by(when.desc(), model.id.desc()).limit(min(max(limit, 1), MAX_LIMIT))).all()
    audit.record_event(session, actor=f"client:{client_id}", action=AuditAction.EMREX2_PLATFORM_READ, now=now,
                       detail=f"{len(rows)} {what}(s)")
    return list(rows)


def transfers(session: Session, client_pk: int, client_id: str, *, limit: int, now: datetime) -> list[dict[str, Any]]:
    """The transfers to this platform, newest first."""
    rows = _newest(session, EmrexTransfer, client_pk, EmrexTransfer.created_at, limit=limit, client_id=client_id,
                   now=now, what="transfer",
                   heavy=(EmrexTransfer.pdf, EmrexTransfer.elmo, EmrexTransfer.snapshot, EmrexTransfer.owner_name))
    return [{"id": r.public_id, "sent_at": r.created_at, "protocol": r.protocol, "data_format": r.data_format,
             "qualifications": r.qualifications_count, "courses": r.courses_count, "valid_until": r.expires_at,
             "deleted_at": r.purged_at} for r in rows]


def consents(session: Session, client_pk: int, client_id: str, *, limit: int, now: datetime) -> list[dict[str, Any]]:
    """The consents given to this platform, newest first, with whether each still holds."""
    rows = _newest(session, Emrex2Grant, client_pk, Emrex2Grant.consented_at, limit=limit, client_id=client_id,
                   now=now, what="consent", heavy=(Emrex2Grant.snapshot, Emrex2Grant.owner_name))
    return [{"reference": r.ref_id, "consented_at": r.consented_at, "ended_at": r.revoked_at,
             "qualifications": r.qualifications_count, "courses": r.courses_count} for r in rows]
