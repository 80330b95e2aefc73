"""The case worker's and the diploma officer's pages: recognition cases, results orders, Person eksternstudium."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from vitnemal.casepages.common import CSS_URL
from vitnemal.web.templating import env, register_templates

register_templates(Path(__file__).parent / "templates")
# The stylesheet by its versioned URL: a revalidated one held up each page's deferred script (the live outcomes).
env.globals["casepages_css"] = CSS_URL


def install(app: FastAPI) -> None:
    """Mount the case pages (after the staff pages: they stand on its login and roles)."""
    from vitnemal.casepages import cases, diplomas, elmo_upload, external, live, orders

    app.include_router(orders.assets)
    app.include_router(live.assets)
    app.include_router(cases.router)
    app.include_router(orders.router)
    app.include_router(live.router)
    app.include_router(external.router)
    app.include_router(elmo_upload.router)  # emrex's: the ELMO upload on Person eksternstudium
    app.include_router(diplomas.router)
