"""A bare app with only the page foundation (no nodes), on a fresh migrated database."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vitnemal.config import Settings
from vitnemal.web.context import Web
from vitnemal.web.pages import add_pages

SECRET = "test-secret-key-0123456789-abcdefghijklmnop"


@pytest.fixture
def web_settings(tmp_path) -> Settings:
    return replace(Settings(), home=tmp_path / "home", secret_key=SECRET, public_url="http://testserver")


@pytest.fixture
def page_app(web_settings, db_url) -> FastAPI:
    app = FastAPI()
    add_pages(app, web_settings, Web.open(web_settings, db_url))
    return app


@pytest.fixture
def client(page_app) -> TestClient:
    with TestClient(page_app) as c:
        yield c
