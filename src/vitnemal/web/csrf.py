"""CSRF protection for every form: a token bound to the browser's session, checked on every unsafe method.

The token is an HMAC of the session id under a key derived from the secret, so it needs no storage, differs per
session and dies with it. A page router made by ``web.routing.page_router`` checks it on every POST, PUT, PATCH and
DELETE: in the form field ``csrf_token`` or the header ``X-CSRF-Token``. SameSite=Lax cookies are a second wall.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request
from markupsafe import Markup, escape

from vitnemal.web.context import current_session, ensure_session, web

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_TOKEN = 100


class CsrfRefused(Exception):
    """An unsafe request without the token of the browser's session (an expired session, or a forged request)."""


def token_for(key: bytes, sid: str) -> str:
    mac = hmac.new(key, f"csrf:{sid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_token(request: Request) -> str:
    """The token for this browser's forms (a session is made for it if there is none)."""
    return token_for(web(request).csrf_key, ensure_session(request).sid)


def csrf_field(request: Request) -> Markup:
    """The hidden form field templates put in every form: ``{{ csrf_field() }}``."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(csrf_token(request)))


async def csrf_protect(request: Request) -> None:
    """Dependency: refuse an unsafe request whose token is missing or not this session's."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # Starlette keeps the parsed form, so the route's own Form(...) parameters read the same one.
            value = (await request.form()).get(FIELD)
            sent = value if isinstance(value, str) else None
    # current_session does blocking database work; it is quick, and a page POST is rare next to page views.
    session = current_session(request)
    if session is None or sent is None or len(sent) > _MAX_TOKEN:
        raise CsrfRefused()
    if not hmac.compare_digest(sent, token_for(web(request).csrf_key, session.sid)):
        raise CsrfRefused()
