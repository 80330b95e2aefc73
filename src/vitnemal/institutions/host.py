"""The institutions this process serves: their databases and signing keys, beside the federation's registry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from joserfc.jwk import ECKey

from vitnemal.config import Settings
from vitnemal.db import Database, Databases
from vitnemal.institutions.keys import load_private_key
from vitnemal.institutions.registry import Registry


@dataclass
class LocalInstitutions:
    """Everything a host needs to act for the institutions whose private keys it holds.

    One host can serve a single institution (a real deployment) or a whole demo federation. ``codes`` are the
    institutions served here: by default every registry member whose key file is present.
    """

    settings: Settings
    registry: Registry
    codes: list[str]
    databases: Databases
    _keys: dict[str, ECKey] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, codes: Iterable[str] | None = None) -> LocalInstitutions:
        registry = Registry.load(settings.registry_path)
        if codes is None:
            served = [c for c in registry.codes() if (settings.keys_dir / f"{c}.pem").exists()]
        else:
            served = list(codes)
            for code in served:
                registry.get(code)  # raises UnknownInstitution with a helpful message
        return cls(settings=settings, registry=registry, codes=served, databases=Databases(settings.url_for))

    def serves(self, code: str) -> bool:
        return code in self.codes

    def db(self, code: str) -> Database:
        return self.databases(code)

    def key(self, code: str) -> ECKey:
        key = self._keys.get(code)
        if key is None:
            key = self._keys[code] = load_private_key(self.settings.keys_dir / f"{code}.pem")
        return key

    def close(self) -> None:
        self.databases.dispose()
