"""``vitnemal federation test`` (ask a member's node the three questions for a test person) and ``log`` (the
operator's log)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from vitnemal.cli.common import (
    BY,
    HOME,
    JSON,
    LANG,
    Language,
    actor,
    fail,
    require_federation,
    settings_for,
    web_session,
)

DEMO_TEST_PERSON = "01536112185"  # the seed's Testperson1, consenting at the demo's 185


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
    from vitnemal.federation.probe import probe_node
    from vitnemal.web.pages import upgrade_web_database

    settings = settings_for(home)
    require_federation(settings, lang)
    upgrade_web_database(settings)
    try:
        result, name = probe_node(settings, code, person, requester, actor(by))
    except (LookupError, ValueError, FileNotFoundError) as exc:
        raise fail(str(exc).strip("'\""), lang=lang) from None
    if as_json:
        typer.echo(json.dumps({"institution": code, "requester": result.requester, "outcome": str(result.outcome),
                               "reached": result.reached, "answers": [str(a) for a in result.answers],
                               "results": result.results_count, "qualifications": result.qualifications_count,
                               "elapsed_ms": result.elapsed_ms, "detail": result.detail}, ensure_ascii=False))
    else:
        typer.echo(f"{code} {name}, spurt av {result.requester}:")
        for number, (question, word, why) in enumerate(texts.answer_lines(result, lang), start=1):
            typer.echo(f"  {number}. {question} {word}." + (f" {why}" if why else ""))
        typer.echo(texts.summary(result, name, lang))
    if not result.reached:
        raise typer.Exit(1)


def log(
    institution: str | None = typer.Option(None, "--institution", "-i", help="Only this member's events."),
    as_json: bool = JSON,
    home: Path | None = HOME,
) -> None:
    """The operator's log: every registration, key rotation, retirement, taking out and connection test."""
    from vitnemal.federation.membership import operator_log
    from vitnemal.i18n import show_time

    with web_session(settings_for(home), write=False) as session:
        events = [(e.at, e.actor, e.action, json.loads(e.detail or "{}"))
                  for e in operator_log(session, code=institution)]
    if as_json:
        typer.echo(json.dumps([{"at": at.isoformat(), "actor": who, "action": action, **detail}
                               for at, who, action, detail in events], ensure_ascii=False, indent=1))
        return
    if not events:
        typer.echo("Ingen hendelser i operatørloggen.")
    for at, who, action, detail in events:
        rest = ", ".join(f"{k}={v}" for k, v in detail.items() if k != "institution")
        typer.echo(f"{show_time(at)}  {who}  {action}  {detail.get('institution', '')}  {rest}")
