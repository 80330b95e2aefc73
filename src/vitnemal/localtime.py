"""Times as people read them: stored in UTC, shown in Norwegian time (Europe/Oslo, summer time included).

Every time a person reads in the CLI or the JSON API's sentences goes through :func:`local`, the one place that
names the zone. No I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Lang = Literal["nb", "nn", "en"]
LANGS: tuple[Lang, ...] = ("nb", "nn", "en")

ZONE = ZoneInfo("Europe/Oslo")

_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                   "November", "December")


def local(moment: datetime) -> datetime:
    """``moment`` (timezone-aware) in Norwegian time."""
    return moment.astimezone(ZONE)


def show_time(moment: datetime, lang: Lang = "nb") -> str:
    """"01.12.2026 15:36" (nb, nn) or "1 December 2026 15:36" (en: 01.12 reads as January to many)."""
    t = local(moment)
    if lang == "en":
        return f"{t.day} {_ENGLISH_MONTHS[t.month - 1]} {t.year} {t:%H:%M}"
    return f"{t:%d.%m.%Y %H:%M}"


def as_lang(value: str) -> Lang:
    """``value`` as a language code; ValueError for anything but nb, nn or en."""
    for lang in LANGS:
        if value == lang:
            return lang
    raise ValueError(f"unknown language {value!r}: use nb, nn or en")
