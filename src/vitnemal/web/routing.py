"""How a package adds pages: ``page_router()`` and ``require_login``; ``install`` puts the foundation into an app.

Every page router checks CSRF on unsafe methods. ``require_login`` sends a visitor who is not logged in to the
login page (and back afterwards). Error pages (404, 403, 500, a refused CSRF token) are rendered in the visitor's
language for pages; the machine interfaces under ``/api``, ``/nodes`` and the like keep their JSON answers.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from vitnemal.web.context import CookieMiddleware, Web, current_session
from vitnemal.web.csrf import CsrfRefused, csrf_protect
from vitnemal.web.sessions import BrowserSession
from vitnemal.web.templating import STATIC, STATIC_PREFIX, render

log = logging.getLogger(__name__)
# Paths that answer machines, not people: their errors stay as the API defines them.
MACHINE_PREFIXES = ("/api", "/nodes", "/healthz", "/docs", "/redoc", "/openapi.json", "/test-idp/token",
                    "/test-idp/jwks", "/test-idp/.well-known", "/test-idp/feide/token", "/test-idp/feide/jwks",
                    "/test-idp/feide/.well-known", "/emrex/oauth2/token", "/emrex/results")
# Paths that answer people and machines alike: the Accept header decides.
NEGOTIATED_PREFIXES = ("/verify", "/.well-known")
_MAX_NEXT = 500


def page_router(**kwargs: object) -> APIRouter:
    """An APIRouter for pages: CSRF is checked on every unsafe method, and pages stay out of the OpenAPI schema."""
    dependencies = [Depends(csrf_protect), *kwargs.pop("dependencies", [])]  # type: ignore[misc]
    return APIRouter(dependencies=dependencies, include_in_schema=False, **kwargs)  # type: ignore[arg-type]


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def require_login(request: Request) -> BrowserSession:
    """Dependency: the logged-in owner's session; anyone else is sent to log in and brought back here."""
    session = current_session(request)
    if session is None or session.national_id is None:
        # Back to the very page afterwards, its query too (?lang=en, a search): safe_next keeps it local.
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return session


def safe_next(value: str | None) -> str:
    """A local path to return to after login; anything else (another site, ``//host``) becomes the front page."""
    if not value or len(value) > _MAX_NEXT or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


class CachedStatic(StaticFiles):
    """Vendored files with their content hash in the URL (``?v=``) may be cached for a year; others revalidate."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["cache-control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
        return response


def _is_page(request: Request) -> bool:
    """A person's browser asking for a page, not a machine.

    Paths that serve both (``/verify``) negotiate: a browser gets the error page, an API client (``Accept: */*``
    or JSON) the JSON answer the API defines.
    """
    path = request.url.path
    if path.startswith(MACHINE_PREFIXES):
        return False
    if path.startswith(NEGOTIATED_PREFIXES):
        return "text/html" in request.headers.get("accept", "")
    return True


def install(app: FastAPI, web: Web) -> None:
    """Give ``app`` the page foundation: state, cookies, static files and the error pages."""
    app.state.web = web
    app.add_middleware(CookieMiddleware)
    app.mount(STATIC_PREFIX, CachedStatic(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/auth/login?next={quote(safe_next(exc.next_path))}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        return render(request, "web/error.html", {"status": 403, "reason": "csrf"}, status_code=403)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not _is_page(request):
            return await http_exception_handler(request, exc)
        reason = {404: "not_found", 403: "forbidden", 405: "not_found"}.get(exc.status_code, "other")
        return render(request, "web/error.html", {"status": exc.status_code, "reason": reason},
                      status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if not _is_page(request):
            return PlainTextResponse("Internal Server Error", status_code=500)
        try:
            return render(request, "web/error.html", {"status": 500, "reason": "server"}, status_code=500)
        except Exception:  # the page itself may be what fails (e.g. the database is down)
            return PlainTextResponse("Internal Server Error", status_code=500)
