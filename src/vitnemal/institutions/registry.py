"""The registry of the federation (who is in it, where their node answers, which key signs for them).

It is a JSON document (``registry.json``) published to every member, like a federation's metadata file. Each
institution's own choices about sharing (RESUTVEKSL, RESERVER) are *not* here: they live in its own records and the
node answers for them, exactly as the seed's routine asks each institution "does it share?".
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from vitnemal.institutions.exchange_keys import PreviousKey, PublicJwk, as_public_jwk

log = logging.getLogger("vitnemal.registry")


# registry.json of the demo's 56 members with their keys is about 60 kB; a member's entry nests at most five levels
# (entry, previous_keys, a key, its JWK, a JWK's list). Anything far beyond is not a registry.
MAX_REGISTRY_BYTES = 4 * 1024 * 1024
MAX_REGISTRY_DEPTH = 8
MAX_MEMBERS = 10_000
_REQUIRED = ("code", "name_nb", "name_en", "short_name", "node_url")
_OPTIONAL: dict[str, tuple[type, ...]] = {"public_jwk": (dict,), "kind": (str,), "former_names": (list,),
                                          "previous_keys": (list,), "withdrawn_at": (str, type(None))}


class RegistryInvalid(ValueError):
    """``registry.json`` is not a federation registry: what is wrong, where, and what to do."""


class UnknownInstitution(LookupError):
    """Raised for an institution code that is not in the registry."""

    def __init__(self, code: str, known: list[str]) -> None:
        hint = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
        super().__init__(
            f"Unknown institution code {code!r}: it is not in the federation's registry "
            f"(known codes: {hint}). Check the code or run `vitnemal federation list`."
        )
        self.code = code


class MemberKind(StrEnum):
    """What a member is. Institutions run a node and ask others under the student's consent; the portal asks on
    the owner's login and runs no node; an admission body (Samordna opptak) asks under the applicant's admission
    consent and awards nothing, so it runs no node either (but has its database and pages); the language-test
    register runs a node that answers its candidates through the portal only."""

    INSTITUTION = "institution"
    PORTAL = "portal"
    ADMISSION = "admission"
    LANGUAGE_TESTS = "language_tests"


# The kinds that run a node and answer requests (the portal asks each of them; an order asks the institutions).
ANSWERING_KINDS = frozenset({MemberKind.INSTITUTION, MemberKind.LANGUAGE_TESTS})
# The kinds a host serves: their own database, staff pages and (for those that answer) a node.
HOSTED_KINDS = ANSWERING_KINDS | {MemberKind.ADMISSION}


# How a name of today shared by several members after a merger is told apart, per language.
FORMERLY = {"nb": "tidligere", "nn": "tidlegare", "en": "formerly"}


@dataclass(frozen=True)
class FormerName:
    """A name a member had before a merger or a renaming: valid from ``valid_from`` (inclusive; None: since it was
    founded) until ``valid_to`` (exclusive, the day the next name took over). Results obtained then are shown with
    it (Vitnemålsportalen marks results of institutions merged after 2010 with their original name)."""

    name_nb: str
    name_en: str
    valid_to: date
    valid_from: date | None = None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and day < self.valid_to

    def to_json(self) -> dict[str, str | None]:
        return {"name_nb": self.name_nb, "name_en": self.name_en, "valid_to": self.valid_to.isoformat(),
                "valid_from": self.valid_from.isoformat() if self.valid_from else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FormerName:
        since = data.get("valid_from")
        return cls(str(data["name_nb"]), str(data["name_en"]), date.fromisoformat(str(data["valid_to"])),
                   date.fromisoformat(str(since)) if since else None)


@dataclass(frozen=True)
class InstitutionEntry:
    """One member: its code (institusjonsnummer, or a name such as ``portal``), current names, node URL (empty for a
    member without a node), public signing key (JWK), kind, and the names it had before (oldest first).

    ``previous_keys`` are the keys it signed with before a key rotation, each ``{"jwk": …, "until": ISO 8601}``:
    still accepted until then, so requests and answers signed before the switch keep verifying (the overlap).
    ``withdrawn_at`` (ISO 8601) is set when the operator took the member out: it is asked no more and its signed
    messages are refused, but its entry stays so its name is still shown on earlier orders and results.
    """

    code: str
    name_nb: str
    name_en: str
    short_name: str
    node_url: str
    public_jwk: PublicJwk | None = None
    kind: MemberKind = MemberKind.INSTITUTION
    former_names: tuple[FormerName, ...] = ()
    previous_keys: list[PreviousKey] = field(default_factory=list)
    withdrawn_at: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", MemberKind(self.kind))  # registry.json holds the plain string
        # registry.json holds plain JSON objects (a member without a key: {}); keep the keys' public members only
        object.__setattr__(self, "public_jwk", as_public_jwk(self.public_jwk) if self.public_jwk else None)
        object.__setattr__(self, "previous_keys", [
            PreviousKey(jwk=as_public_jwk(p["jwk"]), until=str(p["until"])) for p in self.previous_keys])
        object.__setattr__(self, "former_names", tuple(
            n if isinstance(n, FormerName) else FormerName.from_json(n) for n in self.former_names))

    def name_on(self, day: date | None) -> tuple[str, str]:
        """(nb, en) name on ``day``: a former name whose span covers it, else (and with no day) the current one."""
        if day is not None:
            for former in self.former_names:
                if former.covers(day):
                    return former.name_nb, former.name_en
        return self.name_nb, self.name_en

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["public_jwk"] = out["public_jwk"] or {}
        out["former_names"] = [n.to_json() for n in self.former_names]
        for name in ("former_names", "previous_keys", "withdrawn_at"):
            if not out[name]:
                del out[name]  # registries without history (or rotations, or members taken out) stay as they were
        return out

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def answers(self) -> bool:
        """True for a member that runs a node (and so is asked by every order); a withdrawn member does not."""
        return self.kind in ANSWERING_KINDS and not self.withdrawn

    def accepted_jwks(self, now: datetime) -> list[PublicJwk]:
        """The keys a signature by this member may verify with at ``now``: the current one, then any previous key
        whose overlap has not ended."""
        current = [self.public_jwk] if self.public_jwk else []
        return current + [p["jwk"] for p in self.previous_keys if datetime.fromisoformat(p["until"]) > now]

    @property
    def name(self) -> str:
        return self.name_nb


@dataclass
class Registry:
    institutions: dict[str, InstitutionEntry]

    def __iter__(self) -> Iterator[InstitutionEntry]:
        # Institutions by number, then members named by a word (the portal) after them.
        return iter(sorted(self.institutions.values(),
                           key=lambda e: (not e.code.isdigit(), int(e.code) if e.code.isdigit() else 0, e.code)))

    def __len__(self) -> int:
        return len(self.institutions)

    def __contains__(self, code: object) -> bool:
        return code in self.institutions

    def get(self, code: str) -> InstitutionEntry:
        try:
            return self.institutions[code]
        except KeyError:
            raise UnknownInstitution(code, sorted(self.institutions)) from None

    def codes(self) -> list[str]:
        """The institutions: the members an institution's order asks (results exchange, RESUTVEKSL, is between
        institutions; the language-test register answers its candidates through the portal only). An institution
        taken out of the federation is asked no more."""
        return [e.code for e in self if e.kind is MemberKind.INSTITUTION and not e.withdrawn]

    def node_codes(self) -> list[str]:
        """Every member that runs a node (institutions and the language-test register): the ones a host serves
        and the portal asks."""
        return [e.code for e in self if e.answers]

    def hosted_codes(self) -> list[str]:
        """Every member a host serves with its own database and pages: the ones that run a node, and the admission
        bodies (which ask but are never asked)."""
        return [e.code for e in self if e.kind in HOSTED_KINDS and not e.withdrawn]

    def all_codes(self) -> list[str]:
        """Every member, the portal and other requesters included."""
        return [e.code for e in self]

    def name_then(self, code: str, day: date | None, lang: str = "nb") -> str:
        """``code``'s name on ``day`` (a merged institution's name of that day; today's without a day), in bokmål or
        English (nynorsk names are the bokmål ones); the code itself for a member not in the registry."""
        if code not in self.institutions:
            return code
        nb, en = self.institutions[code].name_on(day)
        return en if lang == "en" else nb

    def distinct_name(self, code: str, lang: str = "nb") -> str:
        """``code``'s current name, told apart from the other live members that share it since a merger by its
        first name: "Høgskulen på Vestlandet (tidligere Høgskulen i Sogn og Fjordane)"; a member with no
        former name to tell it by gets its code. A name nobody else holds is returned as it is."""
        entry = self.institutions.get(code)
        if entry is None:
            return code
        name = entry.name_en if lang == "en" else entry.name_nb
        shared = any(e.code != code and not e.withdrawn and e.name_nb == entry.name_nb
                     for e in self.institutions.values())
        if not shared:
            return name
        if not entry.former_names:
            return f"{name} ({code})"
        # Its first name, the one before any merger: a later one (HiOA, 2011–2018) may have been shared too.
        first = min(entry.former_names, key=lambda f: f.valid_to)
        return f"{name} ({FORMERLY.get(lang, FORMERLY['nb'])} {first.name_en if lang == 'en' else first.name_nb})"

    @classmethod
    def load(cls, path: Path) -> Registry:
        """Read ``registry.json``; a missing file gets an error that says how to make one."""
        if not path.exists():
            raise FileNotFoundError(
                f"No federation registry at {path}. Make a demo federation with "
                "`vitnemal federation generate` or point VITNEMAL_HOME at an existing one."
            )
        return cls(parse_registry(path.read_bytes(), str(path)))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(
            json.dumps({"institutions": [e.to_json() for e in self]}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        os.replace(tmp, path)


def _entry(data: object, number: int) -> InstitutionEntry:
    """One member's entry, its fields checked before the dataclass sees them (RegistryInvalid says which)."""
    if not isinstance(data, dict):
        raise RegistryInvalid(f"member #{number} is not a JSON object")
    code = data.get("code")
    where = f"member #{number} (code {code!r})" if isinstance(code, str) else f"member #{number}"
    for name in _REQUIRED:
        if not isinstance(data.get(name), str):
            raise RegistryInvalid(f"{where}: {name!r} is {'missing' if name not in data else 'not text'}")
    if not data["code"].strip() or len(data["code"]) > 20:
        raise RegistryInvalid(f"{where}: 'code' is empty or longer than 20 characters")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise RegistryInvalid(f"{where}: unknown fields {', '.join(map(repr, unknown))}")
    for name, types in _OPTIONAL.items():
        if name in data and not isinstance(data[name], types):
            raise RegistryInvalid(f"{where}: {name!r} is not {'text' if types[0] is str else types[0].__name__}")
    try:
        return InstitutionEntry(**data)
    except (ValueError, TypeError, KeyError) as exc:  # a kind, key, former name or key rotation that is not one
        raise RegistryInvalid(f"{where}: {exc}") from None


