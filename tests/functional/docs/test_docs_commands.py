"""The documentation stays honest: every `vitnemal ...` command and option it shows exists in the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app

DOCS = Path(__file__).parents[3] / "docs"
COMMAND = re.compile(r"`(vitnemal [^`]+)`")


def _documented() -> list[tuple[str, str]]:
    found = []
    for doc in sorted(DOCS.glob("*.md")):
        for match in COMMAND.finditer(doc.read_text(encoding="utf-8")):
            found.append((doc.name, match.group(1)))
    return found


@pytest.mark.parametrize(("doc", "command"), _documented())
def test_documented_command_and_its_options_exist(doc: str, command: str) -> None:
    words = shlex.split(command.replace("...", ""))[1:]
    path = []
    for word in words:
        if word.startswith("-") or not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        path.append(word)
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, f"{doc}: `{command}` is not a command: {result.output}"
    for option in (w.split("=")[0] for w in words if w.startswith("--")):
        assert option in result.output, f"{doc}: `{command}` uses {option}, which the command does not have"
