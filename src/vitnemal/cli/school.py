"""``vitnemal school``: lower-secondary certificates and admission points."""

from __future__ import annotations

import typer

app = typer.Typer(help="Lower-secondary school leaving certificates and admission points.", no_args_is_help=True)
