"""``vitnemal federation``: make and inspect the (demo) federation."""

from __future__ import annotations

import typer

app = typer.Typer(help="The federation: institutions, their nodes and the demo data.", no_args_is_help=True)
