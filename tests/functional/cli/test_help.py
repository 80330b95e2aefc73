"""`--help` shows every option's default and the environment variable behind it (they used to vanish: Rich read
"[default: …]" in help texts as markup)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from vitnemal.cli import app


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


def test_the_exchange_options_name_their_environment_variables_and_defaults() -> None:
    out = CliRunner().invoke(app, ["exchange", "order", "--help"], terminal_width=200).output
    assert "[env var: VITNEMAL_PUBLIC_URL; default: (where vitnemal serve/demo last served this home" in out
    assert "[env var: VITNEMAL_TOKEN; default: (the demo's token" in out
    serve = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200).output
    assert "[default: 8000]" in serve and "[default: (every one whose key is here)]" in serve


def test_every_option_with_a_default_shows_it() -> None:
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 40
    for path, command in commands:
        out = CliRunner().invoke(app, [*path, "--help"], terminal_width=400).output
        # Only the options' section: a command's text may name an option too ("with --only incomplete, ...").
        options = out[out.index("Options:"):] if "Options:" in out else out
        assert "[default" not in "".join(p.help or "" for p in command.params if p.param_type_name == "option"), path
        for param in command.params:
            if param.param_type_name != "option" or param.is_flag or param.hidden:
                continue
            if param.default not in (None, "", [], ()) or isinstance(param.show_default, str):  # "": none
                line = next(line for line in options.splitlines() if param.opts[-1] in line or param.opts[0] in line)
                block = options[options.index(line):].split("\n  -")[0]
                assert "default" in block.lower(), (path, param.name, block)


def test_the_groups_are_built_only_when_used_and_listed_without_building() -> None:
    # `vitnemal --help` and `vitnemal id check` start faster when typer does not build every group's commands.
    from vitnemal.cli import GROUPS

    group = typer.main.get_command(app)
    assert set(GROUPS) <= set(group.commands)  # type: ignore[attr-defined]
    built = group.commands._built  # type: ignore[attr-defined]
    assert not set(GROUPS) & set(built)
    out = CliRunner().invoke(app, ["--help"], terminal_width=200).output
    for name, sub in GROUPS.items():
        assert f"  {name} " in out and str(sub.info.help).split(".")[0] in out
    result = CliRunner().invoke(app, ["id", "check", "01536112185"])
    assert result.exit_code == 0 and "gyldig fødselsnummer" in result.output


@pytest.mark.parametrize("args", [["--help"], ["id", "check", "01536112185"], ["id", "check", "--json", "0153611218"]])
def test_help_and_id_check_import_neither_pydantic_nor_rich_nor_the_database(args: list[str]) -> None:
    # Start-up (issue 8 #12): whole-process figures come from `vitnemal bench startup`; this checks the cause.
    probe = ("import sys, runpy; sys.argv = ['vitnemal', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('vitnemal', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'rich', 'sqlalchemy', 'alembic'})\n"
             "print('HEAVY', heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in done.stderr, done.stderr
