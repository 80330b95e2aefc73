"""Request body limits enforced while the body streams in, before any route reads or parses it.

Each route reads its body whole (``await request.body()``, FastAPI's JSON parsing, the multipart parser), so a limit
checked there comes after the memory is spent. This ASGI middleware sits in front of the routes: a declared
``Content-Length`` above the route's limit is answered 413 before one byte of the body is read, and a body without
one (chunked) is counted chunk by chunk as the app pulls it from ``receive()``; the chunk that crosses the limit
ends the request with 413. The limit is chosen per route by method and path; the first rule that matches wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class BodyLimit:
    """At most ``max_bytes`` of body for requests whose method is in ``methods`` and whose path matches ``path``."""

    path: re.Pattern[str]
    max_bytes: int
    methods: frozenset[str] = frozenset({"POST", "PUT", "PATCH", "DELETE"})
    what: str = "request bodies"

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.path.fullmatch(path) is not None


def limit(pattern: str, max_bytes: int, what: str, methods: Sequence[str] = ("POST",)) -> BodyLimit:
    """A rule for paths matching the regular expression ``pattern`` (whole path)."""
    return BodyLimit(re.compile(pattern), max_bytes, frozenset(methods), what)


class BodyTooLarge(HTTPException):
    """Raised from ``receive()`` when the body crosses its limit; an HTTPException, so FastAPI answers 413."""

    def __init__(self, rule_text: str) -> None:
        super().__init__(413, {"error": "too_large", "message": rule_text})


def _refusal_text(max_bytes: int, what: str) -> str:
    return f"{what} are at most {max_bytes} bytes; send a smaller body"


class BodyLimitMiddleware:
    """Refuses bodies above the route's limit (``rules``, else ``default``) with 413, reading no more than the limit.

    Every request is bounded, including methods that normally carry no body (GET, HEAD …): those get the default.
    """

    def __init__(self, app: ASGIApp, rules: Sequence[BodyLimit], default: int, default_what: str = "request bodies"):
        self.app = app
        self.rules = tuple(rules)
        self.default = default
        self.default_what = default_what

    def limit_for(self, method: str, path: str) -> tuple[int, str]:
        for rule in self.rules:
            if rule.matches(method, path):
                return rule.max_bytes, rule.what
        return self.default, self.default_what

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes, what = self.limit_for(scope["method"], scope["path"])
        text = _refusal_text(max_bytes, what)
        declared = _content_length(scope)
        if declared == -1:
            await _refuse(send, 400, "bad_request", "the Content-Length header is not a number")
            return
        if declared is not None and declared > max_bytes:
            await _refuse(send, 413, "too_large", text)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(text)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            # Raised where no exception handler turned it into a response (e.g. in another middleware).
            if started:
                raise
            await _refuse(send, 413, "too_large", text)


def _content_length(scope: Scope) -> int | None:
    """The declared length, None when absent, -1 when it is not a plain decimal number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) <= 18 else -1
    return None


async def _refuse(send: Send, status: int, error: str, message: str) -> None:
    # The same shape as the routes' refusals, {"detail": {"error": …, "message": …}}; "connection: close" because the
    # unread rest of the body must not be taken for the next request.
    body = json.dumps({"detail": {"error": error, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
