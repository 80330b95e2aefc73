"""Browser tests: Playwright for Python driving Debian's chromium against the pages over real HTTP.

Every page a test visits is checked with axe-core (vendored in ``vendor/`` with its licence) against the WCAG 2.1
A and AA rules, and photographed into ``$VITNEMAL_SCREENSHOTS`` (default: the test's temporary directory).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI

from vitnemal.devtools.federation import build_federation
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SECRET = "browser-test-secret-0123456789-abcdefghijkl"


# Module scope, not session: Playwright's sync API keeps its event loop running while it is open, and other test
# modules in the same worker use asyncio.run. The browser tests are one xdist group, so they run together.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing; scripts/system-packages installs it")
        pytest.skip("chromium is not installed (bash scripts/system-packages)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(tmp_path, sqlite_template) -> Iterator[tuple[FastAPI, BackgroundServer]]:
    """The whole app (one node, the pages, the test provider, the platform's security headers) on a real uvicorn."""
    port = free_port()
    fed = build_federation(tmp_path / "fed", ["216"], f"http://127.0.0.1:{port}", template=sqlite_template)
    settings = replace(fed.settings, secret_key=SECRET)
    shutil.copyfile(sqlite_template, settings.url_for("portal").removeprefix("sqlite:///"))
    app = create_app(settings)
    with BackgroundServer(app, port=port) as server:
        yield app, server


@pytest.fixture
def shots(tmp_path) -> Path:
    target = Path(os.environ.get("VITNEMAL_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def page(browser, site):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=site[1].url, locale="nb-NO")  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()


@pytest.fixture
def check(page, shots):  # type: ignore[no-untyped-def]
    """``check(name)``: no axe-core violation of WCAG 2.1 A/AA on the page as it is now, and a screenshot of it."""
    return lambda name: _check_page(page, shots, name)


def _check_page(page, shots: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    # Evaluated through the DevTools protocol, so the page's own CSP (no inline scripts) stays in force.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html).slice(0, 3)}))",
        WCAG_TAGS,
    )
    assert violations == [], f"{name} ({page.url}): axe-core found {violations}"
