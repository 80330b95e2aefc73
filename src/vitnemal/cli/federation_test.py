"""``vitnemal federation test`` (ask a member's node the three questions for a test person) and ``log`` (the
operator's log)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from vitnemal.cli.common import BY, HOME, JSON, LANG, Language, actor, fail, settings_for

DEMO_TEST_PERSON = "01536112185"  # the seed's Testperson1, consenting at the demo's 185


def _requester(settings: Any, registry: Any, node: str, wanted: str | None) -> str:
    """``--as``, else the first institution other than ``node`` whose key this host holds (185 first)."""
    if wanted is not None:
        registry.get(wanted)
        return wanted
    held = [c for c in registry.codes() if c != node and (settings.keys_dir / f"{c}.pem").exists()]
    if not held:
        raise fail("this host holds no requesting institution's key: give one with --as CODE")
    return "185" if "185" in held else held[0]


def run_test(settings: Any, code: str, person: str, requester: str | None, actor: str) -> tuple[Any, str]:
    """Ask ``code``'s node as ``requester`` (see :mod:`vitnemal.federation.connection`), record it in the
    operator's log, and return (the test, the node's name). Shared by the CLI and the operator's page."""
    import asyncio

    from vitnemal.db import Database
    from vitnemal.exchange.client import HttpNodeClient
    from vitnemal.federation import connection, membership
    from vitnemal.institutions.keys import load_private_key
    from vitnemal.institutions.registry import LiveRegistry

    registry = LiveRegistry(settings.registry_path)
    entry = registry.get(code)
    if not entry.answers:
        raise ValueError(f"{code} ({entry.name_nb}) runs no node that orders ask"
                         + (" (it was taken out of the federation)" if entry.withdrawn else ""))
    asking = _requester(settings, registry, code, requester)
    key = load_private_key(settings.keys_dir / f"{asking}.pem")
    now = datetime.now(UTC)
    db = Database(settings.url_for(asking))
    try:
        with db.read_session() as session:
            request = connection.connection_request(session, requester=asking, node=code, national_id=person,
                                                    now=now)
    finally:
        db.dispose()

    async def ask() -> Any:
        client = HttpNodeClient(max_connections=1)
        try:
            return await connection.ask(request, registry=registry, key=key, client=client,
                                        timeout_s=settings.node_timeout_s)
        finally:
            await client.aclose()

    test = asyncio.run(ask())
    log_db = Database(settings.url_for("portal"))
    try:
        with log_db.session() as session:
            membership.record_connection_test(session, code=code, actor=actor, now=now, requester=asking,
                                              outcome=str(test.outcome))
    finally:
        log_db.dispose()
    return test, entry.name_nb


def test(
    code: str = typer.Argument(..., help="The member whose node to ask."),
    person: str = typer.Option(DEMO_TEST_PERSON, "--person", help="The test person's national id (use a test "
                               "person: the node logs the request as a disclosure)."),
    requester: str | None = typer.Option(None, "--as", help="Ask as this institution (its key must be here).",
                                         show_default="185, else the first institution whose key is here"),
    lang: Language = LANG,
    as_json: bool = JSON,
    home: Path | None = HOME,
    by: str | None = BY,
) -> None:
    """Test the connection: ask the node the seed's three questions for a test person and show each answer."""
    from vitnemal.federation import texts
    from vitnemal.web.pages import upgrade_web_database

    settings = settings_for(home)
    if not settings.registry_path.exists():
        raise fail(f"no federation at {settings.home}: set VITNEMAL_HOME or run `vitnemal federation generate`")
    upgrade_web_database(settings)
    try:
        result, name = run_test(settings, code, person, requester, actor(by))
    except (LookupError, ValueError, FileNotFoundError) as exc:
        raise fail(str(exc).strip("'\"")) from None
    if as_json:
        typer.echo(json.dumps({"institution": code, "requester": result.requester, "outcome": str(result.outcome),
                               "reached": result.reached, "answers": [str(a) for a in result.answers],
                               "results": result.results_count, "qualifications": result.qualifications_count,
                               "elapsed_ms": result.elapsed_ms, "detail": result.detail}, ensure_ascii=False))
    else:
        typer.echo(f"{code} {name}, spurt av {result.requester}:")
        for number, (question, word, why) in enumerate(texts.answer_lines(result, lang.value), start=1):
            typer.echo(f"  {number}. {question} {word}." + (f" {why}" if why else ""))
        typer.echo(texts.summary(result, name, lang.value))
    if not result.reached:
        raise typer.Exit(1)


def log(
    institution: str | None = typer.Option(None, "--institution", "-i", help="Only this member's events."),
    as_json: bool = JSON,
    home: Path | None = HOME,
) -> None:
    """The operator's log: every registration, key rotation, retirement, taking out and connection test."""
    from vitnemal.db import Database
    from vitnemal.federation.membership import operator_log
    from vitnemal.i18n import show_time
    from vitnemal.web.pages import upgrade_web_database

    settings = settings_for(home)
    if not settings.registry_path.exists():
        raise fail(f"no federation at {settings.home}: set VITNEMAL_HOME or run `vitnemal federation generate`")
    upgrade_web_database(settings)
    db = Database(settings.url_for("portal"))
    try:
        with db.read_session() as session:
            events = [(e.at, e.actor, e.action, json.loads(e.detail or "{}"))
                      for e in operator_log(session, code=institution)]
    finally:
        db.dispose()
    if as_json:
        typer.echo(json.dumps([{"at": at.isoformat(), "actor": who, "action": action, **detail}
                               for at, who, action, detail in events], ensure_ascii=False, indent=1))
        return
    if not events:
        typer.echo("Ingen hendelser i operatørloggen.")
    for at, who, action, detail in events:
        rest = ", ".join(f"{k}={v}" for k, v in detail.items() if k != "institution")
        typer.echo(f"{show_time(at)}  {who}  {action}  {detail.get('institution', '')}  {rest}")
