"""Builds and upgrades institution databases with the Alembic migrations (never ``create_all``).

Alembic (with Mako and SQLAlchemy) is imported inside the functions that use it: the CLI imports this module for
:class:`SchemaOutdated` on every start, and ``vitnemal --help`` must not pay ~0.2 s for a migration framework.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from vitnemal.files import sqlite_path, touch_private

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (the newest by default); a new SQLite file is made 0600."""
    path = sqlite_path(url)
    if path is not None:
        touch_private(path)
    from alembic import command

    command.upgrade(alembic_config(url), revision)


class SchemaOutdated(RuntimeError):
    """The database was made by an older version of the program; the message says how to upgrade it."""


@functools.cache
def head_revision() -> str:
    """The newest migration's revision, the one this program's models describe."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database at ``engine`` is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_current(engine: Engine, label: str) -> None:
    """Raise SchemaOutdated, with what to do, unless the database is at the newest revision."""
    revision = current_revision(engine)
    if revision != head_revision():
        raise SchemaOutdated(
            f"The database {label} is at schema revision {revision or 'none'}; this version of vitnemal needs "
            f"{head_revision()}. Run `vitnemal db upgrade` (it keeps all data), then start again."
        )
