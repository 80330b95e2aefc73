"""What the CLI's commands share: options, a clear failure, dates, the settings and a session on one institution.

Two kinds of command exist. Some open an institution's database directly (``records``, ``recognition``,
``programmes``, ``tokens``, ``diplomas``): they need the federation's directory (``--home``). Others talk HTTP to a
running server (``exchange``): they need its address (``--api``) and read the registry and the demo's tokens from
``--home`` too. Both take the same :data:`HOME` and :data:`API` options, declared here once, and say in their help
which kind they are (:data:`OPENS_DATABASE`, :data:`TALKS_HTTP`).

Only typer and the small ``i18n`` module are imported at module level: this module is imported by
``vitnemal --help``.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from vitnemal.i18n import LANGUAGES, P_, Language  # the one Language; typer offers a Literal's values as choices

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from vitnemal.config import Settings


DEFAULT_LANGUAGE: Language = "nb"

# Sentences for the commands' help texts, so every command says the same thing about what it touches.
OPENS_DATABASE = "Opens the institution's database in the federation at --home directly; no server is needed."
TALKS_HTTP = "Talks HTTP to a running server (vitnemal demo or vitnemal serve) at --api."

HOME = typer.Option(None, "--home", envvar="VITNEMAL_HOME", help="The federation's directory.",
                    show_default="var/federation")
API = typer.Option(None, "--api", envvar="VITNEMAL_PUBLIC_URL", help="Server URL.",
                   show_default="where vitnemal serve/demo last served this home, else http://127.0.0.1:8000")
JSON = typer.Option(False, "--json", help="Print JSON.")
# The language a command writes in when --lang is not given (commands without --lang write their errors in it too).
LANGUAGE_ENV = "VITNEMAL_LANG"
LANG = typer.Option(DEFAULT_LANGUAGE, "--lang", envvar=LANGUAGE_ENV,
                    help="Language of what is printed: nb, nn or en.")
BY = typer.Option(None, "--by", help="Who you are: recorded on the case and in the audit log.",
                  show_default="your login name")

_ERROR = {"nb": "Feil", "nn": "Feil", "en": "Error"}


def environment_language() -> Language:
    """The language of the environment (the setting VITNEMAL_LANG: nb, nn or en), else bokmål (also when the
    settings cannot be read: this is how an error is said)."""
    from vitnemal.config import Settings, SettingsError

    try:
        wanted = Settings.from_env().lang
    except SettingsError:
        return DEFAULT_LANGUAGE
    return next((lang for lang in LANGUAGES if lang == wanted), DEFAULT_LANGUAGE)


def fail(message: str, code: int = 1, *, lang: str | None = None) -> typer.Exit:
    """Print ``message`` (already in ``lang``: a service's sentence, or one :func:`said` made) as an error ("Feil: …"
    in nb/nn, "Error: …" in en; ``lang`` defaults to the environment's) and return the exit to raise."""
    typer.echo(f"{_ERROR.get(lang or environment_language(), 'Error')}: {message}", err=True)
    return typer.Exit(code)


def said(text: str, lang: str | None = None, **params: object) -> str:
    """A CLI sentence (marked ``P_("cli", …)``: the English msgid) through the catalogue in ``lang`` (default: the
    environment's), its ``%(name)s`` filled with ``params``."""
    from vitnemal.web.i18n import translations

    return translations(lang or environment_language()).upgettext("cli", text) % params


def refuse(text: str, exit_code: int = 1, *, lang: str | None = None, **params: object) -> typer.Exit:
    """:func:`fail` with a CLI sentence said in ``lang`` (see :func:`said`); ``params`` fill it (``code`` is an
    institution's code there, never the exit code)."""
    lang = lang or environment_language()
    return fail(said(text, lang, **params), exit_code, lang=lang)


def parse_date(value: str | None, option: str) -> date | None:
    """``value`` (YYYY-MM-DD) as a date, None for None; anything else is a usage error (exit 2) naming ``option``."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-06-15",
                                 param_hint=option) from None


def actor(by: str | None) -> str:
    """Who runs the command, for the records and the audit log: ``--by``, else the login name."""
    return by or getpass.getuser()


def settings_for(home: Path | None = None) -> Settings:
    """The settings from the environment; ``--home`` (when given) wins over VITNEMAL_HOME. The times the command
    prints are shown in their zone (VITNEMAL_TIMEZONE)."""
    import os

    from vitnemal.config import Settings, SettingsError, env_name
    from vitnemal.i18n import use_zone

    environ = dict(os.environ)
    if home is not None:  # so that what lives in the home (the served URL) comes from there too
        environ[env_name("home")] = str(home)
    try:
        settings = Settings.from_env(environ)
    except SettingsError as exc:  # a setting that says what is wrong with it, not a traceback
        raise fail(str(exc)) from None
    use_zone(settings.timezone)
    return settings


def require_federation(settings: Settings, lang: str | None = None) -> None:
    """Fail clearly when there is no federation at the home."""
    if not settings.registry_path.exists():
        raise refuse(P_("cli", "There is no federation at %(home)s: give --home, set VITNEMAL_HOME or run "
                               "`vitnemal federation generate`."), lang=lang, home=settings.home)


def check_institution(settings: Settings, code: str, lang: str | None = None) -> None:
    """Fail clearly when there is no federation at the home or ``code`` is not one of its institutions."""
    from vitnemal.institutions.registry import Registry

    require_federation(settings, lang)
    try:
        Registry.load(settings.registry_path).get(code)
    except LookupError:
        raise refuse(P_("cli", "Unknown institution %(code)s: it is not in the federation registry (%(path)s)."),
                     code=code, path=settings.registry_path, lang=lang) from None


def said_error(exc: Exception, lang: str | None = None) -> str:
    """A service's error as a person reads it: in ``lang`` when the error can say itself (``said(pgettext)``: the
    records', the person register's and recognition's refusals), else its text."""
    say = getattr(exc, "said", None)
    if callable(say):
        from vitnemal.web.i18n import translations

        return str(say(translations(lang or environment_language()).upgettext))
    # A KeyError's str() is the repr of its key, quotes included.
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


@contextmanager
def institution_session(code: str, *, write: bool = False, home: Path | None = None,
                        hint: Callable[[Exception], str] | None = None, lang: str | None = None,
                        ) -> Iterator[Session]:
    """A session on the institution's database; service errors (LookupError, ValueError) become a clear message
    (followed by ``hint(error)``, the next step to take) and exit code 1."""
    from vitnemal.db import Database

    settings = settings_for(home)
    check_institution(settings, code, lang)
    db = Database(settings.url_for(code))
    try:
        with db.session() if write else db.read_session() as session:
            yield session
    except (LookupError, ValueError) as exc:
        raise fail(said_error(exc, lang) + (hint(exc) if hint else ""), lang=lang) from None
    finally:
        db.dispose()


@contextmanager
def web_session(settings: Settings, *, write: bool = True,
                errors: tuple[type[Exception], ...] = (LookupError, ValueError),
                lang: str | None = None) -> Iterator[Session]:
    """A session on the web database (the operator's staff roles and log, the portal's data), made or upgraded
    first; the ``errors`` raised inside become a clear message and exit code 1."""
    from vitnemal.db import Database
    from vitnemal.web.pages import upgrade_web_database

    require_federation(settings, lang)
    upgrade_web_database(settings)
    db = Database(settings.url_for("portal"))
    try:
        with db.session() if write else db.read_session() as session:
            yield session
    except errors as exc:
        raise fail(said_error(exc, lang), lang=lang) from None
    finally:
        db.dispose()


@contextmanager
def open_session(code: str | None, *, operator: bool = False, write: bool = True, home: Path | None = None,
                 lang: str | None = None, refusals: tuple[type[Exception], ...] = (),
                 refused: Callable[[Exception], typer.Exit] | None = None) -> Iterator[Session]:
    """The one session of a command: institution ``code``'s database, or with ``operator`` the web surface's (the
    operator's roles and log); exactly one of the two. A service error of ``refusals`` raised inside becomes the
    exit ``refused(error)`` says (a command's own wording, e.g. the next command to run); the others become a clear
    message as :func:`institution_session` and :func:`web_session` say them. Nothing is saved on an error."""
    if operator == (code is not None):
        raise refuse(P_("cli", "Give either --institution CODE (an institution's database) or --operator (the "
                               "federation's)."), lang=lang)
    opened = (institution_session(code, write=write, home=home, lang=lang) if code is not None
              else web_session(settings_for(home), write=write, lang=lang))
    with opened as session:
        try:
            yield session
        except refusals as exc:
            if refused is None:
                raise
            raise refused(exc) from None


def table(*columns: str, whole: tuple[str, ...] = (), title: str | None = None) -> Any:
    """A Rich table that fits a narrow terminal (80 columns) without cutting anything: text columns wrap at spaces
    and fold a word too long for them; the ``whole`` columns (codes, numbers, terms, dates) never break."""
    from rich import box
    from rich.table import Table

    result = Table(title=title, box=box.SIMPLE_HEAD, padding=0, collapse_padding=True, pad_edge=False,
                   title_justify="left", show_edge=False)
    for name in columns:
        if name in whole:
            result.add_column(name, no_wrap=True, overflow="fold")
        else:
            result.add_column(name, overflow="fold")
    return result


def fitted(table: Any, width: int) -> Any:
    """``table`` laid out for a terminal ``width`` wide: each whole column exactly as wide as its longest line, the
    text columns sharing the rest by how much they hold, each at least as wide as its longest word. Rich, left to
    itself, squeezes whole columns and cuts words when pressed; here a word is folded only when the terminal is
    narrower than the longest words of every column together."""
    text: list[tuple[Any, int, int]] = []  # column, longest word, longest line
    used = len(table.columns) - 1  # one space between columns
    for column in table.columns:
        pieces = [str(column.header), *(str(cell) for cell in column.cells)]
        lines = [len(line) for piece in pieces for line in piece.splitlines()] or [0]
        if column.no_wrap:
            column.width = max(lines)
            used += column.width
        else:
            text.append((column, max(len(word) for piece in pieces for word in piece.split() or [""]), max(lines)))
    room = max(width - used - sum(word for _, word, _ in text), 0)  # after every text column's longest word
    wanted = sum(longest - word for _, word, longest in text) or 1
    for column, word, longest in text:
        column.width = word + min(longest - word, room * (longest - word) // wanted)
    return table


_NONE = {"nb": "ingen", "nn": "ingen", "en": "none"}


def none_text(lang: str = "nb") -> str:
    """What a list with nothing in it says instead of an empty table."""
    return _NONE.get(lang, _NONE["nb"])
