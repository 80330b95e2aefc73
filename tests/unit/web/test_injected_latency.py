"""Demo latency is injected into the app by create_app from the setting (a middleware outside production), never
coded into the node's route."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vitnemal.config import Settings
from vitnemal.devtools.latency import NodeLatency, node_delays
from vitnemal.web.app import create_app


def test_each_node_has_its_own_fixed_delay_within_the_range() -> None:
    delay = node_delays("20-200")
    assert delay("185") == delay("185")
    assert all(0.020 <= delay(code) <= 0.200 for code in ("185", "216", "214", "194"))
    assert len({delay(code) for code in ("185", "216", "214", "194")}) > 1
    with pytest.raises(ValueError):
        node_delays("fast")


def _latency_middleware(app: object) -> list[object]:
    return [m for m in app.user_middleware if m.cls is NodeLatency]  # type: ignore[attr-defined]


def test_only_an_app_with_the_setting_delays_its_answers(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert _latency_middleware(create_app(settings, pages=False)) == []
    (slow,) = _latency_middleware(create_app(replace(settings, inject_latency_ms="50-50"), pages=False))
    assert slow.kwargs["delay"]("185") == pytest.approx(0.05)  # type: ignore[attr-defined]


def test_a_production_node_ignores_the_demo_latency_setting(tmp_path: Path) -> None:
    production = replace(Settings(home=tmp_path), environment="production", inject_latency_ms="50-50")
    assert _latency_middleware(create_app(production, pages=False)) == []


def test_the_middleware_holds_back_node_answers_only() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
    from starlette.testclient import TestClient

    asked: list[str] = []

    def node(request: Request) -> Response:
        refused = "bad" in request.query_params.get("q", "")
        return Response("refused" if refused else "answer", status_code=400 if refused else 200)

    paths = ["/nodes/{code}/exchange/v1/results", "/nodes/{code}/exchange/v1/batch", "/nodes/{code}"]
    app = Starlette(routes=[Route(p, node, methods=["GET", "POST"]) for p in paths])
    app.add_middleware(NodeLatency, delay=lambda code: asked.append(code) or 0.0)
    with TestClient(app) as client:
        assert client.post("/nodes/216/exchange/v1/results").text == "answer"
        assert client.post("/nodes/185/exchange/v1/batch").text == "answer"
        assert client.post("/nodes/185/exchange/v1/results?q=bad").status_code == 400  # a refusal goes out at once
        assert client.get("/nodes/185").status_code == 200  # the node's description is no answer
    assert asked == ["216", "185"]
