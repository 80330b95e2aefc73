"""The ``vitnemal`` command: one program that is both CLI and web app.

:func:`main` answers the two command lines people run most often before Typer is imported, since importing Typer
alone takes about 0.13 s of CPU, almost all of the 0.15 s start-up goal (issue 11 #4): ``vitnemal --help`` (and
``vitnemal`` alone) prints :data:`vitnemal.cli.help_snapshot.TEXT`, the top-level help as Typer prints it, and
``vitnemal id check NUMBER`` runs :func:`vitnemal.cli.id_check.check`, the function the Typer command calls. Every
other command line, and those two where the answer could differ (a terminal narrower than the help, shell
completion, an option the fast path does not know), goes to Typer in :mod:`vitnemal.cli.root`. Tests check that both
ways print the same.
"""

from __future__ import annotations

import os
import sys
from typing import Any

# A terminal this wide or wider gets the help at click's widest (78 columns), the width of help_snapshot.TEXT.
HELP_COLUMNS = 80


def _columns() -> int:
    """The terminal's width as click reads it (shutil.get_terminal_size, without importing shutil)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _program_name() -> str | None:
    """The program's name in the usage line, as click finds it: the script's file name, or ``python -m PACKAGE``
    when run as a module. None where click's answer depends on more (Windows)."""
    if os.name == "nt":
        return None
    package = getattr(sys.modules["__main__"], "__package__", None)
    script = os.path.basename(sys.argv[0])
    if not package:
        return script
    module = script.rsplit(".", 1)[0]
    return f"python -m {package if module == '__main__' else f'{package}.{module}'}".replace("-m .", "-m ")


def fast(args: list[str]) -> int | None:
    """The exit code of ``vitnemal ARGS`` answered without Typer, or None when Typer must answer it."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None  # shell completion: click reads it from the environment
    if args in ([], ["--help"]):
        program = _program_name()
        if program is None or _columns() < HELP_COLUMNS:
            return None
        from vitnemal.cli.help_snapshot import PROGRAM, TEXT

        stream = sys.stdout if args else sys.stderr  # no command: click shows the help as a usage error (exit 2)
        stream.write(TEXT.replace(f"Usage: {PROGRAM} ", f"Usage: {program} ", 1))
        stream.flush()
        return 0 if args else 2
    if args[:2] == ["id", "check"]:
        words, given = [word for word in args[2:] if word != "--json"], None
        if "--lang" in words and words.index("--lang") + 1 < len(words):
            at = words.index("--lang")
            given, words = words[at + 1], words[:at] + words[at + 2:]
        if not words or any(word.startswith("-") for word in words):
            return None  # no number (Typer's usage error), --help, or an option Typer refuses
        from vitnemal.cli.id_check import check, language

        lang = language(given)
        return None if lang is None else check(words, "--json" in args[2:], lang)  # a wrong --lang: Typer says so
    return None


def main() -> None:
    code = fast(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    from vitnemal.cli.root import run

    run()


def __getattr__(name: str) -> Any:
    # `from vitnemal.cli import app` (the tests' CliRunner, the docs) keeps working; it imports Typer then.
    if name in ("app", "GROUPS"):
        from vitnemal.cli import root

        return getattr(root, name)
    raise AttributeError(name)
