"""Security headers on every response, with a Content-Security-Policy chosen per surface.

Anything that is not a page (JSON, files, refusals) gets the strictest policy: nothing may load, nothing may frame
it. A surface that serves pages (the API docs; the institution pages and the portal) registers the policy of its
HTML answers for its path prefix, built with :func:`csp`; the longest matching prefix wins, and an HTML answer on
no registered prefix gets the strict policy too. A response that already carries a ``Content-Security-Policy`` (a
page with a per-response nonce, or one whose form leads to another origin) keeps its own. No policy made with
:func:`csp` allows ``'unsafe-inline'``: pages load their scripts and styles from files.

HSTS is sent only on requests that arrived over TLS (``scope["scheme"] == "https"``, which uvicorn also sets from
``X-Forwarded-Proto`` behind a trusted proxy), since browsers ignore it over plain HTTP and it must never pin a
plain-HTTP development host.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def csp(**directives: str) -> str:
    """A policy from directives given as ``script_src="'self'"`` (underscores become dashes), in the order given."""
    for value in directives.values():
        if "unsafe-inline" in value or "unsafe-eval" in value:
            raise ValueError("no policy here allows 'unsafe-inline' or 'unsafe-eval'; load scripts and styles from "
                             "files (or give the response its own policy with a nonce)")
    return "; ".join(f"{name.replace('_', '-')} {value}" for name, value in directives.items())


# For JSON and anything else that is not a page: load nothing, run nothing, be framed by no one.
STRICT = csp(default_src="'none'", frame_ancestors="'none'", base_uri="'none'", form_action="'none'")

# A page built only from this host's own files (scripts and styles from files, images also as data: URLs).
SELF_ONLY_PAGE = csp(default_src="'none'", script_src="'self'", style_src="'self'", img_src="'self' data:",
                     font_src="'self'", connect_src="'self'", frame_ancestors="'none'", base_uri="'none'",
                     form_action="'self'")

HSTS = "max-age=63072000; includeSubDomains"

_FIXED = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


class SecurityHeaders:
    """Adds the headers above to every HTTP response; ``pages`` maps path prefixes to the CSP of their HTML.

    Headers the app set itself are kept (``setdefault``), so a surface with special needs says so on its response.
    """

    def __init__(self, app: ASGIApp, pages: Mapping[str, str] | None = None, default: str = STRICT) -> None:
        self.app = app
        # Longest prefix first, so "/portal" can differ from "/".
        self.pages = sorted((pages or {}).items(), key=lambda item: len(item[0]), reverse=True)
        self.default = default

    def policy_for(self, path: str, content_type: str) -> str:
        if not content_type.startswith("text/html"):
            return self.default
        for prefix, policy in self.pages:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return policy
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                policy = self.policy_for(scope["path"], headers.get("content-type", ""))
                headers.setdefault("content-security-policy", policy)
                for name, value in _FIXED:
                    headers.setdefault(name.decode(), value.decode())
                if tls:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
