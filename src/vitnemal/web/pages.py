"""Mounts the page foundation and every package's pages into the app (one place, so app.py stays small)."""

from __future__ import annotations

from fastapi import FastAPI

from vitnemal.config import Settings
from vitnemal.web.auth.routes import router as auth_router
from vitnemal.web.context import Web
from vitnemal.web.routing import install
from vitnemal.web.shell import router as shell_router


def add_pages(app: FastAPI, settings: Settings, web: Web | None = None) -> Web:
    """Serve the pages of ``settings`` on ``app``; ``web`` replaces the default foundation (tests)."""
    web = web or Web.open(settings)
    install(app, web)
    app.include_router(shell_router)
    app.include_router(auth_router)
    from vitnemal.portal.routes import install as install_portal

    install_portal(app)
    from vitnemal.emrex.routes import install as install_emrex

    install_emrex(app)  # the portal as an EMREX data provider, and the owner's transfers
    from vitnemal.emrex2.routes import install as install_emrex2

    install_emrex2(app)  # EMREX 2: the consent page after the portal's login, the token and results endpoints
    from vitnemal.verification.routes import pages as verification_pages

    app.include_router(verification_pages)
    from vitnemal.staffpages.routes import install as install_staff_pages

    install_staff_pages(app)  # the staff login, front pages, settings, disclosure log and student consent
    from vitnemal.federation.routes import router as federation_pages

    app.include_router(federation_pages)
    from vitnemal.casepages import install as install_case_pages

    install_case_pages(app)  # the case worker's and the diploma officer's pages
    from vitnemal.admissionpages import install as install_admission_pages

    install_admission_pages(app)  # the applicant's admission consent and the admissions officer's pages
    if not settings.production:
        from vitnemal.testidp.provider import install as install_test_idp

        install_test_idp(app, web)
    return web


def upgrade_web_database(settings: Settings) -> int:
    """Make or upgrade the pages' database (sessions, rate limits) to this version's schema; 1 if it changed."""
    from vitnemal.db import make_engine
    from vitnemal.schema import current_revision, head_revision, upgrade

    url = settings.url_for("portal")
    engine = make_engine(url, pooled=False)
    try:
        behind = current_revision(engine) != head_revision()
    finally:
        engine.dispose()
    if behind:
        upgrade(url)
    return int(behind)
