"""``vitnemal diplomas``: issuing diploma sets."""

from __future__ import annotations

import typer

app = typer.Typer(help="Higher-education diplomas: issue, reissue, sample.", no_args_is_help=True)
