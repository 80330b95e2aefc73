"""Settings come from one declaration: documented (docs/settings.md), read only through it, typed."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import pytest

from vitnemal.config import SERVED_URL_FILE, Settings, SettingsError, env_name, reference_markdown

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "settings.md"


def test_every_setting_is_documented_as_declared() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert reference_markdown() in text, "docs/settings.md is behind: paste `vitnemal settings --markdown` into it"
    declared = {env_name(f.name) for f in fields(Settings)}
    mentioned = set(re.findall(r"VITNEMAL_[A-Z0-9_]+", text))
    assert mentioned <= declared, f"docs/settings.md names settings that do not exist: {mentioned - declared}"
    assert all(f.metadata["doc"] for f in fields(Settings))


def test_no_code_reads_a_setting_from_the_environment_by_itself() -> None:
    ad_hoc = re.compile(r"""(environ\.get|getenv|environ\[)\(?\s*["']VITNEMAL_""")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "src" / "vitnemal").rglob("*.py")
                 if p.name != "config.py" and ad_hoc.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_values_are_typed_and_travel_to_child_processes() -> None:
    settings = Settings.from_env({"VITNEMAL_LEASE_S": "2.5", "VITNEMAL_MAX_ATTEMPTS": "4",
                                  "VITNEMAL_SERVE_INSTITUTIONS": "185, 216", "VITNEMAL_SERVE_WORKER": "no",
                                  "VITNEMAL_HOME": "/srv/fed", "VITNEMAL_TOKEN": "s3cret"})
    assert (settings.lease_s, settings.max_attempts, settings.serve_institutions, settings.serve_worker) == (
        2.5, 4, ("185", "216"), False)
    assert settings.home == Path("/srv/fed")
    assert Settings.from_env(settings.environ()) == settings
    assert "s3cret" not in repr(settings)
    with pytest.raises(SettingsError, match="VITNEMAL_MAX_ATTEMPTS='many' is not a whole number"):
        Settings.from_env({"VITNEMAL_MAX_ATTEMPTS": "many"})
    with pytest.raises(SettingsError, match="VITNEMAL_SERVE_WORKER"):
        Settings.from_env({"VITNEMAL_SERVE_WORKER": "maybe"})


def test_the_public_url_follows_the_served_address_unless_set(tmp_path: Path) -> None:
    home = tmp_path / "fed"
    assert Settings.from_env({"VITNEMAL_HOME": str(home)}).public_url == "http://127.0.0.1:8000"
    home.mkdir()
    (home / SERVED_URL_FILE).write_text("http://127.0.0.1:8123\n")
    assert Settings.from_env({"VITNEMAL_HOME": str(home)}).public_url == "http://127.0.0.1:8123"
    chosen = {"VITNEMAL_HOME": str(home), "VITNEMAL_PUBLIC_URL": "https://vitnemal.example.no"}
    assert Settings.from_env(chosen).public_url == "https://vitnemal.example.no"
    assert replace(Settings(), public_url="x").public_url == "x"


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_limit_below_one_is_refused_with_what_to_do(value: str) -> None:
    # review R52: 0 or a negative limit refused every login start, with nothing saying why
    with pytest.raises(SettingsError, match=f"VITNEMAL_LOGIN_STARTS_PER_5MIN={value}: .* at least 1"):
        Settings.from_env({"VITNEMAL_LOGIN_STARTS_PER_5MIN": value})
    with pytest.raises(SettingsError, match="VITNEMAL_NODE_REQUESTS_PER_MINUTE"):
        Settings.from_env({"VITNEMAL_NODE_REQUESTS_PER_MINUTE": value})
    assert Settings.from_env({"VITNEMAL_LOGIN_STARTS_PER_5MIN": "1"}).login_starts_per_5min == 1
