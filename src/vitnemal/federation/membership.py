"""The operator's changes to the federation: register a member, rotate its key with an overlap, retire the old key,
take a member out. Each change is made to ``registry.json`` under its lock and recorded as an audit event in the
caller's session (the operator's log), which the caller commits.

The registry is re-read by every running node and requester when it changes (``LiveRegistry``), so none of these
needs a restart: a new member is asked by the next order, a rotated key verifies at once, a member taken out is
refused from its next message on.

A rotation without downtime: the new key becomes the one the member signs with and the old one stays accepted
until the overlap ends (``previous_keys``), so messages signed with either verify everywhere meanwhile; then the
old key is retired, by the operator (:func:`retire_previous_key`) or by the end of the overlap.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.models import AuditEvent
from vitnemal.audit.service import record_event
from vitnemal.federation import rules
from vitnemal.federation.rules import MembershipError
from vitnemal.institutions.exchange_keys import PublicJwk
from vitnemal.institutions.registry import InstitutionEntry, MemberKind, Registry, UnknownInstitution, editing

OPERATOR_ACTIONS = (AuditAction.FEDERATION_REGISTERED, AuditAction.FEDERATION_KEY_ROTATED,
                    AuditAction.FEDERATION_KEY_RETIRED, AuditAction.FEDERATION_TAKEN_OUT,
                    AuditAction.FEDERATION_CONNECTION_TESTED)


def _record(session: Session, actor: str, action: AuditAction, now: datetime, **detail: Any) -> None:
    record_event(session, actor=actor, action=action, now=now,
                 detail=json.dumps(detail, ensure_ascii=False, sort_keys=True))
    session.flush()  # the event is written (or the change refused) before the registry file is replaced


def _member(registry: Registry, code: str) -> InstitutionEntry:
    try:
        return registry.get(code)
    except UnknownInstitution as exc:
        raise MembershipError(str(exc)) from None


def _key_owner(registry: Registry, jwk: PublicJwk, now: datetime) -> str | None:
    wanted = rules.thumbprint(jwk)
    for entry in registry:
        if any(rules.thumbprint(k) == wanted for k in entry.accepted_jwks(now) if k):
            return entry.code
    return None


def register(session: Session, registry_path: Path, *, code: str, name_nb: str, name_en: str, short_name: str,
             endpoint: str, public_jwk: PublicJwk, actor: str, now: datetime,
             kind: MemberKind = MemberKind.INSTITUTION, require_https: bool = False) -> InstitutionEntry:
    """Add a member with its node's endpoint and public key (see :mod:`vitnemal.federation.rules` for what is
    accepted). A code in use, even by a member taken out (its name stays on earlier results), is refused."""
    if kind not in rules.REGISTRABLE_KINDS:
        raise MembershipError(f"a member of kind {kind} is not registered by hand; register an institution, an "
                              "admission body or a language-test register")
    code = rules.check_code(code, kind)
    entry = InstitutionEntry(
        code, rules.check_name("Norwegian name", name_nb), rules.check_name("English name", name_en),
        rules.check_name("short name", short_name, rules.MAX_SHORT_NAME_CHARS),
        rules.check_endpoint(endpoint, require_https=require_https), public_jwk, kind)
    with editing(registry_path) as registry:
        if code in registry:
            old = registry.get(code)
            if old.withdrawn:
                raise MembershipError(f"code {code} belonged to {old.name_nb}, taken out of the federation on "
                                      f"{old.withdrawn_at[:10] if old.withdrawn_at else '?'}; codes are not reused, "
                                      "so earlier results keep their source")
            raise MembershipError(f"code {code} is registered already ({old.name_nb}); to give it a new key use "
                                  f"`vitnemal federation rotate-key {code}`")
        owner = _key_owner(registry, public_jwk, now)
        if owner is not None:
            raise MembershipError(f"this key is registered already for {owner}: every member has its own key")
        registry.institutions[code] = entry
        _record(session, actor, AuditAction.FEDERATION_REGISTERED, now, institution=code, name=entry.name_nb,
                endpoint=entry.node_url, kind=str(kind), key=rules.thumbprint(public_jwk))
    return entry


def rotate_key(session: Session, registry_path: Path, *, code: str, public_jwk: PublicJwk,
               overlap: timedelta, actor: str, now: datetime) -> InstitutionEntry:
    """Make ``public_jwk`` the member's key; its current key stays accepted for ``overlap``. Refused while an
    earlier rotation's overlap lasts (retire that key first), for a member taken out, or for the same key."""
    overlap = rules.check_overlap(overlap)
    with editing(registry_path) as registry:
        entry = _member(registry, code)
        if entry.withdrawn:
            raise MembershipError(f"{code} ({entry.name_nb}) was taken out of the federation; it has no key to "
                                  "rotate")
        running = [p for p in entry.previous_keys if datetime.fromisoformat(p["until"]) > now]
        if running:
            raise MembershipError(
                f"a key rotation of {code} is under way: its previous key is accepted until {running[0]['until']}. "
                f"Retire it first (`vitnemal federation retire-key {code}`), then rotate again")
        owner = _key_owner(registry, public_jwk, now)
        if owner is not None:
            raise MembershipError(f"this key is registered already for {owner}" +
                                  (": it is the current key; send a new one" if owner == code else ""))
        until = now + overlap
        old = entry.public_jwk  # None for a member registered without a key: nothing to keep accepting
        rotated = replace(entry, public_jwk=public_jwk,
                          previous_keys=[] if old is None else [{"jwk": old, "until": until.isoformat()}])
        registry.institutions[code] = rotated
        _record(session, actor, AuditAction.FEDERATION_KEY_ROTATED, now, institution=code, name=entry.name_nb,
                key=rules.thumbprint(public_jwk), previous_key=None if old is None else rules.thumbprint(old),
                previous_until=until.isoformat())
    return rotated


