"""The door of every per-institution route: institutions set aside answer 503, and the case workers' API is
authenticated before the app reads the body.

An institution whose database could not be opened when the host started (``LocalInstitutions.unavailable``)
answers "unavailable" (503, with Retry-After) on its node and its API, so requesters count it as a node that is
down and retry, while every other institution on the host is served.

FastAPI reads and parses a route's JSON body before it runs the route's dependencies, so a bearer-token check
written as a dependency comes after the parsing. This ASGI middleware checks the token of every request to
``/api/institutions/{code}/…`` first and answers 401 (or 404 for an institution not served here) without reading a
byte of the body; the routes' own check then finds the user it recorded (``request.state.case_worker``).
"""

from __future__ import annotations

import asyncio
import json
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from vitnemal.asgi import NODE_PATH, send_response
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.staff.service import NotAuthenticated, authenticate

API_PATH = re.compile(r"/api/institutions/(?P<code>[^/]+)(?:/.*)?")
RETRY_AFTER_S = 3600


class InstitutionGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host: LocalInstitutions = scope["app"].state.host
        node = NODE_PATH.fullmatch(scope["path"])
        if node is not None and node["code"] in host.unavailable:
            await _answer(send, 503, {"error": "unavailable", "message": f"institution {node['code']}'s records are "
                                      "unavailable on this host just now; ask again later"}, _RETRY)
            return
        match = API_PATH.fullmatch(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        code = match["code"]
        if code in host.unavailable:
            await _answer(send, 503, f"The database of institution {code} is unavailable on this host; the operator "
                                     "has been told in the server's log.", _RETRY)
            return
        if not host.serves(code):
            await _answer(send, 404, f"Institution {code!r} is not served here.")
            return
        authorization = _header(scope, b"authorization")

        def check() -> str:
            with host.db(code).read_session() as session:
                return authenticate(session, authorization)

        try:
            user = await asyncio.to_thread(check)
        except NotAuthenticated as exc:
            await _answer(send, 401, str(exc), [(b"www-authenticate", b"Bearer")])
            return
        scope.setdefault("state", {})["case_worker"] = (code, user)
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


_RETRY = [(b"retry-after", str(RETRY_AFTER_S).encode())]


async def _answer(send: Send, status: int, detail: str | dict[str, str],
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send_response(send, status, json.dumps({"detail": detail}).encode(), b"application/json", headers)
