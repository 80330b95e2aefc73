"""Database access: one engine per institution database, sessions, and the schema's declarative base.

SQLite is the embedded default. It gets WAL mode (readers never block the writer), foreign keys, a busy timeout and
``BEGIN IMMEDIATE`` for write sessions: a deferred SQLite transaction that reads and then writes fails outright when
another writer committed in between, while an immediate one simply waits its turn. Read-only work (a node answering)
uses ``read_session`` and never takes the write lock. PostgreSQL needs none of this.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from vitnemal.files import sqlite_path, touch_private

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on every engine.

    SQLite has no time zones and would hand back naive datetimes; comparing or signing those is a bug waiting.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        touch_private(path)  # SQLite would create it world-readable under a 022 umask
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()
        # SQLite's built-in lower() folds ASCII only, so lower('Øystein') stayed 'Øystein' and a search for
        # "øystein" missed him; Python's lower() folds æ, ø, å (and every other letter) as PostgreSQL does.
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str, *, immediate: bool = True, pooled: bool = True, pool_size: int = 5) -> Engine:
    """Return an engine for ``url``; see the module docstring for the SQLite settings.

    ``pool_size`` connections are kept open, as many again may be opened for a burst; those are closed when given
    back, so a pool smaller than the requests usually in flight opens a PostgreSQL connection (a process) per request.
    """
    if is_sqlite(url):
        return _sqlite_engine(url, immediate)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if not pooled:
        kwargs["poolclass"] = NullPool
    else:
        kwargs.update(pool_size=pool_size, max_overflow=max(pool_size, 10))
    return create_engine(url, **kwargs)


class Database:
    """One institution's database: a write engine and, on SQLite, a separate read engine."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.engine = make_engine(url, immediate=True, pool_size=pool_size)
        self.read_engine = make_engine(url, immediate=False) if is_sqlite(url) else self.engine
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        # SQLite has one writer at a time; when a second one finds the lock taken, SQLite's busy handler sleeps
        # in steps of up to 100 ms. Writers of this process queue on a lock instead and get their turn at once.
        self._write_lock = threading.Lock() if self.sqlite else None
        self._schema_checked = False

    def _check_schema(self) -> None:
        # Once per process and database: a database left by an older version gets a clear "upgrade" message
        # instead of "no such table" halfway through someone's work.
        if not self._schema_checked:
            from vitnemal.schema import check_current

            check_current(self.read_engine, self.url.rpartition("/")[2] or self.url)
            self._schema_checked = True

    @property
    def label(self) -> str:
        """The database for messages: its file, or its URL without the password."""
        from sqlalchemy.engine import make_url

        path = sqlite_path(self.url)
        return str(path) if path is not None else make_url(self.url).render_as_string(hide_password=True)

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write session that commits on success and rolls back on any error."""
        self._check_schema()
        if self._write_lock is None:
            with self._write() as session, session.begin():
                yield session
            return
        with self._write_lock, self._write() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reads only; it never takes SQLite's write lock."""
        self._check_schema()
        with self._read() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


class Databases:
    """The databases of every institution this process serves, opened lazily and shared between threads."""

    def __init__(self, url_for: Any) -> None:
        self._url_for = url_for
        self._open: dict[str, Database] = {}
        self._lock = threading.Lock()

    def __call__(self, code: str) -> Database:
        with self._lock:
            db = self._open.get(code)
            if db is None:
                db = self._open[code] = Database(self._url_for(code))
            return db

    def dispose(self) -> None:
        with self._lock:
            for db in self._open.values():
                db.dispose()
            self._open.clear()
