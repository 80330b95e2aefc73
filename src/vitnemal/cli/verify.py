"""``vitnemal verify``: is this signed document genuine?"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``verify`` command to the top-level app."""
