"""Creating (and dropping) one database per institution from a single migrated template.

Running the Alembic migrations once and copying the result is much faster than migrating fifty databases. On SQLite
the template file is copied; on PostgreSQL each database is ``CREATE DATABASE <name> TEMPLATE <template>``, which
needs the server's maintenance database ``postgres`` and the right to create databases.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from vitnemal.config import Settings
from vitnemal.db import is_sqlite
from vitnemal.files import copy_private
from vitnemal.schema import upgrade

TEMPLATE_CODE = "template"
PARALLEL_CREATES = 4


def _check_template(settings: Settings) -> None:
    if settings.url_for("a") == settings.url_for("b"):
        raise ValueError(
            f"The database URL {settings.database_url!r} has no {{code}}: every institution needs its own "
            "database, e.g. postgresql+psycopg://user@host/vitnemal_{code}"
        )


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError(f"{url!r} is not a SQLite file: the federation needs one file per institution")
    return Path(database)


def _remove_sqlite(path: Path) -> None:
    # A stale -wal or -shm file beside a new copy would be read as part of it.
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _admin(url: str):  # type: ignore[no-untyped-def]
    """An autocommit engine on the server's maintenance database (CREATE/DROP DATABASE cannot run in a transaction)."""
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_databases(settings: Settings, codes: Iterable[str]) -> None:
    """Create a fresh, migrated database for each code, replacing any database already at its URL."""
    _check_template(settings)
    codes = list(codes)
    template_url = settings.url_for(TEMPLATE_CODE)
    if is_sqlite(template_url):
        with tempfile.TemporaryDirectory(prefix="vitnemal-template-") as tmp:
            template = Path(tmp) / "template.sqlite"
            upgrade(f"sqlite:///{template}")
            for code in codes:
                target = _sqlite_path(settings.url_for(code))
                _remove_sqlite(target)
                copy_private(template, target)
        return
    template_name = make_url(template_url).database or ""
    engine = _admin(template_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {_quote(template_name)}"))
            conn.execute(text(f"CREATE DATABASE {_quote(template_name)}"))
        upgrade(template_url)

        def copy(code: str) -> None:
            name = make_url(settings.url_for(code)).database or ""
            with engine.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {_quote(name)}"))
                conn.execute(text(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template_name)}"))

        # CREATE DATABASE spends most of its time waiting on the server's checkpoints; a few at once overlap.
        with ThreadPoolExecutor(max_workers=PARALLEL_CREATES) as pool:
            list(pool.map(copy, codes))
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {_quote(template_name)}"))
    finally:
        engine.dispose()


def drop_databases(settings: Settings, codes: Iterable[str]) -> None:
    """Remove the databases of ``codes`` where they exist (SQLite files, or PostgreSQL databases)."""
    codes = list(codes)
    if not codes:
        return
    _check_template(settings)
    if is_sqlite(settings.url_for(codes[0])):
        for code in codes:
            _remove_sqlite(_sqlite_path(settings.url_for(code)))
        return
    engine = _admin(settings.url_for(codes[0]))
    try:
        with engine.connect() as conn:
            for code in codes:
                name = make_url(settings.url_for(code)).database or ""
                conn.execute(text(f"DROP DATABASE IF EXISTS {_quote(name)}"))
    finally:
        engine.dispose()
