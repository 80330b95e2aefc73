"""A PostgreSQL URL carries its password (postgresql://user:password@host/db): like VITNEMAL_SMTP_URL it is a
secret, shown neither by `vitnemal settings` nor in a Settings repr that reaches a log."""

from __future__ import annotations

from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import Settings

URL = "postgresql://vitnemal:S3cretPw@db.example.no/vitnemal_{code}"


def test_the_database_password_is_never_shown() -> None:
    settings = Settings.from_env({"VITNEMAL_DATABASE_URL": URL})
    assert settings.database_url == URL and Settings.from_env(settings.environ()) == settings
    assert "S3cretPw" not in repr(settings)
    shown = CliRunner().invoke(app, ["settings"], env={"VITNEMAL_DATABASE_URL": URL, "COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    assert "VITNEMAL_DATABASE_URL" in shown.output and "S3cretPw" not in shown.output
