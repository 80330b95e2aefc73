"""``vitnemal recognition``: recognition cases."""

from __future__ import annotations

import typer

app = typer.Typer(help="Recognition cases: open, fetch external results, recognise.", no_args_is_help=True)
