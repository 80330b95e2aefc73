"""Times people read: stored UTC, shown in Europe/Oslo (or VITNEMAL_TIMEZONE) everywhere, across the DST changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from vitnemal import i18n
from vitnemal.config import Settings, SettingsError
from vitnemal.i18n import DEFAULT_ZONE, show_date, show_iso, show_time, use_zone
from vitnemal.portal.texts import day_text, moment_text
from vitnemal.web.i18n import oslo_date, oslo_datetime

SPRING_BEFORE = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET; at 01:00 UTC the clocks go 02:00 → 03:00
SPRING_AFTER = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
AUTUMN_BEFORE = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST; at 01:00 UTC the clocks go 03:00 → 02:00
AUTUMN_AFTER = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the same wall time an hour later


@pytest.fixture(autouse=True)
def oslo() -> Iterator[None]:
    use_zone(DEFAULT_ZONE)
    yield
    use_zone(DEFAULT_ZONE)


def test_cli_and_api_sentences_show_oslo_time_across_both_changes() -> None:
    assert [show_time(t) for t in (SPRING_BEFORE, SPRING_AFTER, AUTUMN_BEFORE, AUTUMN_AFTER)] == [
        "29.03.2026 01:30", "29.03.2026 03:30", "25.10.2026 02:30", "25.10.2026 02:30"]
    assert show_time(AUTUMN_AFTER, "en") == "25 October 2026 02:30"
    assert show_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "01.01.2027"  # the Oslo calendar day
    assert show_iso("2026-03-29T01:30:00+00:00") == "29.03.2026 03:30"
    assert show_iso("2026-03-29T01:30:00") == "29.03.2026 03:30"  # stored naive: UTC
    assert show_iso(None) == "" and show_iso("2026-03-29T01:30:00+00:00", date_only=True) == "29.03.2026"


def test_pages_pdfs_and_mail_show_oslo_time_across_the_change() -> None:
    assert oslo_datetime(SPRING_BEFORE, "nb", "short") == "29.03.2026, 01:30"
    assert oslo_datetime(SPRING_AFTER, "nb", "short") == "29.03.2026, 03:30"
    assert oslo_datetime(AUTUMN_BEFORE, "nb", "short") == oslo_datetime(AUTUMN_AFTER, "nb", "short") == (
        "25.10.2026, 02:30")
    assert oslo_datetime(AUTUMN_AFTER, "en", "short") == "10/25/26, 2:30\u202fAM"
    assert oslo_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "nb", "short") == "01.01.2027"
    assert moment_text(SPRING_AFTER, "nb") == "29.3.2026 03:30"  # the portal's PDF and mail
    assert day_text(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "nb") == "1.1.2027"


def test_the_zone_is_a_setting() -> None:
    assert Settings().timezone == "Europe/Oslo"
    assert Settings.from_env({"VITNEMAL_TIMEZONE": "UTC"}).timezone == "UTC"
    with pytest.raises(SettingsError, match=r"VITNEMAL_TIMEZONE=.Mars/Olympus.: .* not a time zone"):
        Settings.from_env({"VITNEMAL_TIMEZONE": "Mars/Olympus"})
    use_zone("UTC")
    assert show_time(SPRING_AFTER) == "29.03.2026 01:30"
    assert moment_text(SPRING_AFTER, "nb") == "29.3.2026 01:30"
    assert oslo_datetime(SPRING_AFTER, "nb", "short") == "29.03.2026, 01:30"
    use_zone("America/New_York")
    assert show_time(SPRING_AFTER) == "28.03.2026 21:30"


def test_the_zone_is_read_from_the_environment_when_no_entry_point_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITNEMAL_TIMEZONE", "UTC")
    monkeypatch.setattr(i18n, "_zone", None)
    assert show_time(SPRING_AFTER) == "29.03.2026 01:30"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        show_time(datetime(2026, 3, 29, 1, 30))



def test_today_is_oslo_s_date_and_no_document_prints_the_machine_s(monkeypatch: pytest.MonkeyPatch) -> None:
    # review R28: school certificates and diplomas printed date.today(), the machine's (UTC) date: from 23:00 to
    # 24:00 UTC (22:00 in summer) a document issued in Norway carried yesterday's date. The clock is time.time(),
    # which date.today() and i18n.today() both read.
    import time
    from pathlib import Path

    monkeypatch.setattr(time, "time", lambda: datetime(2026, 12, 1, 23, 30, tzinfo=UTC).timestamp())
    assert i18n.today().isoformat() == "2026-12-02"
    src = Path(i18n.__file__).parent
    offenders = [f"{p.relative_to(src)}:{n}" for p in src.rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "date.today()" in line]
    assert offenders == []
