"""Database access: one engine per institution database, sessions, and the schema's declarative base.

SQLite is the embedded default. It gets WAL mode (readers never block the writer), foreign keys, a busy timeout and
``BEGIN IMMEDIATE`` for write sessions: a deferred SQLite transaction that reads and then writes fails outright when
another writer committed in between, while an immediate one simply waits its turn. Read-only work (a node answering)
uses ``read_session`` and never takes the write lock. PostgreSQL needs none of this.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError
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

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight to the driver: through SQLAlchemy's execution path this one statement cost a node's write
        # session more CPU than its commit did (issue 11 #3).
        conn.connection.driver_connection.execute(begin)

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


_REQUIRED = object()


class _Shape:
    """One statement compiled for one dialect and one length of each expanding ("IN") parameter: its SQL, how to
    lay out the parameters for the driver, and the result columns' names and processors (found on first run)."""

    __slots__ = ("named", "result", "slots", "sql")

    def __init__(self, compiled: Any, params: dict[str, Any]) -> None:
        state = compiled.construct_expanded_state(params)
        self.sql: str = state.statement
        self.named = state.positiontup is None
        origin = {name: name for name in state.parameters}
        for name, expanded in state.parameter_expansion.items():
            origin.update({new: name for new in expanded})
        index = {new: n for expanded in state.parameter_expansion.values() for n, new in enumerate(expanded)}
        order = state.parameters.keys() if self.named else state.positiontup
        # (the driver's name, the caller's name, the index in the caller's list or -1, the bind processor, the
        # statement's own value: a literal such as LIMIT 1 is a parameter too)
        own = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        self.slots = [(name, origin[name], index.get(name, -1), state.processors.get(name),
                       own.get(origin[name], _REQUIRED)) for name in order]
        # (the columns' processors, the row class): set as one value, as threads share the statement (review R46)
        self.result: tuple[list[Any], Any] | None = None


class Prepared:
    """A Core statement compiled once per dialect and run straight on the session's DBAPI cursor, inside the
    session's transaction: the node's hot statements (issue 11 #3), where SQLAlchemy's per-execution work (cache
    keys, parameter processing, result objects) cost more than the database's.

    Parameters and result values go through the same type processors SQLAlchemy would apply (dates and decimals on
    SQLite, the UTC timestamps), and rows are named tuples with the statement's column names. An expanding
    parameter (``bindparam(..., expanding=True)``) takes a list; each length compiles once. Statements whose values
    SQLAlchemy fills in itself (Python-side column defaults) are not for this helper: give every value.
    """

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[Any, tuple[str, ...]]] = {}
        self._shapes: dict[tuple[str, tuple[int, ...]], _Shape] = {}

    def _shape(self, dialect: Dialect, params: dict[str, Any]) -> _Shape:
        compiled_expanding = self._compiled.get(dialect.name)
        if compiled_expanding is None:
            compiled = self.statement.compile(dialect=dialect)
            expanding = tuple(name for name, bind in compiled.binds.items() if bind.expanding)
            compiled_expanding = self._compiled[dialect.name] = (compiled, expanding)
        compiled, expanding = compiled_expanding
        key = (dialect.name, tuple(len(params[name]) for name in expanding))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape(compiled, params)
        return shape

    def execute(self, session: Session, params: dict[str, Any] | None = None) -> list[Any]:
        """Run the statement in ``session``'s transaction; the result's rows (none for a statement without)."""
        given = params or {}
        cursor, dialect = _cursor(session)
        shape = self._shape(dialect, given)
        values = [given[source][at] if at >= 0 else given[source] if own is _REQUIRED else given.get(source, own)
                  for _, source, at, _, own in shape.slots]
        values = [value if process is None else process(value)
                  for value, (_, _, _, process, _) in zip(values, shape.slots, strict=True)]
        bound = dict(zip((s[0] for s in shape.slots), values, strict=True)) if shape.named else values
        try:
            cursor.execute(shape.sql, bound)
        except dialect.loaded_dbapi.Error as exc:
            # As SQLAlchemy raises it: callers catch IntegrityError (a replayed request id), not the driver's own.
            raise DBAPIError.instance(shape.sql, bound, exc, dialect.loaded_dbapi.Error, hide_parameters=True,
                                      dialect=dialect) from exc
        if cursor.description is None:
            return []
        if shape.result is None:
            compiled = self._compiled[dialect.name][0]
            # (key, name, objects, type) per column, as SQLAlchemy reads them; plain text has none: its names as
            # the database gives them, its values as they come
            columns = compiled._result_columns
            if columns:
                processors = [column[3]._cached_result_processor(dialect, described[1])
                              for column, described in zip(columns, cursor.description, strict=True)]
                names = [column[0] for column in columns]
            else:
                processors, names = [None] * len(cursor.description), [d[0] for d in cursor.description]
            row_class: Any = namedtuple("Row", names, rename=True)  # type: ignore[misc]
            shape.result = processors, row_class
        processors, row = shape.result
        if not any(processors):
            return [row._make(r) for r in cursor.fetchall()]
        return [row._make(v if p is None else p(v) for v, p in zip(r, processors, strict=True))
                for r in cursor.fetchall()]

    def first(self, session: Session, params: dict[str, Any] | None = None) -> Any:
        """The first row, or None."""
        rows = self.execute(session, params)
        return rows[0] if rows else None


def _cursor(session: Session) -> tuple[Any, Dialect]:
    """The DBAPI cursor of ``session``'s current transaction (opened by the session, so SQLite's ``BEGIN
    IMMEDIATE`` and the pool work as for any other statement), made once per transaction."""
    transaction = session.get_transaction()
    held = session.info.get("vitnemal.cursor")
    if held is None or transaction is None or held[0] is not transaction:
        connection = session.connection()
        held = session.info["vitnemal.cursor"] = (session.get_transaction(), connection.connection.cursor(),
                                                  connection.dialect)
    return held[1], held[2]
