"""The web application: the exchange nodes, the case workers' API and health, for the institutions served here."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from vitnemal import __version__
from vitnemal.admissions.applicant_list import MAX_BYTES as ADMISSION_LIST_BYTES
from vitnemal.admissions.local import LocalAdmissions
from vitnemal.admissions.tasks import AdmissionWorker
from vitnemal.config import Settings
from vitnemal.diplomas.routes import MAX_UPLOAD_BYTES
from vitnemal.diplomas.routes import router as diplomas_router
from vitnemal.exchange.routes import ERRORS as EXCHANGE_ERRORS
from vitnemal.exchange.routes import router as exchange_router
from vitnemal.exchange.worker import Worker
from vitnemal.i18n import use_zone
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.institutions.registry import MemberKind
from vitnemal.interop.elmo_sign import MAX_ELMO_BYTES
from vitnemal.node.batch import BATCH_PATH as NODE_BATCH_PATH
from vitnemal.node.batch import MAX_BATCH_REQUEST_BYTES as NODE_MAX_BATCH_BYTES
from vitnemal.node.protocol import PATH as NODE_PATH
from vitnemal.node.routes import MAX_REQUEST_BYTES as NODE_MAX_BYTES
from vitnemal.node.routes import NodeFastPath
from vitnemal.node.routes import router as node_router
from vitnemal.recognition.routes import ERRORS as RECOGNITION_ERRORS
from vitnemal.recognition.routes import router as recognition_router
from vitnemal.runtime import tune_gc
from vitnemal.signing.pool import CheckPool
from vitnemal.verification.routes import router as verification_router
from vitnemal.web.apidocs import DOCS_PATH, install_docs
from vitnemal.web.deps import answer_errors
from vitnemal.web.gate import InstitutionGate
from vitnemal.web.headers import SELF_ONLY_PAGE, SecurityHeaders
from vitnemal.web.limits import BodyLimitMiddleware, limit
from vitnemal.web.openapi import describe

# The case workers' JSON bodies are a national id or a recognition item with a note of at most 2,000 characters.
API_MAX_BYTES = 16 * 1024
# Multipart framing around the uploaded PDF (boundaries, part headers).
_MULTIPART_OVERHEAD = 64 * 1024
# How every entry point runs the app under uvicorn: no "server: uvicorn" banner on the responses.
UVICORN_OPTIONS: dict[str, Any] = {"server_header": False, "log_level": "warning", "timeout_graceful_shutdown": 5}
# Content-Security-Policy of the HTML pages per surface (path prefix); everything else gets headers.STRICT.
API_DOCS_CSP = {DOCS_PATH: SELF_ONLY_PAGE}
PAGES_CSP = {"/": SELF_ONLY_PAGE}
BODY_LIMITS = [
    limit(rf"/nodes/[^/]+/{NODE_PATH}", NODE_MAX_BYTES, "signed node requests"),
    limit(rf"/nodes/[^/]+/{NODE_BATCH_PATH}", NODE_MAX_BATCH_BYTES, "signed batch questions"),
    limit(r"/institutions/[^/]+/admission/rounds/new", ADMISSION_LIST_BYTES + _MULTIPART_OVERHEAD,
          "admission lists"),
    limit(r"/verify", MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD, "uploads to verify"),
    limit(r"/institutions/[^/]+/people/[0-9]+/external/elmo", 2 * MAX_ELMO_BYTES + _MULTIPART_OVERHEAD,
          "ELMO files"),
]


def create_app(settings: Settings, *, with_worker: bool = False, codes: list[str] | None = None,
               pages: bool = True) -> FastAPI:
    """Build the app for ``settings``; with ``with_worker`` the background worker runs inside it.

    With ``pages`` (the default) it also serves the web pages (the portal at ``/``) and, outside production, the
    built-in test identity provider at ``/test-idp``.
    """
    use_zone(settings.timezone)  # the times its pages, PDFs and mail show

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        host = LocalInstitutions.open(settings, codes)
        app.state.host = host
        app.state.check_pool = CheckPool(min(2, os.cpu_count() or 1))  # workers start on the first upload
        tune_gc()
        stop = asyncio.Event()
        tasks = []
        if with_worker:
            worker = Worker(host)
            app.state.worker = worker
            tasks.append(asyncio.create_task(worker.run(stop)))
            # Admission rounds of the admission bodies served here (Samordna opptak), and the institutions' local
            # admission rounds (a worker for an institution while it has applicants due).
            kinds = {code: e.kind for code in host.codes if (e := host.registry.institutions.get(code)) is not None}
            for code in host.codes:
                if kinds.get(code) is MemberKind.ADMISSION:
                    tasks.append(asyncio.create_task(AdmissionWorker(host, code).run(stop)))
            local = [code for code in host.codes if kinds.get(code) is MemberKind.INSTITUTION]
            if local:
                tasks.append(asyncio.create_task(LocalAdmissions(host, local).run(stop)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                await task
            app.state.check_pool.close()
            host.close()

    app = FastAPI(title="vitnemal", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Exchange nodes (signed requests between institutions), the case workers' API of "
                              "each institution served here, and the public verification of documents.")
    # Starlette runs the middleware added last first: the body limit sees a request before the gate does.
    app.add_middleware(InstitutionGate)
    app.add_middleware(BodyLimitMiddleware, rules=BODY_LIMITS, default=API_MAX_BYTES,
                       default_what="request bodies here")
    hold = None
    if settings.inject_latency_ms and not settings.production:  # demos and benchmarks only
        from vitnemal.devtools.latency import NodeLatency, node_delays

        hold = node_delays(settings.inject_latency_ms)
        app.add_middleware(NodeLatency, delay=hold)
    _with_security_headers(app, {**API_DOCS_CSP, **(PAGES_CSP if pages else {})}, hold)
    describe(app)
    install_docs(app)
    app.include_router(node_router)
    app.include_router(exchange_router)
    answer_errors(app, EXCHANGE_ERRORS)
    app.include_router(recognition_router)
    answer_errors(app, RECOGNITION_ERRORS)
    app.include_router(diplomas_router)
    app.include_router(verification_router)
    if pages:
        from vitnemal.web.pages import add_pages

        add_pages(app, settings)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, object]:
        # Reads only what the host found at start: no worker thread for the health checks of a load balancer.
        host: LocalInstitutions = app.state.host
        return {"status": "degraded" if host.unavailable else "ok", "institutions": len(host.codes),
                "unavailable": sorted(host.unavailable), "worker": with_worker}

    return app


def _with_security_headers(app: FastAPI, pages: dict[str, str], hold: Any = None) -> None:
    """Put SecurityHeaders outside the whole stack, so even Starlette's own 500 answer carries the headers; the
    nodes' questions are answered just inside it (:class:`~vitnemal.node.routes.NodeFastPath`, with the injected
    latency ``hold`` of demos and benchmarks), the rest by the stack.

    ``add_middleware`` would place it inside ServerErrorMiddleware, whose answer to a crash bypasses it.
    """
    build = app.build_middleware_stack

    def build_with_headers() -> Any:
        return SecurityHeaders(NodeFastPath(build(), hold), pages=pages)

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory`` with several worker processes; options come from the environment."""
    settings = Settings.from_env()
    return create_app(settings, with_worker=settings.serve_worker, codes=list(settings.serve_institutions) or None)
