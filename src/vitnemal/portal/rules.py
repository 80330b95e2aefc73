"""The portal's rules as plain functions and dataclasses, with no I/O.

Share expiry, what a selection of results shares, the access code, attempt limits, the share's state, the purge
rule, and the day a term's result counts as obtained. Services and routes call these; nothing here
touches a database, a clock or the network (times are passed in).
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from vitnemal.records import terms

OSLO = ZoneInfo("Europe/Oslo")
DEFAULT_VALIDITY_DAYS = 14
MAX_VALIDITY_DAYS = 365
# Shared data is deleted this long after the share ends (expired or ended by the owner); only counts remain.
PURGE_AFTER_MONTHS = 12
LANGUAGES = ("nb", "nn", "en", "se")
MAX_RECIPIENTS = 10
MAX_MESSAGE_CHARS = 1000


def N_(text: str) -> str:
    """Marks an English text for the message catalogue (``scripts/i18n`` extracts ``N_``); the page shows it in its
    own language (:meth:`ShareRefused.translated`)."""
    return text


class ShareRefused(ValueError):
    """A share that cannot be made as asked; the message says what is wrong and what to do, in English
    (``str(exc)``) and in the page's language (:meth:`translated`, from the message catalogue)."""

    def __init__(self, text: str, **params: object) -> None:
        super().__init__(text % params if params else text)
        self.text = text
        self.params = params

    def translated(self, gettext: Callable[[str], str]) -> str:
        said = gettext(self.text)
        return said % self.params if self.params else said


# ---------------------------------------------------------------------------------------------------------- expiry


def end_of_day(day: date) -> datetime:
    """The moment a share "valid until <day>" stops working: midnight after that day, Oslo time."""
    return datetime.combine(day + timedelta(days=1), time(0), OSLO)


def share_expiry(now: datetime, valid_until: date | None) -> datetime:
    """When a share made at ``now`` expires: the end of ``valid_until`` (Oslo), by default 14 days from today.

    The last allowed day is one year from today; a day before today is refused.
    """
    today = now.astimezone(OSLO).date()
    day = valid_until or today + timedelta(days=DEFAULT_VALIDITY_DAYS)
    if day < today:
        raise ShareRefused(N_("The share's last day (%(day)s) is in the past; choose today or later."),
                           day=day.isoformat())
    if day > today + timedelta(days=MAX_VALIDITY_DAYS):
        last = (today + timedelta(days=MAX_VALIDITY_DAYS)).isoformat()
        raise ShareRefused(N_("A share can be valid for at most one year, that is until %(last)s; choose an earlier "
                              "day."), last=last)
    return end_of_day(day)


# ---------------------------------------------------------------------------------------------------------- states


class ShareState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    ENDED = "ended"  # ended by the owner


class ShareStatus(TypedDict):
    """What a verifier may learn about the share (or EMREX transfer) behind a PDF: its state and dates, nothing
    personal (``shares.share_status``, ``emrex.transfers.transfer_status``)."""

    public_id: str
    state: str
    created_at: str
    expires_at: str
    ended_at: str | None
    purged: bool
    pdf_sha256: str | None


def share_state(expires_at: datetime, ended_at: datetime | None, now: datetime) -> ShareState:
    """Ended by the owner wins over expiry: the owner's act is what the recipient should be told."""
    if ended_at is not None and ended_at <= now:
        return ShareState.ENDED
    if now >= expires_at:
        return ShareState.EXPIRED
    return ShareState.ACTIVE


def share_ended_at(expires_at: datetime, ended_at: datetime | None) -> datetime:
    """When the share stopped (or will stop) working."""
    return min(expires_at, ended_at) if ended_at is not None else expires_at


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when that day does not exist)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def purge_at(expires_at: datetime, ended_at: datetime | None) -> datetime:
    """When the shared data is deleted: 12 months after the share ends."""
    return add_months(share_ended_at(expires_at, ended_at), PURGE_AFTER_MONTHS)


def purge_due(expires_at: datetime, ended_at: datetime | None, now: datetime) -> bool:
    return now >= purge_at(expires_at, ended_at)


# ---------------------------------------------------------------------------------------------------- passed results

# "Under A1" is norskprøven's "no level reached": a result, but not a passed one.
FAILED_GRADES = frozenset({"F", "IKKE BESTÅTT", "IKKJE BESTÅTT", "FAIL", "FAILED", "STRYK", "UNDER A1"})


def is_passed(grade: str) -> bool:
    """Only passed results are shown or shared; nodes send only those, and this keeps a stray fail out anyway."""
    return grade.strip().upper() not in FAILED_GRADES


