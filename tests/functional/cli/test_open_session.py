"""cli.common.open_session, the one session of the commands (recognition's and staff's used to have their own):
one database of the two, a service refusal said the command's way, and nothing saved when a command fails."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import select

from vitnemal.cli.common import open_session
from vitnemal.devtools.federation import build_federation
from vitnemal.identity.models import Person


class Refused(ValueError):
    pass


@pytest.fixture
def home(tmp_path, sqlite_template, monkeypatch):
    fed = build_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)
    monkeypatch.setenv("VITNEMAL_DATABASE_URL", "")
    return fed


def test_one_database_of_the_two(home, capsys) -> None:
    for code, operator in ((None, False), ("185", True)):
        with pytest.raises(typer.Exit) as exit_, open_session(code, operator=operator, home=home.settings.home):
            pass
        assert exit_.value.exit_code == 1
    assert capsys.readouterr().err.count("Feil: Gi enten --institution KODE") == 2


def test_a_refusal_is_said_the_commands_way_and_nothing_is_saved(home, capsys) -> None:
    said = []

    def refused(exc: Exception) -> typer.Exit:
        said.append(str(exc))
        return typer.Exit(3)

    with pytest.raises(typer.Exit) as exit_, open_session("185", home=home.settings.home, refusals=(Refused,),
                                                          refused=refused) as session:
        session.add(Person(national_id="01536112185", first_name="Testperson1", last_name="Resultatutveksling"))
        session.flush()
        raise Refused("the rule says no")
    assert exit_.value.exit_code == 3 and said == ["the rule says no"]
    # Another service error (ValueError) is the shared clear message, exit 1.
    with pytest.raises(typer.Exit) as other, open_session("185", home=home.settings.home, refusals=(Refused,),
                                                          refused=refused):
        raise ValueError("no such course")
    assert other.value.exit_code == 1 and "Feil: no such course" in capsys.readouterr().err
    with home.db("185").read_session() as session:
        assert session.scalar(select(Person)) is None


def test_the_operators_database(home) -> None:
    with open_session(None, operator=True, home=home.settings.home, write=False) as session:
        assert session.bind is not None and "portal" in str(session.bind.url)
