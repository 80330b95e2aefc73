"""What the CLI's commands share: a clear failure, and a session on one institution's database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit (code 1) to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def institution_session(code: str, *, write: bool = False) -> Iterator[Session]:
    """A session on the institution's database; service errors become a clear message and exit code 1."""
    from vitnemal.config import Settings
    from vitnemal.db import Database
    from vitnemal.institutions.registry import Registry

    settings = Settings.from_env()
    if not settings.registry_path.exists():
        raise fail(f"no federation at {settings.home}: set VITNEMAL_HOME or run `vitnemal federation generate`")
    try:
        Registry.load(settings.registry_path).get(code)
    except LookupError as exc:
        raise fail(str(exc)) from None
    db = Database(settings.url_for(code))
    try:
        with db.session() if write else db.read_session() as session:
            yield session
    except (LookupError, ValueError) as exc:
        raise fail(str(exc)) from None
    finally:
        db.dispose()