def retire_previous_key(session: Session, registry_path: Path, *, code: str, actor: str,
                        now: datetime) -> InstitutionEntry:
    """End a rotation's overlap now: only the member's current key is accepted from here on."""
    with editing(registry_path) as registry:
        entry = _member(registry, code)
        if not entry.previous_keys:
            raise MembershipError(f"{code} ({entry.name_nb}) has no previous key to retire: only its current key "
                                  "is accepted")
        retired = replace(entry, previous_keys=[])
        registry.institutions[code] = retired
        _record(session, actor, AuditAction.FEDERATION_KEY_RETIRED, now, institution=code, name=entry.name_nb,
                retired=[rules.thumbprint(p["jwk"]) for p in entry.previous_keys],
                overlap_was_until=[p["until"] for p in entry.previous_keys])
    return retired


def take_out(session: Session, registry_path: Path, *, code: str, reason: str, actor: str,
             now: datetime) -> InstitutionEntry:
    """Take a member out of the federation: no order asks it any more and its signed requests and answers are
    refused; its entry (names, endpoint) stays so earlier orders and imported results still name their source."""
    reason = rules.check_name("reason", reason, rules.MAX_REASON_CHARS)
    with editing(registry_path) as registry:
        entry = _member(registry, code)
        if entry.withdrawn:
            raise MembershipError(f"{code} ({entry.name_nb}) was taken out already, on {entry.withdrawn_at}")
        if entry.kind is MemberKind.PORTAL:
            raise MembershipError("the portal is part of the federation itself and is not taken out")
        out = replace(entry, withdrawn_at=now.isoformat(), previous_keys=[])
        registry.institutions[code] = out
        _record(session, actor, AuditAction.FEDERATION_TAKEN_OUT, now, institution=code, name=entry.name_nb,
                reason=reason)
    return out


def record_connection_test(session: Session, *, code: str, actor: str, now: datetime, requester: str,
                           outcome: str) -> None:
    """The operator asked ``code``'s node the three questions as ``requester`` (see :mod:`.connection`)."""
    _record(session, actor, AuditAction.FEDERATION_CONNECTION_TESTED, now, institution=code, requester=requester,
            outcome=outcome)


def operator_log(session: Session, *, code: str | None = None, limit: int = 200) -> list[AuditEvent]:
    """The operator's changes and tests, newest first (of one member when ``code`` is given)."""
    query = select(AuditEvent).where(AuditEvent.action.in_([a.value for a in OPERATOR_ACTIONS]))
    if code is not None:
        query = query.where(AuditEvent.detail.contains(json.dumps({"institution": code})[1:-1]))
    return list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
