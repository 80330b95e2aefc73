"""The institutions this process serves: their databases and signing keys, beside the federation's registry."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from joserfc.jwk import ECKey

from vitnemal.config import Settings
from vitnemal.db import Database, Databases
from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.institutions.registry import LiveRegistry, Registry
from vitnemal.institutions.stopped import StoppedNodes

log = logging.getLogger("vitnemal.host")


def database_problem(db: Database) -> str | None:
    """Why ``db`` cannot be used (unreadable, corrupt, older schema), or None when it can."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from vitnemal.schema import SchemaOutdated

    try:
        with db.read_session() as session:
            session.execute(text("SELECT 1"))
    except SchemaOutdated as exc:
        return str(exc)
    except DBAPIError as exc:
        return f"the database {db.label} cannot be read ({exc.orig}); restore it from a backup"
    return None


@dataclass
class LocalInstitutions:
    """Everything a host needs to act for the institutions whose private keys it holds.

    One host can serve a single institution (a real deployment) or a whole demo federation. ``codes`` are the
    members served here: by default every member with a database of its own (``Registry.hosted_codes``: the
    institutions, the language-test register, the admission bodies) whose key file is present. The registry is a
    :class:`LiveRegistry` and a key file is read again when it changes, so a key rotation or a member taken out
    by the operator takes effect without a restart.
    """

    settings: Settings
    registry: Registry
    codes: list[str]
    databases: Databases
    # Institutions whose database could not be opened when the host started, with the reason (for the log): their
    # nodes and API answer "unavailable" (503) while the others are served.
    unavailable: dict[str, str] = field(default_factory=dict)
    # Nodes stopped on this host (``vitnemal demo stop-node``): they answer 503, like a node that is down.
    stopped: StoppedNodes | None = None
    # The signing keys read so far, with the key file's (inode, mtime, size) when read: a rotated key is read anew.
    _keys: dict[str, tuple[tuple[int, int, int], ECKey]] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, codes: Iterable[str] | None = None, *, probe: bool = True) -> LocalInstitutions:
        """The host for ``codes`` (default: every member whose key is here); with ``probe`` each database is opened
        once, and one that cannot be read or has an older schema is set aside as unavailable (see :meth:`probe`)."""
        registry = LiveRegistry(settings.registry_path)
        if codes is None:
            served = [c for c in registry.hosted_codes() if (settings.keys_dir / f"{c}.pem").exists()]
        else:
            served = list(codes)
            for code in served:
                registry.get(code)  # raises UnknownInstitution with a helpful message
        host = cls(settings=settings, registry=registry, codes=served, databases=Databases(settings.url_for),
                   stopped=StoppedNodes(settings.home))
        if probe:
            host.probe()
        return host

    def probe(self) -> dict[str, str]:
        """Open every served database once; set aside (and log) each one that fails, keep serving the others."""
        for code in list(self.codes):
            reason = database_problem(self.db(code))
            if reason is not None:
                self.codes.remove(code)
                self.unavailable[code] = reason
                log.warning("institution %s is unavailable on this host: %s", code, reason)
        return self.unavailable

    def serves(self, code: str) -> bool:
        """True when this host answers for ``code``: a member taken out of the federation is served no more."""
        entry = self.registry.institutions.get(code)
        return code in self.codes and entry is not None and not entry.withdrawn

    def is_stopped(self, code: str) -> bool:
        return self.stopped is not None and code in self.stopped

    def db(self, code: str) -> Database:
        return self.databases(code)

    def key(self, code: str) -> ECKey:
        path = self.settings.keys_dir / f"{code}.pem"
        try:
            st = path.stat()
            seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            seen = (0, 0, 0)  # load_private_key says what is missing
        cached = self._keys.get(code)
        if cached is None or cached[0] != seen:
            cached = self._keys[code] = (seen, load_private_key(path))
        return cached[1]

    def close(self) -> None:
        self.databases.dispose()
