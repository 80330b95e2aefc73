"""Jinja2 pages: one environment (autoescape on) shared by every package that adds pages.

A package puts its templates in ``<package>/templates/<package>/`` and calls ``register_templates`` with the
``templates`` directory, so names never clash (``portal/share.html``) and every page can extend ``web/base.html``.
``render`` gives each template the request's language and its translations (``_``, ``ngettext``, ``{% trans %}``),
``csrf_field()``, the logged-in ``user``, ``static()`` URLs and Oslo-time date filters.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from vitnemal.web import i18n
from vitnemal.web.context import current_session, language
from vitnemal.web.csrf import csrf_field

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATIC_PREFIX = "/static"

# The catalogue of the page being rendered. Set just before rendering, in the same thread, so one shared
# environment serves requests in different languages at the same time.
_current: contextvars.ContextVar[Translations] = contextvars.ContextVar("vitnemal_translations")

# ChoiceLoader keeps this very list, so templates registered later are found too.
_loaders: list[BaseLoader] = [FileSystemLoader(TEMPLATES)]
env = Environment(
    loader=ChoiceLoader(_loaders),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda message: _current.get().ugettext(message),
    ngettext=lambda singular, plural, n: _current.get().ungettext(singular, plural, n),
    pgettext=lambda context, message: _current.get().upgettext(context, message),
    npgettext=lambda context, singular, plural, n: _current.get().unpgettext(context, singular, plural, n),
    newstyle=True,
)


def marked(lang: str, message: str, **variables: Any) -> Markup:
    """``message`` in ``lang`` as element content (not in an attribute, a <title> or an <option>): where ``lang``'s
    catalogue does not have it yet, inside ``<span lang="…">`` of the language it falls back to, so that a screen
    reader reads a bokmål sentence on a North Sami page as bokmål (WCAG 2.1, 3.1.2 Language of Parts)."""
    text = Markup(i18n.translations(lang).ugettext(message))  # the catalogue's text, as Jinja's own _() takes it
    if variables:
        text = text % variables  # Markup escapes the values
    shown = i18n.shown_in(lang, message)
    return text if shown == lang else Markup('<span lang="{}">{}</span>').format(shown, text)


@pass_context
def _marked_here(context: Context, message: str, **variables: Any) -> Markup:
    return marked(context["lang"], message, **variables)


# ``{{ _l("…") }}``: ``_("…")`` for element content, marked with its language where it is a fallback (see marked).
env.globals["_l"] = _marked_here


def register_templates(directory: Path) -> None:
    """Let pages use the templates under ``directory`` (laid out as ``<package>/<name>.html``)."""
    if not any(isinstance(loader, FileSystemLoader) and str(directory) in loader.searchpath for loader in _loaders):
        _loaders.append(FileSystemLoader(directory))


@functools.cache
def _static_version(path: str) -> str:
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """The URL of a vendored static file, with its content hash so browsers may cache it for a year."""
    return f"{STATIC_PREFIX}/{path}?v={_static_version(path)}"


def gettext_for(lang: str) -> Any:
    """``_`` for code outside templates (e.g. a flash message): the catalogue's gettext for ``lang``."""
    return i18n.translations(lang).ugettext


def render(request: Request, name: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200,
           headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """Render the page ``name`` in the request's language."""
    lang = language(request)
    session = current_session(request)
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "languages": [(code, _language_url(request, code)) for code in i18n.PAGE_LANGUAGES],
        "user": session.data if session is not None and session.national_id else None,
        "csrf_field": lambda: csrf_field(request),
        "static": static_url,
        "oslo_datetime": lambda value, fmt="medium": i18n.oslo_datetime(value, lang, fmt),
        "oslo_date": lambda value, fmt="long": i18n.oslo_date(value, lang, fmt),
        "partly_translated": i18n.partly_translated(lang),
    }
    values.update(context or {})
    token = _current.set(i18n.translations(lang))
    try:
        html = env.get_template(name).render(values)
    finally:
        _current.reset(token)
    return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))


def _language_url(request: Request, lang: str) -> str:
    # The same page in another language: the path and its query, with lang replaced.
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(query)}"

