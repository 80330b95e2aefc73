"""Running a connection test from an entry point (the CLI, the operator's page): open the requester's records, ask
the node over real HTTP (:mod:`vitnemal.federation.connection`), and record the test in the operator's log."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.federation import connection, membership
from vitnemal.federation.connection import ConnectionTest
from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.institutions.registry import LiveRegistry, Registry


def default_requester(settings: Settings, registry: Registry, node: str, wanted: str | None) -> str:
    """``wanted`` (checked), else the first institution other than ``node`` whose key this host holds (185 first).
    LookupError, saying what to do, when there is none."""
    if wanted:
        registry.get(wanted)
        return wanted
    held = [c for c in registry.codes() if c != node and (settings.keys_dir / f"{c}.pem").exists()]
    if not held:
        raise LookupError("this host holds no requesting institution's key: say which institution asks (--as)")
    return "185" if "185" in held else held[0]


def probe_node(settings: Settings, code: str, person: str, requester: str | None,
               actor: str) -> tuple[ConnectionTest, str]:
    """Ask ``code``'s node as ``requester`` for ``person`` and log it; return (the test, the node's name).
    LookupError or ValueError, saying what to do, when it cannot be asked at all."""
    registry = LiveRegistry(settings.registry_path)
    entry = registry.get(code)
    if not entry.answers:
        raise ValueError(f"{code} ({entry.name_nb}) runs no node that orders ask"
                         + (" (it was taken out of the federation)" if entry.withdrawn else ""))
    asking = default_requester(settings, registry, code, requester)
    key = load_private_key(settings.keys_dir / f"{asking}.pem")
    now = datetime.now(UTC)
    db = Database(settings.url_for(asking))
    try:
        with db.read_session() as session:
            request = connection.connection_request(session, requester=asking, node=code, national_id=person,
                                                    now=now)
    except Exception:
        db.dispose()
        raise

    async def ask() -> ConnectionTest:
        client = HttpNodeClient(max_connections=1)
        try:
            return await connection.ask(request, registry=registry, key=key, client=client,
                                        timeout_s=settings.node_timeout_s)
        finally:
            await client.aclose()

    try:
        test = asyncio.run(ask())
        # The node disclosed (counts of) the test person's results to the requester: that is a disclosure about
        # the person in the requesting institution's own audit log, like any order's (review R9).
        with db.session() as session:
            record_event(session, actor=actor, action=AuditAction.CONNECTION_TEST_FETCHED,
                         subject=request.subject.national_id, now=now,
                         detail=json.dumps({"institution": code, "outcome": str(test.outcome),
                                            "results": test.results_count,
                                            "qualifications": test.qualifications_count}))
    finally:
        db.dispose()
    log_db = Database(settings.url_for("portal"))
    try:
        with log_db.session() as session:
            membership.record_connection_test(session, code=code, actor=actor, now=now, requester=asking,
                                              outcome=str(test.outcome))
    finally:
        log_db.dispose()
    return test, entry.name_nb
