"""The case worker's and the diploma officer's pages: recognition cases, results orders, Person eksternstudium."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from vitnemal.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")


def install(app: FastAPI) -> None:
    """Mount the case pages (after the staff pages: they stand on its login and roles)."""
    from vitnemal.casepages import cases, diplomas, elmo_upload, external, orders

    app.include_router(orders.assets)
    app.include_router(cases.router)
    app.include_router(orders.router)
    app.include_router(external.router)
    app.include_router(elmo_upload.router)  # emrex's: the ELMO upload on Person eksternstudium
    app.include_router(diplomas.router)
