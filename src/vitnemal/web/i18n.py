"""Languages of the web pages: which one a request gets, and its message catalogue.

The catalogues are the ``.po`` files under ``locale/`` (the translators' source). They are compiled to gettext
form in memory the first time a process needs one, so a fresh clone, an editable install and a wheel all work
without a build step, and an edited ``.po`` is never shadowed by a stale ``.mo``. The catalogue is cached per
process; it is the program's text, not anyone's state.

A request's language: ``?lang=`` on any page (remembered in a cookie), else that cookie, else the browser's
Accept-Language, else bokmål. The web pages come in bokmål, nynorsk and English; North Sami (``se``) has a catalogue
for the texts a share is sent in, not for the pages.
"""

from __future__ import annotations

import functools
import io
from datetime import datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from vitnemal.i18n import local

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
PAGE_LANGUAGES = ("nb", "nn", "en")
SHARE_LANGUAGES = ("nb", "nn", "en", "se")
DEFAULT_LANGUAGE = "nb"
LANG_COOKIE = "lang"
# Browsers say "no" (or "nb-NO", "nn-NO") for Norwegian; "no" is bokmål in practice.
_ALIASES = {"no": "nb", "nb": "nb", "nn": "nn", "en": "en"}
# Where a catalogue has no translation yet, the text comes from this one (else from the English message id).
_FALLBACK = {"se": "nb"}
# Accept-Language is outside input: look at a bounded prefix and a bounded number of entries.
_MAX_ACCEPT_LANGUAGE = 512
_MAX_ENTRIES = 20


@functools.cache
def _catalog(lang: str) -> Catalog:
    if lang not in SHARE_LANGUAGES:
        raise ValueError(f"no catalogue for language {lang!r}; known: {', '.join(SHARE_LANGUAGES)}")
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as fh:
        return read_po(fh, locale=lang)


@functools.cache
def _translated(lang: str) -> frozenset[str]:
    """The messages ``lang``'s own catalogue translates (not its fallback's)."""
    return frozenset(str(m.id) for m in _catalog(lang)
                     if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy)


def shown_in(lang: str, message: str) -> str:
    """The language ``message`` reads in on a page in ``lang``: ``lang`` where its catalogue has it, else the
    fallback's (North Sami falls back to bokmål), else English (the message id itself)."""
    while True:
        if lang == "en" or message in _translated(lang):
            return lang
        if lang not in _FALLBACK:
            return "en"
        lang = _FALLBACK[lang]


def partly_translated(lang: str) -> bool:
    """True for a language whose catalogue does not yet translate every page text (North Sami today)."""
    return lang != "en" and not {str(m.id) for m in _catalog(lang) if m.id and isinstance(m.id, str)} <= \
        _translated(lang)


@functools.cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (one of SHARE_LANGUAGES)."""
    catalog = _catalog(lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    compiled = Translations(buf, domain=DOMAIN)
    if lang in _FALLBACK:
        # A North Sami text the catalogue does not have yet reads in Bokmål, not in English (review R33).
        compiled.add_fallback(translations(_FALLBACK[lang]))
    return compiled


def from_accept_language(header: str | None) -> str | None:
    """The best page language the browser asks for, or None when it asks for none we have."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:_MAX_ACCEPT_LANGUAGE].split(",")[:_MAX_ENTRIES]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        lang = _ALIASES.get(primary)
        if lang is not None and quality > 0:
            # Higher quality first; among equals, the order the browser gave.
            choices.append((-quality, index, lang))
    return min(choices)[2] if choices else None


def choose(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """The page language for a request: ``?lang=``, then the cookie, then Accept-Language, then bokmål."""
    for candidate in (query_lang, cookie_lang):
        if candidate in PAGE_LANGUAGES:
            return candidate
    return from_accept_language(accept_language) or DEFAULT_LANGUAGE


def oslo_datetime(value: datetime, lang: str, fmt: str = "medium") -> str:
    """A moment as people in Norway read it: Oslo time (or VITNEMAL_TIMEZONE's, see vitnemal.i18n), in the
    page's language."""
    moment = local(value)
    return format_datetime(moment, format=fmt, tzinfo=moment.tzinfo, locale=babel_locale(lang))


def oslo_date(value: datetime, lang: str, fmt: str = "long") -> str:
    """The Oslo calendar date of a moment (VITNEMAL_TIMEZONE's), in the page's language."""
    return format_date(local(value).date(), format=fmt, locale=babel_locale(lang))


@functools.cache
def babel_locale(lang: str) -> Locale:
    # CLDR knows North Sami as "se"; bokmål and nynorsk as "nb" and "nn".
    return Locale.parse(lang)