# ---------------------------------------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """What the owner ticked: qualifications and courses, each as (institution code, key), and language-test parts
    as (institution code, part code): a part is shared with its latest and its best result."""

    qualifications: frozenset[tuple[str, str]] = frozenset()
    courses: frozenset[tuple[str, str]] = frozenset()
    tests: frozenset[tuple[str, str]] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.qualifications and not self.courses and not self.tests


def select_snapshot(institutions: Sequence[Mapping[str, Any]], selection: Selection) -> list[dict[str, Any]]:
    """Return exactly what is shared: each institution with the chosen qualifications and courses.

    ``institutions`` are fetched snapshots (``{"code", "name", "fetched_at", "qualifications": [{"key", ...,
    "courses": [result keys]}], "results": [{"key", ...}]}``). A qualification is always shared with all its
    courses; other courses are shared one by one. A key that is not among the fetched results is refused, so a
    forged form cannot share something that was never fetched.
    """
    if selection.empty:
        raise ShareRefused(N_("Nothing was chosen: tick at least one qualification or course to share."))
    known_q = {(i["code"], q["key"]) for i in institutions for q in i.get("qualifications", ())}
    known_r = {(i["code"], r["key"]) for i in institutions for r in i.get("results", ())}
    parts = {(i["code"], p.code): p for i in institutions for p in language_test_parts(i.get("results", ()))}
    unknown = sorted((selection.qualifications - known_q) | (selection.courses - known_r)
                     | (selection.tests - set(parts)))
    if unknown:
        names = ", ".join(f"{code}:{key}" for code, key in unknown[:5])
        raise ShareRefused(N_("Not among your fetched results: %(names)s. Fetch your results again and choose anew."),
                           names=names)
    shared = []
    for inst in institutions:
        code = inst["code"]
        quals = [q for q in inst.get("qualifications", ()) if (code, q["key"]) in selection.qualifications]
        wanted = {key for q in quals for key in q.get("courses", ())}
        wanted |= {key for c, key in selection.courses if c == code}
        wanted |= {r["key"] for c, part in selection.tests if c == code for r in parts[(c, part)].shown}
        results = [r for r in inst.get("results", ()) if r["key"] in wanted and is_passed(str(r.get("grade", "")))]
        if quals or results:
            shared.append({**inst, "qualifications": quals, "results": results})
    return shared


# ------------------------------------------------------------------------------------------------------ language tests

LANGUAGE_TEST = "language_test"  # the kind of a result from the language-test register
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


def is_language_test(result: Mapping[str, Any]) -> bool:
    return result.get("kind") == LANGUAGE_TEST


def _term_order(result: Mapping[str, Any]) -> tuple[int, int]:
    return int(result.get("year") or 0), 1 if result.get("season") == "HØST" else 0


def _level(result: Mapping[str, Any]) -> int:
    """How good a passed result is: its CEFR level (A1 = 1 … C2 = 6); a pass ("Bestått") is 1."""
    grade = str(result.get("grade", "")).strip().upper()
    return CEFR_LEVELS.index(grade) + 1 if grade in CEFR_LEVELS else 1


@dataclass(frozen=True)
class TestPart:
    """One part of a language test (norskprøven's oral, listening, reading, writing; a whole test for
    samfunnskunnskapsprøven and statsborgerprøven) with its latest and its best passed result."""

    code: str
    name_nb: str
    name_en: str
    latest: Mapping[str, Any]
    best: Mapping[str, Any]

    @property
    def shown(self) -> list[Mapping[str, Any]]:
        """The results the part shows and shares: the best, and the latest when it is another one."""
        return [self.best] if self.best["key"] == self.latest["key"] else [self.best, self.latest]


def language_test_parts(results: Iterable[Mapping[str, Any]]) -> list[TestPart]:
    """The latest and the best passed result of every language-test part among ``results`` (as the register's
    own service shows them); a tie on level goes to the later sitting. Parts in the order they were first taken."""
    by_part: dict[str, list[Mapping[str, Any]]] = {}
    for r in results:
        if is_language_test(r) and is_passed(str(r.get("grade", ""))):
            by_part.setdefault(str(r["course_code"]), []).append(r)
    parts = []
    for code, rows in sorted(by_part.items(), key=lambda item: min(_term_order(r) for r in item[1])):
        latest = max(rows, key=_term_order)
        best = max(rows, key=lambda r: (_level(r), _term_order(r)))
        parts.append(TestPart(code, str(latest.get("name_nb", code)), str(latest.get("name_en", code)), latest, best))
    return parts


def split_courses(institution: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(qualifications each with their course rows under "course_rows", the courses in no qualification; language
    tests are neither, see :func:`language_test_parts`)."""
    by_key = {r["key"]: r for r in institution.get("results", ())}
    linked: set[str] = set()
    quals = []
    for q in institution.get("qualifications", ()):
        rows = [by_key[k] for k in q.get("courses", ()) if k in by_key]
        linked |= {r["key"] for r in rows}
        quals.append({**q, "course_rows": rows})
    others = [r for r in institution.get("results", ()) if r["key"] not in linked and not is_language_test(r)]
    return quals, others


