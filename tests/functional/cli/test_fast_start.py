"""`vitnemal --help` and `vitnemal id check` are answered before Typer is imported (issue 11 #4): they print exactly
what Typer prints, and every other command line still goes to Typer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from vitnemal.cli.help_snapshot import TEXT

# The same command line through vitnemal.cli.main (with its fast paths) and through Typer alone; argv[0] is what the
# console script gives.
FAST = "import sys; sys.argv[0] = 'vitnemal'; from vitnemal.cli import main; main()"
TYPER = "import sys; sys.argv[0] = 'vitnemal'; from vitnemal.cli.root import run; run()"
PROBE = ("import sys; sys.argv[0] = 'vitnemal'; from vitnemal.cli import main\ntry:\n    main()\nexcept SystemExit:\n"
         "    pass\nprint('TYPER' if 'typer' in sys.modules else 'NO TYPER', file=sys.stderr)")


def _run(code: str, args: list[str], columns: str = "80") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": columns}
    env.pop("_VITNEMAL_COMPLETE", None)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)


def test_the_snapshot_is_what_typer_prints_today() -> None:
    printed = _run(TYPER, ["--help"]).stdout
    assert printed == TEXT, "the top-level help changed: run `.venv/bin/python -m vitnemal.cli.help_snapshot`"
    assert "  id           National identity numbers" in TEXT  # not an empty snapshot


@pytest.mark.parametrize(("args", "columns"), [
    (["--help"], "80"), (["--help"], "200"), ([], "80"), (["--help"], "60"),
    (["id", "check", "01536112185"], "80"), (["id", "check", "015361", "12185", "--json"], "80"),
    (["id", "check", "--json", "0153611218"], "80"), (["id", "check", "0153611218"], "80"),
    (["id", "check"], "80"), (["id", "check", "--help"], "80"), (["id", "check", "-x", "1"], "80"),
    (["id", "--help"], "80"), (["id", "check", "--lang", "en", "01536112185"], "80"),
    (["id", "check", "015361", "12186", "--lang", "nn"], "80"), (["id", "check", "--lang", "xx", "1"], "80"),
    (["id", "check", "1", "--lang"], "80"),
])
def test_main_prints_what_typer_prints(args: list[str], columns: str) -> None:
    fast, typer = _run(FAST, args, columns), _run(TYPER, args, columns)
    assert (fast.returncode, fast.stdout, fast.stderr) == (typer.returncode, typer.stdout, typer.stderr)
    assert fast.stdout or fast.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["--help"], "NO TYPER"), (["id", "check", "01536112185"], "NO TYPER"),
    (["id", "check", "--json", "0153611218"], "NO TYPER"),
    (["--help"], "TYPER"), (["id", "check", "--help"], "TYPER"), (["records", "--help"], "TYPER"),
])
def test_only_help_and_id_check_skip_typer(args: list[str], expected: str) -> None:
    # The last --help is on a terminal narrower than the snapshot: Typer wraps it there.
    done = _run(PROBE, args, columns="60" if expected == "TYPER" and args == ["--help"] else "80")
    assert done.stderr.splitlines()[-1] == expected, done.stderr


def test_python_dash_m_names_itself_in_the_usage_line() -> None:
    env = {**os.environ, "COLUMNS": "100"}
    fast = subprocess.run([sys.executable, "-m", "vitnemal", "--help"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert fast.stdout.startswith("Usage: python -m vitnemal [OPTIONS] COMMAND [ARGS]...\n")
    assert fast.stdout.split("\n", 1)[1] == TEXT.split("\n", 1)[1]


def test_shell_completion_goes_to_typer() -> None:
    env = {**os.environ, "COLUMNS": "80", "_VITNEMAL_COMPLETE": "complete_bash", "COMP_WORDS": "vitnemal i",
           "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-c", FAST], capture_output=True, text=True, env=env, timeout=60)
    assert "id" in done.stdout.split() and "Usage:" not in done.stdout
