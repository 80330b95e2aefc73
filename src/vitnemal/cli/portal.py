"""``vitnemal portal``: the portal's scheduled work, run by hand or by cron (the portal's worker runs it too).

The portal's database is ``settings.url_for("portal")`` in the federation at VITNEMAL_HOME.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from vitnemal.cli.common import said
from vitnemal.i18n import P_

app = typer.Typer(help="Vitnemålsportalen: scheduled work (purge, retries).", no_args_is_help=True)


@app.command("purge")
def purge_command(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Delete shared data 12 months after each share ended (only counts remain), day-old fetches, old attempts."""
    from vitnemal.config import Settings
    from vitnemal.db import Database
    from vitnemal.emrex.transfers import purge as purge_transfers
    from vitnemal.emrex2.service import purge_consents
    from vitnemal.portal.shares import purge

    db = Database(Settings.from_env().url_for("portal"))
    try:
        with db.session() as session:
            now = datetime.now(UTC)
            report = purge(session, now)
            transfers, consents = purge_transfers(session, now), purge_consents(session, now)
    finally:
        db.dispose()
    if as_json:
        typer.echo(json.dumps({**report.__dict__, "transfers": transfers, "consents": consents}))
    else:
        typer.echo(said(P_("cli", "Purged %(shares)s share(s) that ended more than 12 months ago, %(fetches)s "
                                  "fetch(es) older than a day and %(attempts)s old code attempt(s); the data of "
                                  "%(transfers)s EMREX transfer(s) and %(consents)s consent record(s) whose validity "
                                  "ended more than 12 months ago."),
                        shares=report.shares, fetches=report.fetches, attempts=report.attempts,
                        transfers=transfers, consents=consents))
