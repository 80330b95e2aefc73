"""`--help` shows every option's default and the environment variable behind it (they used to vanish: Rich read
"[default: …]" in help texts as markup)."""

from __future__ import annotations

from typing import Any

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
        assert "[default" not in "".join(p.help or "" for p in command.params if p.param_type_name == "option"), path
        for param in command.params:
            if param.param_type_name != "option" or param.is_flag or param.hidden:
                continue
            if param.default not in (None, "", [], ()) or isinstance(param.show_default, str):  # "": none
                line = next(line for line in out.splitlines() if param.opts[-1] in line or param.opts[0] in line)
                block = out[out.index(line):].split("\n  -")[0]
                assert "default" in block.lower(), (path, param.name, block)
