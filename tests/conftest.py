"""Shared fixtures: fresh, migrated databases on SQLite and on a throwaway PostgreSQL server.

PostgreSQL tests skip only when the server binaries are missing on a developer's machine; under CI (CI=true) a
missing server is an error, so they can never silently not run.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from tests.factories import ENGINES

from vitnemal.devtools import postgres
from vitnemal.schema import upgrade

_counter = itertools.count()

# No timed assertions: Hypothesis's default deadline (200 ms an example) fails a property test whenever the shared
# machine is busy (test_an_unchanged_valid_pupil_is_scored_by_the_fast_path: 296 ms for the first example at load 16).
settings.register_profile("vitnemal", deadline=None)
settings.load_profile("vitnemal")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.ThrowawayPostgres]:
    if not postgres.available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL server binaries are missing; CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    server = postgres.ThrowawayPostgres().start()
    server.create_database("template_vitnemal")
    upgrade(server.url("template_vitnemal"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


def _fresh_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    name = f"t{os.getpid()}_{next(_counter)}"
    if kind == "postgresql":
        server: postgres.ThrowawayPostgres = request.getfixturevalue("pg_server")
        return server.create_database(name, template="template_vitnemal")
    template: Path = request.getfixturevalue("sqlite_template")
    target = tmp_path / f"{name}.sqlite"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh database with the whole schema, once on SQLite and once on PostgreSQL."""
    return _fresh_url(request.param, request, tmp_path)


@pytest.fixture
def make_db_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A factory of fresh database URLs of one kind ("sqlite" or "postgresql")."""
    return lambda kind="sqlite": _fresh_url(kind, request, tmp_path)