def counts(institutions: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(qualifications, courses) in a snapshot: what a purged share still says it held."""
    items = list(institutions)
    return (sum(len(i.get("qualifications", ())) for i in items), sum(len(i.get("results", ())) for i in items))


def normalise_recipients(raw: Iterable[str]) -> list[str]:
    """Recipient addresses, trimmed, lower-cased and unique, each a plausible address; at most ten."""
    seen: list[str] = []
    for item in raw:
        for part in item.replace(";", ",").replace("\n", ",").split(","):
            address = part.strip().lower()
            if not address:
                continue
            local, at, domain = address.partition("@")
            if (not at or not local or "." not in domain or len(address) > 254 or any(c.isspace() for c in address)
                    or any(c in address for c in "<>\"'()[]\\")):
                raise ShareRefused(N_("%(address)s is not an e-mail address; write it as name@example.no."),
                                   address=repr(address))
            if address not in seen:
                seen.append(address)
    if not seen:
        raise ShareRefused(N_("Give the recipient's e-mail address."))
    if len(seen) > MAX_RECIPIENTS:
        raise ShareRefused(N_("At most %(count)s recipients per share; make another share for the rest."),
                           count=MAX_RECIPIENTS)
    return seen


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ShareRefused(N_("Unknown language %(lang)s; choose one of %(languages)s."), lang=repr(lang),
                           languages=", ".join(LANGUAGES))
    return lang


def check_message(message: str | None) -> str | None:
    text = (message or "").strip()
    if len(text) > MAX_MESSAGE_CHARS:
        raise ShareRefused(N_("The message is %(length)s characters; at most %(limit)s are allowed."),
                           length=len(text), limit=MAX_MESSAGE_CHARS)
    return text or None


# ---------------------------------------------------------------------------------------------------------- the code

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B or U/V: a code read aloud or copied from a phone is typed right the first time.
CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
CODE_LENGTH = 12  # 23^12 ≈ 2^54: unguessable online, and costly offline with the hash below
CODE_GROUP = 4
# A random 54-bit code is not a password: even at 1 ms per scrypt (1 MiB) an offline search of a stolen database
# takes ~2^53 ms (about 285,000 CPU-years) per share. A costlier hash would only slow every recipient's first view.
_SCRYPT = {"n": 2**10, "r": 8, "p": 1, "dklen": 32}


def new_access_code() -> str:
    """A random code shown in groups of four, e.g. ``K7QX-M3PA-9WTR``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(typed: str) -> str:
    """What the recipient typed, without spaces or dashes and in capitals; bounded before any hashing."""
    return "".join(c for c in typed[:64].upper() if c not in " -\t")


def hash_code(code: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<hash hex>`` of the normalised code; the code itself is never stored."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(normalise_code(code).encode(), salt=salt, maxmem=64 * 1024 * 1024, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def code_matches(typed: str, stored: str) -> bool:
    """Compare in constant time; a malformed stored value never matches."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, _ = rest.partition("$")
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or not salt:
        return False
    return hmac.compare_digest(hash_code(typed, salt).encode(), stored.encode())


def new_link_token() -> str:
    """The secret part of a share's link (256 bits); only its hash is stored."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # The token has 256 bits of entropy: a plain hash is enough to make a stolen database useless for opening.
    return hashlib.sha256(token[:200].encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------- attempts

SHARE_MAX_FAILURES = 5  # wrong codes for one share within the window lock it
CLIENT_MAX_FAILURES = 20  # wrong codes from one client (any share) within the window lock the client out
ATTEMPT_WINDOW = timedelta(hours=1)


class AttemptVerdict(StrEnum):
    ALLOWED = "allowed"
    SHARE_LOCKED = "share_locked"
    CLIENT_LOCKED = "client_locked"


@dataclass(frozen=True)
class AttemptDecision:
    verdict: AttemptVerdict
    retry_after: datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.verdict is AttemptVerdict.ALLOWED


def attempt_decision(share_failures: Sequence[datetime], client_failures: Sequence[datetime],
                     now: datetime) -> AttemptDecision:
    """May another code be tried? Failures are the times of wrong codes; only those within the window count.

    A locked share opens again an hour after its fifth recent failure (the owner is told it was locked); a
    client that guessed wrong twenty times in an hour waits until its oldest counted failure leaves the window.
    """
    since = now - ATTEMPT_WINDOW
    recent_share = sorted(t for t in share_failures if t > since)
    recent_client = sorted(t for t in client_failures if t > since)
    if len(recent_client) >= CLIENT_MAX_FAILURES:
        return AttemptDecision(AttemptVerdict.CLIENT_LOCKED,
                               recent_client[-CLIENT_MAX_FAILURES] + ATTEMPT_WINDOW)
    if len(recent_share) >= SHARE_MAX_FAILURES:
        return AttemptDecision(AttemptVerdict.SHARE_LOCKED, recent_share[-SHARE_MAX_FAILURES] + ATTEMPT_WINDOW)
    return AttemptDecision(AttemptVerdict.ALLOWED)


def locks_share(share_failures_before: int) -> bool:
    """True when the failure being recorded is the one that locks the share (so the owner is told once)."""
    return share_failures_before + 1 == SHARE_MAX_FAILURES


# ---------------------------------------------------------------------------------------------------- terms


term_day = terms.term_day  # one rule for when a result counts as obtained (merged institutions' names)
