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
FENCED = re.compile(r"^```(?:sh|bash|console)?\n(.*?)^```", re.S | re.M)


def _documented() -> list[tuple[str, str]]:
    """Every `vitnemal ...` in backticks, and every line of a fenced shell block that runs vitnemal (a comment after
    the command, a leading `$ ` and environment assignments dropped)."""
    found = []
    for doc in sorted(DOCS.glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for match in COMMAND.finditer(text):
            found.append((doc.name, match.group(1)))
        for block in FENCED.finditer(text):
            for line in block.group(1).splitlines():
                words = line.removeprefix("$ ").split(" #")[0].strip()
                while re.match(r"^[A-Z_]+=\S*\s", words):
                    words = words.split(None, 1)[1]
                if words.startswith("vitnemal "):
                    found.append((doc.name, words))
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
