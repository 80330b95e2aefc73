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
    }


def test_valid_number_human_text() -> None:
    code, out, _ = check("195883", "12510")
    assert code == 0
    assert "195883 12510" in out
    assert "fødselsnummer" in out
    assert "1983-08-19" in out
    assert "FS/Samordna opptak" in out


def test_d_number_human_text() -> None:
    number = next(
        n
        for i in range(400, 450)
        if (n := make_national_id(date(1970, 1, 31), i, kind="d_number", series="synthetic")) is not None
    )
    assert number.startswith("7181")
    code, out, _ = check(number)
    assert code == 0
    assert "D-nummer" in out and "1970-01-31" in out and "synthetic" in out
    code, out, _ = check(number, "--json")
    assert json.loads(out)["kind"] == "d_number" and json.loads(out)["series"] == "synthetic"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["0153611218"], "length"),
        (["0153611218a"], "not_digits"),
        (["01536112195"], "check_digit_1"),
        (["01536112186"], "check_digit_2"),
        (["[bold]x"], "not_digits"),
    ],
)
def test_invalid_number_json(args: list[str], error: str) -> None:
    code, out, _ = check(*args, "--json", "--on", "2031-12-31")
    assert code == 1
    payload = json.loads(out)
    assert payload["valid"] is False and payload["error"] == error and payload["message"]


def test_invalid_number_human_text_on_stderr() -> None:
    code, out, err = check("015361", "12186")
    assert code == 1
    assert out == ""
    assert "second check digit is 6, expected 5" in err and "check_digit_2" in err


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


def test_2032_rule_through_on() -> None:
    # 01536112185 with K1 = 1 instead of 8 and a correct mod-11 K2 over it: 0153611211 -> K2 = 8.
    assert check("01536112118", "--json", "--on", "2031-12-31")[0] == 1
    code, out, _ = check("01536112118", "--json", "--on", "2032-01-01")
    assert code == 0
    assert json.loads(out)["gender"] is None


@pytest.mark.parametrize(
    "args", [[], ["--json"], ["01536112185", "--on", "not-a-date"], ["01536112185", "--bogus"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert check(*args)[0] == 2