def parse_registry(raw: bytes, source: str = "registry.json") -> dict[str, InstitutionEntry]:
    """The members of a registry document, checked: at most MAX_REGISTRY_BYTES, nested at most MAX_REGISTRY_DEPTH
    levels, an object with a list ``institutions`` of members, each with its required fields as text, no unknown
    field and a code of its own. RegistryInvalid names what is wrong and the file."""
    from vitnemal.bounded_json import JsonRefused, loads

    def invalid(what: str) -> RegistryInvalid:
        return RegistryInvalid(f"{source} is not a federation registry: {what}. Restore the operator's last copy "
                               "of it (or make a demo federation with `vitnemal federation generate`).")

    try:
        data = loads(raw, max_bytes=MAX_REGISTRY_BYTES, max_depth=MAX_REGISTRY_DEPTH)
    except JsonRefused as exc:
        raise invalid(exc.reason) from None
    members = data.get("institutions") if isinstance(data, dict) else None
    if not isinstance(members, list):
        raise invalid("it has no list 'institutions'")
    if len(members) > MAX_MEMBERS:
        raise invalid(f"it lists more than {MAX_MEMBERS} members")
    found: dict[str, InstitutionEntry] = {}
    for number, member in enumerate(members, 1):
        try:
            entry = _entry(member, number)
        except RegistryInvalid as exc:
            raise invalid(str(exc)) from None
        if entry.code in found:
            raise invalid(f"member #{number}: the code {entry.code!r} is listed twice")
        found[entry.code] = entry
    return found


