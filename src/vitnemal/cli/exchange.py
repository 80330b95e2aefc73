"""``vitnemal exchange``: results orders (resultatbestilling)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Fetch a consenting student's results from every institution.", no_args_is_help=True)
