"""The fetch date ("hentedato", seed 004) is Norway's calendar day, on the requester's side and the node's (R32).

Between 23:00 and 24:00 UTC (22:00 in summer) the UTC date is still yesterday in Norway; a degree whose diploma was
handed out (Dato_Utlev_Vitn) on that Norwegian yesterday must be released then, not a day later."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from vitnemal.node import rules
from vitnemal.node.protocol import fetch_day, owner_login_request
from vitnemal.node.service import _fetch_date

LATE_EVENING_UTC = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 December in Oslo
SUMMER_EVENING_UTC = datetime(2026, 6, 30, 22, 15, tzinfo=UTC)  # 00:15 on 1 July in Oslo (CEST)


def test_the_fetch_day_is_norways_date_not_the_utc_date() -> None:
    assert fetch_day(LATE_EVENING_UTC) == date(2026, 12, 2)
    assert fetch_day(SUMMER_EVENING_UTC) == date(2026, 7, 1)
    assert fetch_day(datetime(2026, 12, 1, 22, 59, tzinfo=UTC)) == date(2026, 12, 1)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        fetch_day(datetime(2026, 12, 1, 23, 30))


def test_a_degree_handed_out_yesterday_in_norway_is_released_after_23_utc() -> None:
    request = owner_login_request(portal="portal", node="216", national_id="01010112345",
                                  authenticated_at=LATE_EVENING_UTC, acr="idporten-loa-substantial",
                                  now=LATE_EVENING_UTC)
    assert request.fetch_date == "2026-12-02"
    # The node caps the fetch date at its own today, which must be the same Norwegian day.
    capped = _fetch_date(request, LATE_EVENING_UTC)
    assert capped == date(2026, 12, 2)
    assert rules.is_released(date(2026, 12, 1), capped)
    assert not rules.is_released(date(2026, 12, 2), capped)
