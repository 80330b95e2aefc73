"""The CLI's shared plumbing (cli/common.py): every command that reads a federation takes --home, those that talk
HTTP take --api, and each says in its help which it does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from vitnemal.cli import GROUPS, app
from vitnemal.cli.common import OPENS_DATABASE, TALKS_HTTP, fail, parse_date
from vitnemal.config import Settings
from vitnemal.demo import generate_federation

runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("common-cli") / "fed"
    generate_federation(Settings(home=home), people=30, institutions=5)
    return home


def _group_help(name: str) -> str:
    # Click wraps the group's help text; the sentence is read with the lines joined.
    return " ".join(runner.invoke(app, [name, "--help"], terminal_width=300).output.split())


@pytest.mark.parametrize("group", ["records", "recognition", "programmes", "tokens", "diplomas", "staff"])
def test_database_commands_say_so_and_take_home(group: str) -> None:
    assert OPENS_DATABASE in _group_help(group)
    commands = typer.main.get_group(GROUPS[group]).commands
    without = [name for name, command in commands.items()
               if "--home" not in {o for p in command.params for o in p.opts}]
    assert without == []


def test_exchange_commands_say_they_talk_http_and_take_home_and_api() -> None:
    assert TALKS_HTTP in _group_help("exchange")
    for command in ("order", "status", "records"):
        out = runner.invoke(app, ["exchange", command, "--help"], terminal_width=300).output
        assert "--home" in out and "--api" in out and "VITNEMAL_HOME" in out and "VITNEMAL_PUBLIC_URL" in out


@pytest.mark.parametrize("args", [
    ["records", "show", "-i", "216", "-p", "01536112185", "--json"],
    ["recognition", "list", "-i", "185", "--json"],
    ["programmes", "list", "-i", "185", "--json"],
    ["tokens", "list", "-i", "185", "--json"],
    ["diplomas", "list", "-i", "185", "--json"],
    ["staff", "list", "-i", "185", "--json"],
    ["staff", "list", "--operator", "--json"],
])
def test_home_option_finds_the_federation_without_the_environment(home: Path, tmp_path: Path, args: list[str]
                                                                  ) -> None:
    elsewhere = {"VITNEMAL_HOME": str(tmp_path / "nothing-here"), "VITNEMAL_DATABASE_URL": ""}
    refused = runner.invoke(app, args, env=elsewhere)
    assert refused.exit_code == 1 and "Det finnes ingen føderasjon i" in refused.output and "--home" in refused.output
    result = runner.invoke(app, [*args, "--home", str(home)], env=elsewhere)
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)


def test_exchange_reads_the_registry_from_home(home: Path, tmp_path: Path) -> None:
    env = {"VITNEMAL_HOME": str(tmp_path / "nothing-here"), "VITNEMAL_TOKEN": ""}
    result = runner.invoke(app, ["exchange", "status", "--for", "999", "--home", str(home), "--lang", "en",
                                 "--api", "http://127.0.0.1:9"], env=env)
    assert result.exit_code == 1 and "Unknown institution 999" in result.output


@pytest.mark.parametrize(("args", "word"), [([], "Feil: "), (["--lang", "nb"], "Feil: "),
                                           (["--lang", "en"], "Error: ")])
def test_a_failing_command_says_error_in_the_language_asked_and_bokmal_by_default(home: Path, args: list[str],
                                                                                   word: str) -> None:
    result = runner.invoke(app, ["records", "show", "-i", "999", "-p", "01536112185", "--home", str(home), *args])
    assert result.exit_code == 1 and result.output.startswith(word), result.output
    assert "999" in result.output


def test_fail_speaks_the_language_and_parse_date_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert fail("Ukjent").exit_code == 1  # the CLI's default language, bokmål
    assert fail("gone", 2, lang="en").exit_code == 2
    assert capsys.readouterr().err == "Feil: Ukjent\nError: gone\n"
    assert parse_date(None, "--on") is None
    assert str(parse_date("2026-03-29", "--on")) == "2026-03-29"
    with pytest.raises(typer.BadParameter, match="not a date"):
        parse_date("29.03.2026", "--on")


@pytest.mark.parametrize("args", [["staff", "list", "--operator"], ["federation", "log"],
                                  ["federation", "take-out", "214", "--reason", "test", "--yes"]])
def test_commands_on_the_web_database_say_when_there_is_no_federation(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--home", str(tmp_path / "none")])
    assert result.exit_code == 1
    said = f"Feil: Det finnes ingen føderasjon i {tmp_path / 'none'}: gi --home"
    assert result.output.startswith(said), result.output
    assert not (tmp_path / "none").exists()


def test_an_operator_mistake_is_told_in_bokmal_by_default(home: Path) -> None:
    result = runner.invoke(app, ["federation", "take-out", "999", "--reason", "test", "--yes", "--home", str(home)])
    assert result.exit_code == 1 and result.output.startswith("Feil: ") and "999" in result.output, result.output
    assert not result.output.rstrip().endswith(("'", '"')), result.output


@pytest.mark.parametrize(("env", "args", "said"), [
    ({}, [], "Feil: Det finnes ingen føderasjon i"),  # bokmål by default
    ({"VITNEMAL_LANG": "en"}, [], "Error: There is no federation at"),  # the environment's language
    ({"VITNEMAL_LANG": "nn"}, [], "Feil: Det finst ingen føderasjon i"),
    ({"VITNEMAL_LANG": "de"}, [], "Feil: VITNEMAL_LANG='de': write nb, nn or en"),  # not one of ours: said
    ({"VITNEMAL_LANG": "nn"}, ["--lang", "en"], "Error: There is no federation at"),  # --lang wins
])
def test_an_operator_error_is_said_in_one_language(tmp_path: Path, env: dict[str, str], args: list[str],
                                                   said: str) -> None:
    # issue 12 leftover: "Feil: no federation at …" was an English sentence in a Norwegian line.
    for command in (["staff", "list", "--operator"], ["recognition", "list", "-i", "185", *args]):
        german = env.get("VITNEMAL_LANG") == "de"
        if (command[0] == "staff" and "--lang" in args) or (command[0] == "recognition" and german):
            continue  # staff has no --lang (the environment decides); --lang refuses what is not nb, nn or en
        result = runner.invoke(app, [*command, "--home", str(tmp_path / "none")], env={"VITNEMAL_LANG": None, **env})
        assert result.exit_code == 1 and result.output.startswith(said), (command, result.output)
