"""Exam terms as FS writes them: a year and a season, VÅR (spring) before HØST (autumn). Pure, no I/O.

The one list of seasons: records, the wire protocol, the exchange's and recognition's views, diplomas and the
demo all order and check seasons with it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from vitnemal.records.refusals import P_, RecordsRefused

Season = Literal["VÅR", "HØST"]
SEASONS: tuple[Season, ...] = ("VÅR", "HØST")

# What people type for a season (nb, nn, en, without the Norwegian letters, abbreviated).
_ALIASES: dict[str, Season] = {
    "VÅR": "VÅR", "VAR": "VÅR", "V": "VÅR", "SPRING": "VÅR",
    "HØST": "HØST", "HOST": "HØST", "H": "HØST", "HAUST": "HØST", "AUTUMN": "HØST", "FALL": "HØST",
}


def term_day(year: int, season: str) -> date:
    """The day a term's result counts as obtained: the end of the term (VÅR 30 June, HØST 31 December); a merged
    institution's name on that day is the one the result was taken under."""
    return date(year, 6, 30) if season == "VÅR" else date(year, 12, 31)


def season_of(text: str) -> Season | None:
    """The season ``text`` names ("vår", "Haust", "autumn", "H"), or None."""
    return _ALIASES.get(text.strip().upper())


def season_order(season: str) -> int:
    """0 for VÅR, 1 for HØST, and 2 for anything else (sorted last), for ordering terms oldest first."""
    return SEASONS.index(season) if season in SEASONS else len(SEASONS)


def parse_term(text: str) -> tuple[int, Season]:
    """Parse a term such as "2025 HØST", "HØST 2025", "2025 haust" or "2024 spring" into (2025, "HØST")."""
    parts = text.replace("-", " ").split()
    years = [p for p in parts if p.isdigit() and len(p) == 4]
    seasons = [season_of(p) for p in parts if not p.isdigit()]
    if len(parts) != 2 or len(years) != 1 or len(seasons) != 1 or seasons[0] is None:
        raise RecordsRefused(P_("records", "%(term)s is not a term: write the year and VÅR or HØST, e.g. “2025 HØST”."),
                             term=repr(text))
    return int(years[0]), seasons[0]
