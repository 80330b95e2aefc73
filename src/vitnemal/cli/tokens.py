"""``vitnemal tokens``: case workers' API tokens of one institution (issue, list, revoke).

The commands open the institution's database in the federation at VITNEMAL_HOME directly (no server needed). A
token is shown once, when it is issued; only its hash is stored. Every token expires.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from vitnemal.cli.common import HOME, JSON, OPENS_DATABASE, institution_session

app = typer.Typer(help="Case workers' API tokens: issue (with an expiry), list, revoke. " + OPENS_DATABASE,
                  no_args_is_help=True)

INSTITUTION = typer.Option(..., "--institution", "-i", help="The institution's code, e.g. 185.")


def _oslo(moment: datetime | None) -> str:
    from vitnemal.i18n import show_time

    return show_time(moment) if moment else ""


@app.command("issue")
def issue(
    institution: str = INSTITUTION,
    user: str = typer.Option(..., "--user", "-u", help="The case worker the token is for, e.g. kari@uio.no."),
    days: int = typer.Option(90, "--days", min=1, max=366, help="Days until the token expires."),
    as_json: bool = JSON,
    home: Path | None = HOME,
) -> None:
    """Issue a token; it is printed once and cannot be shown again."""
    from datetime import timedelta

    from vitnemal.staff.service import issue_token

    with institution_session(institution, write=True, home=home) as session:
        issued = issue_token(session, user, lifetime=timedelta(days=days))
    if as_json:
        typer.echo(json.dumps({"id": issued.id, "user": issued.username, "token": issued.token,
                               "expires_at": issued.expires_at.isoformat()}))
        return
    typer.echo(issued.token)
    typer.echo(f"Token {issued.id} for {issued.username} at {institution}, valid until {_oslo(issued.expires_at)} "
               "(Oslo time). Keep it secret: it is shown only now.", err=True)


@app.command("list")
def list_command(institution: str = INSTITUTION, as_json: bool = JSON, home: Path | None = HOME) -> None:
    """The institution's tokens, newest first: who, issued, expires, and whether active, expired or revoked."""
    from datetime import UTC

    from rich.console import Console
    from rich.table import Table

    from vitnemal.staff.service import list_tokens, token_state

    now = datetime.now(UTC)
    with institution_session(institution, write=True, home=home) as session:
        tokens = [(t, token_state(t, now)) for t in list_tokens(session)]
    if as_json:
        typer.echo(json.dumps([{"id": t.id, "user": t.username, "created_at": t.created_at.isoformat(),
                                "expires_at": t.expires_at.isoformat(),
                                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None, "state": state}
                               for t, state in tokens]))
        return
    if not tokens:
        typer.echo(f"No tokens at {institution}. Issue one with `vitnemal tokens issue -i {institution} --user …`.")
        return
    table = Table("id", "user", "issued", "expires", "state", title=f"API tokens at {institution} (Oslo time)")
    for t, state in tokens:
        shown = f"revoked {_oslo(t.revoked_at)}" if state == "revoked" else state
        table.add_row(str(t.id), t.username, _oslo(t.created_at), _oslo(t.expires_at), shown)
    Console().print(table)


@app.command("revoke")
def revoke(institution: str = INSTITUTION,
           token_id: int = typer.Argument(..., min=1, help="The token's id (see `vitnemal tokens list`)."),
           home: Path | None = HOME) -> None:
    """Revoke a token at once: every request with it is refused from now on."""
    from vitnemal.staff.service import revoke_token

    with institution_session(institution, write=True, home=home) as session:
        row = revoke_token(session, token_id)
        typer.echo(f"Token {row.id} of {row.username} at {institution} is revoked.")
