"""``vitnemal records``: an institution's own records (what its student system holds)."""

from __future__ import annotations

import typer

app = typer.Typer(help="An institution's own records: people, results, degrees, consents, settings.",
                  no_args_is_help=True)