@contextmanager
def editing(path: Path) -> Iterator[Registry]:
    """Read, change and write ``registry.json`` under an exclusive lock (``registry.json.lock``), so two operators
    changing it at once cannot lose each other's change; the registry is written (atomically) only when the block
    ends without an exception."""
    if not path.exists():
        Registry.load(path)  # raises FileNotFoundError saying how to make one
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            registry = Registry.load(path)
            yield registry
            registry.save(path)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class LiveRegistry(Registry):
    """``registry.json`` as a long-running process sees it: read again whenever the file has changed (it is
    replaced whole, so a new inode, time or size), so an operator's change (a new member, a rotated key, a member
    taken out) takes effect in every running node and requester without a restart. A file that cannot be read
    keeps the last good registry in use, with a warning."""

    def __init__(self, path: Path) -> None:  # not the dataclass's __init__: the file is read instead
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._current: dict[str, InstitutionEntry] = Registry.load(path).institutions
        self._seen = self._signature()

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    @property
    def institutions(self) -> dict[str, InstitutionEntry]:
        seen = self._signature()
        if seen is not None and seen != self._seen:
            with self._lock:
                if seen != self._seen:
                    try:
                        self._current = Registry.load(self.path).institutions
                    except (OSError, ValueError, KeyError, TypeError) as exc:
                        log.warning("the registry %s could not be read again (%s); the last one read stays in use",
                                    self.path, exc)
                    self._seen = seen
        return self._current

    @institutions.setter
    def institutions(self, value: dict[str, InstitutionEntry]) -> None:
        self._current = value


