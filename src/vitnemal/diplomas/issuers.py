"""Which institution or school issued a document: the issuing records readable on this machine, and the one of them
that holds a document id. ``vitnemal verify`` and the web service's verification both ask it (issue 12 #7).

The records are those of the institutions given (the web service: those it serves; the CLI: every one in the
registry) and of the schools registered in the home (a school's record is under its organisation number), each only
where its database exists: one is never created just to look in it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

from vitnemal.db import is_sqlite
from vitnemal.diplomas.verify import locate_document
from vitnemal.schema import SchemaOutdated

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from vitnemal.config import Settings

log = logging.getLogger("vitnemal.verify")


def record_exists(settings: Settings, code: str) -> bool:
    """Return whether the database of ``code``'s records exists (a server database is taken to)."""
    url = settings.url_for(code)
    return not is_sqlite(url) or Path(url.removeprefix("sqlite:///")).exists()


@dataclass(frozen=True)
class IssuingRecords:
    """The issuing records readable here, code → name, and how to read one (``read_session(code)``)."""

    holders: Mapping[str, str]
    read_session: Callable[[str], AbstractContextManager[Session]]

    @classmethod
    def here(cls, settings: Settings, institutions: Mapping[str, str],
             read_session: Callable[[str], AbstractContextManager[Session]]) -> IssuingRecords:
        """The records of ``institutions`` (code → name), then of the schools registered in the home, that exist."""
        from vitnemal.school.registry import SchoolRegistry, registry_path

        holders = {code: name for code, name in institutions.items() if record_exists(settings, code)}
        for school in SchoolRegistry.load(registry_path(settings.home)):
            if record_exists(settings, school.organisation_number):
                holders.setdefault(school.organisation_number, school.name)
        return cls(holders, read_session)

    def open(self, code: str) -> AbstractContextManager[Session] | None:
        """A read session on ``code``'s record, or None when it is not here (a :data:`SessionOpener`)."""
        return self.read_session(code) if code in self.holders else None

    def issuer_of(self, document_id: str) -> str | None:
        """Return the code of the institution or school whose record holds ``document_id``, asking each once."""
        for code in self.holders:
            try:
                with self.read_session(code) as session:
                    found = locate_document(session, document_id)
            except (DBAPIError, SchemaOutdated) as exc:
                # A record that cannot be read (a school's PostgreSQL database never made on this server, an old
                # schema) holds nothing we can confirm; the others are still asked.
                log.info("the issuing record of %s cannot be read here: %s", code, exc)
                continue
            if found:
                return code
        return None
