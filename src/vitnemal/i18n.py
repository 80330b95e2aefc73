"""The languages we write in (bokmål, nynorsk, English) and how dates and times are written in each.

Shared by every kind of document (higher-education diplomas, school certificates) so that a date reads the same
on all of them, and by everything a person reads a time in (the CLI, the pages, PDFs, mail, the JSON API's
sentences): times are stored in UTC and shown in Norwegian time (Europe/Oslo, summer time included) unless
``VITNEMAL_TIMEZONE`` names another zone. :func:`local` is the one place that applies the zone. A process's entry
point may set it from its settings (:func:`use_zone`); otherwise the first time shown reads it through
:class:`vitnemal.config.Settings`. Apart from that one read, pure functions, no I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Language = Literal["nb", "nn", "en"]
LANGUAGES: tuple[Language, ...] = ("nb", "nn", "en")

PGettext = Callable[[str, str], str]
"""A catalogue's ``pgettext(context, text)``: how a domain package's sentence is said in the reader's language."""


def P_(context: str, text: str) -> str:
    """Marks ``text`` in ``context`` for the message catalogue (``scripts/i18n`` extracts it); it is translated
    where it is said, through the reader's catalogue."""
    return text


DEFAULT_ZONE = "Europe/Oslo"
_zone: ZoneInfo | None = None

# Bokmål and nynorsk name the months alike.
_NORWEGIAN_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
                     "november", "desember")
_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                   "November", "December")
MONTHS: dict[Language, tuple[str, ...]] = {"nb": _NORWEGIAN_MONTHS, "nn": _NORWEGIAN_MONTHS, "en": _ENGLISH_MONTHS}


def long_date(day: date, lang: Language) -> str:
    """Return "19. juni 2026" (nb, nn) or "19 June 2026" (en)."""
    month = MONTHS[lang][day.month - 1]
    return f"{day.day} {month} {day.year}" if lang == "en" else f"{day.day}. {month} {day.year}"


def short_date(day: date, lang: Language = "nb") -> str:
    """Return "14.03.2010", the Norwegian numeric date (nb, nn), or "14 March 2010" (en).

    English readers take 02.08.2010 for 8 February, so English documents spell the month out.
    """
    return long_date(day, lang) if lang == "en" else f"{day.day:02}.{day.month:02}.{day.year}"


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ValueError saying what to write when there is none by that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone: write an IANA name such as Europe/Oslo or UTC") from None


def use_zone(name: str) -> None:
    """Show times in ``name`` from now on in this process (an entry point does this from its settings)."""
    global _zone
    _zone = zone_named(name)


def zone() -> ZoneInfo:
    """The zone people read times in: the one set with :func:`use_zone`, else VITNEMAL_TIMEZONE, else Oslo."""
    global _zone
    if _zone is None:
        from vitnemal.config import Settings

        _zone = zone_named(Settings.from_env().timezone)
    return _zone


def today() -> date:
    """Today's date where people read it (Oslo's unless VITNEMAL_TIMEZONE says otherwise), for the dates documents
    print. Not ``date.today``: that is the machine's date, UTC on our servers, yesterday in Oslo after 23:00 UTC.
    Reads the clock through ``time.time()`` (as ``date.today`` does)."""
    return datetime.fromtimestamp(time.time(), zone()).date()


def local(moment: datetime) -> datetime:
    """``moment`` (timezone-aware) in the zone people read times in."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give times as UTC-aware datetimes")
    return moment.astimezone(zone())


def show_time(moment: datetime, lang: Language = "nb") -> str:
    """"01.12.2026 15:36" (nb, nn) or "1 December 2026 15:36" (en: 01.12 reads as January to many)."""
    t = local(moment)
    return f"{short_date(t.date(), lang)} {t:%H:%M}"


def show_date(moment: datetime, lang: Language = "nb") -> str:
    """The local calendar day of a moment, as :func:`short_date` writes it."""
    return short_date(local(moment).date(), lang)


def show_iso(text: str | None, lang: Language = "nb", *, date_only: bool = False) -> str:
    """An ISO 8601 moment as a view holds it ("2026-03-29T00:30:00+00:00") shown as :func:`show_time` does (or
    :func:`show_date`); "" for None or ""."""
    if not text:
        return ""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    return show_date(moment, lang) if date_only else show_time(moment, lang)


def as_language(value: str) -> Language:
    """``value`` as a language code; ValueError for anything but nb, nn or en."""
    for lang in LANGUAGES:
        if value == lang:
            return lang
    raise ValueError(f"unknown language {value!r}: use nb, nn or en")