PORTAL_CODE = "portal"
# Samordna opptak in the demo and the test federations (an operator registers a real one with its own code).
ADMISSION_CODE = "so"


def new_portal_member(keys_dir: Path) -> InstitutionEntry:
    """Make the portal's signing key (``<keys_dir>/portal.pem``, mode 0600) and return its registry entry: kind
    portal, no node. Its database, like every member's, is ``settings.url_for("portal")``."""
    from vitnemal.institutions.exchange_keys import generate_key, public_jwk, save_private_key

    key = generate_key()
    save_private_key(key, keys_dir / f"{PORTAL_CODE}.pem")
    return InstitutionEntry(PORTAL_CODE, "Vitnemålsportalen", "The Diploma Registry", "Vitnemålsportalen", "",
                            public_jwk(key), MemberKind.PORTAL)


def new_admission_member(keys_dir: Path, code: str = ADMISSION_CODE) -> InstitutionEntry:
    """Make Samordna opptak's signing key (``<keys_dir>/<code>.pem``, mode 0600) and return its registry entry:
    kind admission, no node (it asks institutions and is asked by none). Its database is ``settings.url_for(code)``,
    made by the caller like an institution's."""
    from vitnemal.institutions.exchange_keys import generate_key, public_jwk, save_private_key

    key = generate_key()
    save_private_key(key, keys_dir / f"{code}.pem")
    # Its English name too: it is known abroad by it (the service's own English pages call it so).
    return InstitutionEntry(code, "Samordna opptak", "Samordna opptak", "Samordna opptak", "", public_jwk(key),
                            MemberKind.ADMISSION)
