"""The languages we write in (bokmål, nynorsk, English) and how dates and times are written in each.

Shared by every kind of document (higher-education diplomas, school certificates) so that a date reads the same
on all of them, and by the CLI and the JSON API's sentences for times: stored in UTC, shown in Norwegian time
(Europe/Oslo, summer time included); :func:`local` is the one place that names the zone. Pure functions, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["nb", "nn", "en"]
LANGUAGES: tuple[Language, ...] = ("nb", "nn", "en")

ZONE = ZoneInfo("Europe/Oslo")

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


def local(moment: datetime) -> datetime:
    """``moment`` (timezone-aware) in Norwegian time."""
    return moment.astimezone(ZONE)


def show_time(moment: datetime, lang: Language = "nb") -> str:
    """"01.12.2026 15:36" (nb, nn) or "1 December 2026 15:36" (en: 01.12 reads as January to many)."""
    t = local(moment)
    if lang == "en":
        return f"{t.day} {_ENGLISH_MONTHS[t.month - 1]} {t.year} {t:%H:%M}"
    return f"{t:%d.%m.%Y %H:%M}"


def as_language(value: str) -> Language:
    """``value`` as a language code; ValueError for anything but nb, nn or en."""
    for lang in LANGUAGES:
        if value == lang:
            return lang
    raise ValueError(f"unknown language {value!r}: use nb, nn or en")
