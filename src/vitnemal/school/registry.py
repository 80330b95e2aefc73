"""The registry of schools that may issue leaving certificates: organisation number, name and municipality.

Like the federation's registry of institutions (``registry.json``), it is a JSON document under the settings home
(``schools.json``). A certificate is signed only for a school found here, with a certificate whose subject is the
registered name and organisation number and whose policy says "school"; a name in a pupils file only *finds* the
school, it never names the signer. Two schools may share a name (there are many "Haugen skole"): the
municipality then tells them apart, and a name that stays ambiguous is refused.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SCHOOLS_FILE = "schools.json"
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
MAX_REGISTRY_BYTES = 16 * 1024 * 1024


def organisation_number_problem(number: str) -> str | None:
    """Return what is wrong with an organisation number (nine digits, modulus-11 check digit), or None."""
    if not re.fullmatch(r"\d{9}", number):
        return f"{number!r} is not an organisation number: it has nine digits"
    remainder = sum(int(d) * w for d, w in zip(number, _WEIGHTS, strict=False)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    if check == 10 or check != int(number[8]):
        return f"{number!r} is not an organisation number: the check digit is wrong"
    return None


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


class UnregisteredSchool(LookupError):
    """The school named in a pupils file is not in the registry (or the name fits several schools)."""


@dataclass(frozen=True)
class SchoolEntry:
    """One school: its organisation number (Enhetsregisteret), name and municipality."""

    organisation_number: str
    name: str
    municipality: str = ""

    def __post_init__(self) -> None:
        problem = organisation_number_problem(self.organisation_number)
        if problem:
            raise ValueError(problem)
        if not self.name.strip() or len(self.name) > 200 or len(self.municipality) > 100:
            raise ValueError("a school needs a name (at most 200 characters) and a municipality of at most 100")


@dataclass
class SchoolRegistry:
    schools: dict[str, SchoolEntry]

    def __iter__(self) -> Iterator[SchoolEntry]:
        return iter(sorted(self.schools.values(), key=lambda e: (_key(e.name), e.organisation_number)))

    def __len__(self) -> int:
        return len(self.schools)

    def add(self, entry: SchoolEntry) -> None:
        """Register ``entry`` (replacing the entry with the same organisation number)."""
        self.schools[entry.organisation_number] = entry

    def find(self, name: str, municipality: str = "") -> SchoolEntry:
        """Return the school called ``name`` (in ``municipality`` when several share the name).

        Raises :class:`UnregisteredSchool` with a sentence saying what to do.
        """
        matches = [e for e in self.schools.values() if _key(e.name) == _key(name)]
        if len(matches) > 1 and municipality:
            matches = [e for e in matches if _key(e.municipality) == _key(municipality)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UnregisteredSchool(
                f"school: {name!r} is not a registered school; register it with "
                "`vitnemal school register ORGANISATION_NUMBER NAME --municipality M`"
            )
        numbers = ", ".join(sorted(e.organisation_number for e in matches))
        raise UnregisteredSchool(
            f"school: {name!r} fits several registered schools ({numbers}); give the municipality as well"
        )

    @classmethod
    def load(cls, path: Path) -> SchoolRegistry:
        """Read ``schools.json``; a missing file is an empty registry."""
        if not path.exists():
            return cls({})
        if path.stat().st_size > MAX_REGISTRY_BYTES:
            raise ValueError(f"{path}: larger than {MAX_REGISTRY_BYTES // 2**20} MiB; not a school registry")
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        entries = [SchoolEntry(**item) for item in data["schools"]]
        return cls({e.organisation_number: e for e in entries})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"schools": [asdict(e) for e in self]}, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, path)


def registry_path(home: Path) -> Path:
    return home / SCHOOLS_FILE


def register_schools(home: Path, entries: list[SchoolEntry]) -> SchoolRegistry:
    """Add ``entries`` to the registry under ``home`` and save it; return the registry."""
    registry = SchoolRegistry.load(registry_path(home))
    for entry in entries:
        registry.add(entry)
    registry.save(registry_path(home))
    return registry
