"""The small lookups that exist once (issue 12 #7): seasons and terms, credits, the missing-qualification message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vitnemal.records.service import no_qualification, parse_credits
from vitnemal.records.terms import SEASONS, parse_term, season_of, season_order


def test_seasons_in_every_spelling_and_in_order() -> None:
    assert SEASONS == ("VÅR", "HØST")
    assert [season_of(s) for s in ("vår", "VAR", "spring", "Haust", "autumn", "h", "sommer")] == \
        ["VÅR", "VÅR", "VÅR", "HØST", "HØST", "HØST", None]
    assert sorted(["HØST", "?", "VÅR"], key=season_order) == ["VÅR", "HØST", "?"]
    assert parse_term("haust 2024") == (2024, "HØST")
    with pytest.raises(ValueError, match="not a term"):
        parse_term("2024 sommer")


@pytest.mark.parametrize(("text", "credits"), [("7.5", Decimal("7.5")), (" 30 ", Decimal(30)), (10, Decimal(10))])
def test_credits_are_read_once(text: str | int, credits: Decimal) -> None:
    assert parse_credits(text) == credits


@pytest.mark.parametrize("text", ["lots", "0", "-5", "1000", "7.25", "NaN", "Infinity"])
def test_credits_that_are_no_credits_say_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match="number of credits"):
        parse_credits(text)


def test_a_missing_qualification_names_the_ones_held() -> None:
    assert no_qualification("Kari Nordmann", "MA", ["BA", "PPU"]) == \
        "Kari Nordmann has no qualification 'MA' (has: BA, PPU)"
    assert no_qualification("Kari Nordmann", "MA", []).endswith("(has: none)")
