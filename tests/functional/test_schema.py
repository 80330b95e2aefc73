"""The Alembic migrations build the same schema the models describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from vitnemal import models  # noqa: F401
from vitnemal.db import Base, make_engine


def test_migrations_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url, pooled=False)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
