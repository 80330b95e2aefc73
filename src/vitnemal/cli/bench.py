"""``vitnemal bench``: benchmarks that print their figures as JSON."""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmarks; each prints one JSON object of figures.", no_args_is_help=True)
