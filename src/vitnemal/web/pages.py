"""Mounts the page foundation and every package's pages into the app (one place, so app.py stays small)."""

from __future__ import annotations

from fastapi import FastAPI

from vitnemal.config import Settings
from vitnemal.web.context import Web
from vitnemal.web.routing import install
from vitnemal.web.shell import router as shell_router


def add_pages(app: FastAPI, settings: Settings, web: Web | None = None) -> Web:
    """Serve the pages of ``settings`` on ``app``; ``web`` replaces the default foundation (tests)."""
    web = web or Web.open(settings)
    install(app, web)
    app.include_router(shell_router)
    return web
