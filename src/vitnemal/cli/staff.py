"""``vitnemal staff``: the roles of staff who log in to the institution's pages (grant, revoke, list).

An institution's roles are kept in its own database; the federation operator's role (``--operator``) in the web
surface's database. The commands open the database in the federation at --home directly (no server needed);
every grant and revocation is an audit event there. The API's bearer tokens (``vitnemal tokens``) are separate:
they are for machine clients, and a person never needs one.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from vitnemal.cli.common import (
    BY,
    HOME,
    JSON,
    OPENS_DATABASE,
    actor,
    fail,
    open_session,
    refuse,
)
from vitnemal.i18n import P_

app = typer.Typer(help="Roles of staff on the institution's pages: grant, revoke, list. " + OPENS_DATABASE,
                  no_args_is_help=True)

INSTITUTION = typer.Option(None, "--institution", "-i", help="The institution's code, e.g. 185.")
OPERATOR = typer.Option(False, "--operator", help="The federation operator's role (not an institution's).")
USER = typer.Option(..., "--user", "-u", help="The login's user name (Feide: eduPersonPrincipalName), e.g. "
                                              "kari@uio.no.")
ROLE = typer.Option(None, "--role", "-r", help="case_worker, diploma_officer or institution_admin.")


def _role(role: str | None, operator: bool) -> object:
    from vitnemal.staff.roles import INSTITUTION_ROLES, Role, parse_role

    if operator:
        if role not in (None, Role.OPERATOR.value):
            raise refuse(P_("cli", "--operator takes no --role (it is the federation_operator role)."))
        return Role.OPERATOR
    if role is None:
        raise refuse(P_("cli", "--role is required: case_worker, diploma_officer or institution_admin."))
    try:
        parsed = parse_role(role)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if parsed not in INSTITUTION_ROLES:
        raise refuse(P_("cli", "%(role)s is not an institution's role; use --operator for it."), role=parsed.value)
    return parsed


@app.command("grant")
def grant(user: str = USER, role: str | None = ROLE, institution: str | None = INSTITUTION,
          operator: bool = OPERATOR, by: str | None = BY, home: Path | None = HOME) -> None:
    """Give a user a role at an institution (or make them the federation operator)."""
    from vitnemal.staff.roles import Role, grant_role

    chosen = _role(role, operator)
    assert isinstance(chosen, Role)
    with open_session(institution, operator=operator, home=home) as session:
        new = grant_role(session, user, chosen, by=actor(by))
    where = f"at {institution}" if institution else "in the federation"
    typer.echo(f"{user.strip().lower()} {'now holds' if new else 'already held'} {chosen.value} {where}.")


@app.command("revoke")
def revoke(user: str = USER, role: str | None = ROLE, institution: str | None = INSTITUTION,
           operator: bool = OPERATOR, by: str | None = BY, home: Path | None = HOME) -> None:
    """Take a role from a user at once: their next page view is refused."""
    from vitnemal.staff.roles import Role, revoke_role

    chosen = _role(role, operator)
    assert isinstance(chosen, Role)
    with open_session(institution, operator=operator, home=home) as session:
        gone = revoke_role(session, user, chosen, by=actor(by))
    where = f"at {institution}" if institution else "in the federation"
    if not gone:
        if institution:
            raise refuse(P_("cli", "%(user)s did not hold %(role)s at %(code)s; `vitnemal staff list -i %(code)s` "
                                   "shows who does."), user=user.strip().lower(), role=chosen.value, code=institution)
        raise refuse(P_("cli", "%(user)s did not hold %(role)s in the federation; `vitnemal staff list --operator` "
                               "shows who does."), user=user.strip().lower(), role=chosen.value)
    typer.echo(f"{user.strip().lower()} no longer holds {chosen.value} {where}.")


@app.command("list")
def list_command(institution: str | None = INSTITUTION, operator: bool = OPERATOR, as_json: bool = JSON,
                 home: Path | None = HOME) -> None:
    """Who holds which role at the institution (or in the federation), and who granted it when."""
    from zoneinfo import ZoneInfo

    from vitnemal.staff.roles import list_roles

    with open_session(institution, operator=operator, home=home) as session:
        rows = [(r.username, r.role, r.granted_at, r.granted_by) for r in list_roles(session)]
    if as_json:
        typer.echo(json.dumps([{"user": u, "role": r, "granted_at": at.isoformat(), "granted_by": by}
                               for u, r, at, by in rows]))
        return
    if not rows:
        typer.echo("No roles granted yet. Grant one with `vitnemal staff grant --user … --role … -i CODE`.")
        return
    oslo = ZoneInfo("Europe/Oslo")
    for u, r, at, by in rows:
        typer.echo(f"{u}\t{r}\t{at.astimezone(oslo):%d.%m.%Y %H:%M}\t{by}")
