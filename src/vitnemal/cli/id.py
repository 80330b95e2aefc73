"""``vitnemal id``: national identity numbers."""

from __future__ import annotations

import typer

app = typer.Typer(help="National identity numbers (fødselsnummer, D-, H- and test numbers).", no_args_is_help=True)
