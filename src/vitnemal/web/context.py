"""What every page request can reach: the web surface's database, its sessions, the language, cookies to set.

``Web`` is made once per app (``app.state.web``) and holds no user state: sessions and counters are in its
database. The functions below are what routes and dependencies call with the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vitnemal import ratelimit
from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.web import i18n
from vitnemal.web.auth.oidc import Provider
from vitnemal.web.auth.providers import configured_providers
from vitnemal.web.pagecache import PageCache
from vitnemal.web.secretkey import derive, load_secret_key
from vitnemal.web.sessions import COOKIE, BrowserSession, SessionStore, utcnow

# Every page request holds a connection for a moment, and up to 40 run at once (the thread pool): a pool of 5 made
# most of them open (and close) a PostgreSQL connection of their own under load.
PAGE_POOL_SIZE = 20
_COOKIES = "vitnemal.set_cookie"
_SESSION = "vitnemal.session"
_LANG = "vitnemal.lang"


LoginHook = Callable[[Request, BrowserSession, str], None]


@dataclass
class Web:
    """The page foundation of one app: settings, the database sessions live in, keys derived from the secret."""

    settings: Settings
    db: Database
    secret: bytes = field(repr=False)
    providers: list[Provider] = field(default_factory=list)
    sessions: SessionStore = field(init=False, repr=False)
    csrf_key: bytes = field(init=False, repr=False)
    pages: PageCache = field(default_factory=PageCache, repr=False)  # pages any visitor of a key sees alike
    # What an app does the moment a person has logged in, before the browser is sent on to ``next`` (the portal
    # starts the owner's fetch there): each is called in the thread pool with the request, the new session and
    # the path the browser goes to next. A hook that fails is logged; the login goes on.
    after_login: list[LoginHook] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.sessions = SessionStore(derive(self.secret, "session-cookie"),
                                     timedelta(seconds=self.settings.session_idle_s))
        self.csrf_key = derive(self.secret, "csrf")

    @classmethod
    def open(cls, settings: Settings, db_url: str | None = None) -> Web:
        """The foundation on the portal's database (``settings.url_for("portal")``) unless ``db_url`` is given."""
        secret = load_secret_key(settings)
        return cls(settings=settings, db=Database(db_url or settings.url_for("portal"), pool_size=PAGE_POOL_SIZE),
                   secret=secret, providers=configured_providers(settings, secret))

    @property
    def secure_cookies(self) -> bool:
        # Behind TLS the browser must never send the cookie over plain HTTP.
        return urlsplit(self.settings.public_url).scheme == "https"


def web(request: Request) -> Web:
    instance: Web = request.app.state.web
    return instance


def queue_cookie(request: Request, name: str, value: str, *, max_age: int | None = None, delete: bool = False,
                 secure: bool = False) -> None:
    """Set a cookie on whatever response this request ends with (a page, a redirect or an error page)."""
    builder = Response()
    if delete:
        builder.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure)
    else:
        builder.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=secure)
    headers = request.scope.setdefault("state", {}).setdefault(_COOKIES, [])
    headers.extend(value for key, value in builder.raw_headers if key == b"set-cookie")


class CookieMiddleware:
    """Adds the cookies queued with ``queue_cookie`` to the response; pure ASGI, so streaming is untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                queued = scope.get("state", {}).get(_COOKIES)
                if queued:
                    message = dict(message)
                    message["headers"] = [*message.get("headers", []), *((b"set-cookie", v) for v in queued)]
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def language(request: Request) -> str:
    """The request's page language; ``?lang=`` is remembered in a cookie for a year."""
    state = request.scope.setdefault("state", {})
    lang: str | None = state.get(_LANG)
    if lang is None:
        asked = request.query_params.get("lang")
        lang = i18n.choose(asked, request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))
        if asked == lang and request.cookies.get(i18n.LANG_COOKIE) != lang:
            queue_cookie(request, i18n.LANG_COOKIE, lang, max_age=365 * 86400, secure=web(request).secure_cookies)
        state[_LANG] = lang
    return lang


def use_share_language(request: Request, share_lang: str) -> str:
    """A page about a share is in the share's language when that is one the pages do not offer (North Sami) and
    the visitor did not pick a page language with ``?lang=`` just now; otherwise as :func:`language` says."""
    if share_lang in i18n.SHARE_LANGUAGES and share_lang not in i18n.PAGE_LANGUAGES \
            and request.query_params.get("lang") not in i18n.PAGE_LANGUAGES:
        request.scope.setdefault("state", {})[_LANG] = share_lang
        return share_lang
    return language(request)


def current_session(request: Request) -> BrowserSession | None:
    """The browser's live session, or None. Loaded once per request; touched at most once a minute."""
    state = request.scope.setdefault("state", {})
    if _SESSION in state:
        cached: BrowserSession | None = state[_SESSION]
        return cached
    w = web(request)
    now = utcnow()
    with w.db.read_session() as db:
        session = w.sessions.load(db, request.cookies.get(COOKIE), now)
    if session is not None and w.sessions.needs_touch(session, now):
        with w.db.session() as db:
            w.sessions.touch(db, session, now)
    state[_SESSION] = session
    return session


def loaded_session(request: Request, session: BrowserSession | None) -> None:
    """This request's session (or None for none), loaded and touched elsewhere: the share page's view batch reads
    the browser's session with the share. Pages rendered for the request then read it from here."""
    request.scope.setdefault("state", {})[_SESSION] = session


def ensure_session(request: Request) -> BrowserSession:
    """The browser's session, made (anonymous) if it has none: a form needs one to bind its CSRF token to."""
    session = current_session(request)
    if session is None:
        w = web(request)
        with w.db.session() as db:
            session = w.sessions.create(db, utcnow())
        _adopt(request, session)
    return session


def replace_session(request: Request, data: dict[str, Any]) -> BrowserSession:
    """Start a new session with ``data`` in place of the current one (login): the old id stops working."""
    w = web(request)
    old = current_session(request)
    now = utcnow()
    with w.db.session() as db:
        session = w.sessions.rotate(db, old, now, data) if old else w.sessions.create(db, now, data)
        # Logins are rare next to page views: a good moment to drop what has ended (indexed deletes).
        w.sessions.purge(db, now)
        ratelimit.purge(db, now)
    _adopt(request, session)
    return session


def save_session(request: Request, session: BrowserSession) -> None:
    w = web(request)
    with w.db.session() as db:
        w.sessions.save(db, session, utcnow())


def end_session(request: Request) -> None:
    """End the browser's session everywhere and delete its cookie."""
    w = web(request)
    session = current_session(request)
    if session is not None:
        with w.db.session() as db:
            w.sessions.end(db, session)
    request.scope.setdefault("state", {})[_SESSION] = None
    queue_cookie(request, COOKIE, "", delete=True, secure=w.secure_cookies)


def _adopt(request: Request, session: BrowserSession) -> None:
    assert session.cookie is not None
    request.scope.setdefault("state", {})[_SESSION] = session
    queue_cookie(request, COOKIE, session.cookie, secure=web(request).secure_cookies)
