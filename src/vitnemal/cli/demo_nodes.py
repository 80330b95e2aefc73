"""``vitnemal demo stop-node`` / ``start-node`` / ``nodes``: take one node of the running demo down and up again.

A stopped node stays in the federation's registry but answers every request with 503, as a node that is down:
orders record it as unavailable and ask it again by the retry rule (the seed: the same time the next day;
``VITNEMAL_RETRY_AFTER_S`` shortens it). The serving processes read the change at once; nothing restarts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from vitnemal.cli.common import BY, HOME, JSON, actor, check_institution, fail, settings_for

demo_app = typer.Typer(help="The demo. Without a command: make the demo federation if there is none, then run "
                            "every node, the worker, the API and the portal on one port. stop-node and start-node "
                            "take one node of the running demo down and up again.")
CODE = typer.Argument(..., help="The institution whose node to stop or start, e.g. 216.")


def stop_at_start(settings: Any, codes: list[str]) -> None:
    """``vitnemal demo --down CODE``: these nodes start stopped (registered, not served)."""
    for code in codes:
        check_institution(settings, code)
        _set(settings, code, True, actor(None))


def _set(settings: Any, code: str, stopped: bool, by: str) -> bool:
    from vitnemal.institutions.stopped import set_stopped

    try:
        return set_stopped(settings.home, code, stopped, by=by, now=datetime.now(UTC))
    except ValueError as exc:
        raise fail(str(exc)) from None


@demo_app.command("stop-node")
def stop_node(code: str = CODE, home: Path | None = HOME, by: str | None = BY) -> None:
    """Take one node down: it stays registered but answers nothing (503) until start-node."""
    settings = settings_for(home)
    check_institution(settings, code)
    changed = _set(settings, code, True, actor(by))
    typer.echo(f"Noden til {code} er stoppet: bestillinger får «utilgjengelig» og spør den på nytt etter "
               f"{settings.retry_after_s / 3600:g} timer. Start den igjen: vitnemal demo start-node {code}"
               if changed else f"Noden til {code} var alt stoppet.")


@demo_app.command("start-node")
def start_node(code: str = CODE, home: Path | None = HOME, by: str | None = BY) -> None:
    """Bring a stopped node up again: it answers the next request (and the retry of a waiting order)."""
    settings = settings_for(home)
    check_institution(settings, code)
    changed = _set(settings, code, False, actor(by))
    typer.echo(f"Noden til {code} svarer igjen." if changed else f"Noden til {code} var ikke stoppet.")


@demo_app.command("nodes")
def nodes(home: Path | None = HOME, as_json: bool = JSON) -> None:
    """List the stopped nodes (every other registered node is served)."""
    from vitnemal.i18n import show_time
    from vitnemal.institutions.stopped import stopped_nodes

    settings = settings_for(home)
    try:
        stopped = stopped_nodes(settings.home)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(stopped, ensure_ascii=False))
        return
    if not stopped:
        typer.echo("Ingen noder er stoppet.")
    for code, info in sorted(stopped.items()):
        at = show_time(datetime.fromisoformat(info["at"])) if info.get("at") else "?"
        typer.echo(f"{code}: stoppet {at} av {info.get('by', '?')}")
