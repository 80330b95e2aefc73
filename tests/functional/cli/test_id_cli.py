"""``vitnemal id check``: exit codes 0/1/2, JSON output and human text."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.identity.national_id import make_national_id, mod11_check_digits

runner = CliRunner()


def check(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["id", "check", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "args", [["01536112185"], ["015361 12185"], ["015361", "12185"], ["0153", "61", "12185"]]
)
def test_valid_number_json(args: list[str]) -> None:
    code, out, _ = check(*args, "--json")
    assert code == 0
    assert json.loads(out) == {
        "valid": True,
        "number": "01536112185",
        "kind": "fodselsnummer",
        "series": "fs_test",
        "birth_date": "1961-03-01",
        "gender": "male",
        "k1_rule": "mod11",
        "k1_remainder": 0,
    }


def test_valid_number_human_text() -> None:
    code, out, _ = check("195883", "12510")
    assert code == 0
    assert "195883 12510" in out
    assert "fødselsnummer" in out
    assert "født 19.08.1983, mann" in out  # nb by default, the date as Norwegians write it
    assert "FS/Samordna opptak-serien" in out


def test_d_number_human_text() -> None:
    number = next(
        n
        for i in range(400, 450)
        if (n := make_national_id(date(1970, 1, 31), i, kind="d_number", series="synthetic")) is not None
    )
    assert number.startswith("7181")
    code, out, _ = check(number)
    assert code == 0
    assert "D-nummer" in out and "31.01.1970" in out and "syntetisk testserie" in out
    code, out, _ = check(number, "--json")
    assert json.loads(out)["kind"] == "d_number" and json.loads(out)["series"] == "synthetic"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["0153611218"], "length"),
        (["0153611218a"], "not_digits"),
        (["01536112118"], "check_digit_1"),
        (["01536112186"], "check_digit_2"),
        (["[bold]x"], "not_digits"),
    ],
)
def test_invalid_number_json(args: list[str], error: str) -> None:
    code, out, _ = check(*args, "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["valid"] is False and payload["error"] == error and payload["message"]


def test_invalid_number_human_text_on_stderr() -> None:
    code, out, err = check("015361", "12186")
    assert code == 1
    assert out == ""
    assert err == ("✗ 015361 12186: ikke et gyldig nummer: det andre kontrollsifferet stemmer ikke; sjekk "
                   "nummeret mot personens papirer.\n")  # a sentence; the code only in --json


@pytest.mark.parametrize(("args", "env", "said"), [
    (["--lang", "nn", "195883", "12510"], {}, "  fødd 19.08.1983, mann\n"),
    (["195883", "12510", "--lang", "en"], {}, "  born 19 August 1983, male\n"),
    (["195883", "12510"], {"VITNEMAL_LANG": "en"}, "  born 19 August 1983, male\n"),
    (["--lang", "nn", "0153611218"], {}, "✗ 0153611218: ikkje eit gyldig nummer: det har 10 siffer, og eit "
                                         "fødselsnummer eller D-nummer har 11.\n"),
    (["--lang", "en", "015361", "12186"], {}, "✗ 015361 12186: not a valid number: second check digit is 6, "
                                              "expected 5.\n"),
])
def test_the_verdict_is_said_in_the_users_language(args: list[str], env: dict[str, str], said: str) -> None:
    result = runner.invoke(app, ["id", "check", *args], env=env)
    assert said in (result.stdout + result.stderr), result.output


def test_date_error() -> None:
    first_nine = next(
        f"300285{i:03d}" for i in range(100, 200) if None not in mod11_check_digits(f"300285{i:03d}")
    )
    k1, k2 = mod11_check_digits(first_nine)
    code, out, _ = check(f"{first_nine}{k1}{k2}", "--json")
    assert code == 1
    assert json.loads(out) == {
        "valid": False,
        "error": "date",
        "message": "birth date 30.02.1985 does not exist",
    }


def _k2(ten: str) -> int | None:
    check = 11 - sum(int(d) * w for d, w in zip(ten, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    return {11: 0, 10: None}.get(check, check)


@pytest.mark.parametrize(("k1", "remainder"), [(6, 0), (7, 1), (8, 2), (9, 3)])
def test_the_2032_rule_is_accepted_today_and_reported(k1: int, remainder: int) -> None:
    # 015361122's weighted sum is 115 ≡ 5 (mod 11): K1 6, 7, 8, 9 make the sum with K1 ≡ 0, 1, 2, 3.
    assert (115 + k1) % 11 == remainder
    ten = f"015361122{k1}"
    k2 = _k2(ten)
    assert k2 is not None
    code, out, _ = check(f"{ten}{k2}", "--json")
    assert code == 0, out
    payload = json.loads(out)
    assert (payload["k1_remainder"], payload["k1_rule"]) == (remainder, "mod11" if remainder == 0 else "2032")
    assert payload["gender"] == ("female" if remainder == 0 else None)  # digit 9 is 2
    code, out, _ = check(f"{ten}{k2}")
    assert code == 0 and ("Skatteetatens regel fra 2032 (rest" in out) == (remainder != 0)
    wrong_k2 = (k2 + 1) % 10
    code, out, _ = check(f"{ten}{wrong_k2}", "--json")
    assert code == 1 and json.loads(out)["error"] == "check_digit_2"


@pytest.mark.parametrize(
    "args", [[], ["--json"], ["01536112185", "--bogus"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert check(*args)[0] == 2


def _with_check_digits(nine: str) -> str:
    k1, k2 = mod11_check_digits(nine)
    assert k1 is not None and k2 is not None, nine
    return f"{nine}{k1}{k2}"


@pytest.mark.parametrize(("nine", "said"), [
    # review R48: a real date whose individual number is not used for its year is told as such
    ("010145600", "individnummeret 600 brukes ikke for årstallet 45, så nummeret har intet fødselsår."),
    (None, "dagen + 40 og måneden + 40: et nummer kan ikke være både D- og H-nummer."),
    (None, "de seks første sifrene er ingen fødselsdato (DDMMÅÅ; et D-nummer legger 4 til det første)."),
])
def test_each_date_refusal_says_which_part_is_wrong(nine: str | None, said: str) -> None:
    if nine is None:  # a D+H number, or a month in no series, whose check digits are right
        start = "4145" if "både" in said else "0113"
        nine = next(f"{start}90{i:03d}" for i in range(100) if None not in mod11_check_digits(f"{start}90{i:03d}"))
    code, _, err = check(_with_check_digits(nine))
    assert code == 1 and err.endswith(f": ikke et gyldig nummer: {said}\n"), err
