"""The admission's pages: the applicant's consent at application (Samordna opptak, an institution's Søknadsweb) and
the admissions officer's rounds, progress, applicants and exports. An entry point like web/: it stands on the staff
pages' login and roles and on the services of ``records.consent`` and ``admissions``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from vitnemal.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")


def install(app: FastAPI) -> None:
    """Mount the admission's pages (after the staff pages: they stand on its login and roles)."""
    import vitnemal.admissionpages.applicants  # noqa: F401  (it adds the applicant's page to the rounds' router)
    from vitnemal.admissionpages import consent, rounds, upload

    app.include_router(consent.router)
    app.include_router(rounds.assets)
    app.include_router(upload.router)  # before the rounds': /rounds/new is not a round's number
    app.include_router(rounds.router)
