"""Demo latency is injected into the app by create_app from the setting, never coded into the node's route."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vitnemal.config import Settings
from vitnemal.devtools.latency import node_delays
from vitnemal.web.app import create_app


def test_each_node_has_its_own_fixed_delay_within_the_range() -> None:
    delay = node_delays("20-200")
    assert delay("185") == delay("185")
    assert all(0.020 <= delay(code) <= 0.200 for code in ("185", "216", "214", "194"))
    assert len({delay(code) for code in ("185", "216", "214", "194")}) > 1
    with pytest.raises(ValueError):
        node_delays("fast")


def test_only_an_app_with_the_setting_delays_its_answers(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert getattr(create_app(settings, pages=False).state, "node_answer_delay", None) is None
    slow = create_app(replace(settings, inject_latency_ms="50-50"), pages=False)
    assert slow.state.node_answer_delay("185") == pytest.approx(0.05)
