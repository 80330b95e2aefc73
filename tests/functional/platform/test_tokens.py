"""API tokens: issued with an expiry, listed, revoked; expired and revoked tokens are refused, over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from tests.factories import make_federation

from vitnemal.db import Database
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.staff.models import StaffToken
from vitnemal.staff.service import (
    NotAuthenticated,
    authenticate,
    issue_token,
    list_tokens,
    revoke_token,
    token_state,
)
from vitnemal.web.app import create_app

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_token_lives_until_it_expires_or_is_revoked(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        issued = issue_token(s, "kari@uio.no", now=T0, lifetime=timedelta(days=30))
        other = issue_token(s, "ola@uio.no", now=T0)
    assert issued.expires_at == T0 + timedelta(days=30)
    with db.read_session() as s:
        assert authenticate(s, f"Bearer {issued.token}", now=T0 + timedelta(days=29)) == "kari@uio.no"
        with pytest.raises(NotAuthenticated, match="expired or revoked"):
            authenticate(s, f"Bearer {issued.token}", now=T0 + timedelta(days=30))
        with pytest.raises(NotAuthenticated, match="bearer token is required"):
            authenticate(s, None)
    with db.session() as s:
        revoke_token(s, other.id, now=T0 + timedelta(days=1))
    with db.read_session() as s:
        with pytest.raises(NotAuthenticated):
            authenticate(s, f"Bearer {other.token}", now=T0 + timedelta(days=2))
        states = {t.username: token_state(t, T0 + timedelta(days=31)) for t in list_tokens(s)}
        assert states == {"kari@uio.no": "expired", "ola@uio.no": "revoked"}
        assert s.scalar(select(func.count()).select_from(StaffToken).where(
            StaffToken.token_hash == issued.token)) == 0  # only the hash is stored
    db.dispose()


def test_a_token_needs_a_lifetime_within_bounds(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        for lifetime in (timedelta(0), timedelta(days=400)):
            with pytest.raises(ValueError, match="at most 366 days"):
                issue_token(s, "kari@uio.no", lifetime=lifetime)
    db.dispose()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vitnemal", "tokens", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_tokens_issue_list_revoke_through_the_cli_and_the_api(tmp_path, sqlite_template) -> None:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["216"], f"http://127.0.0.1:{port}", template=sqlite_template)
    env = {**os.environ, "VITNEMAL_HOME": str(fed.settings.home)}
    issued = _cli("issue", "-i", "216", "--user", "kari@ntnu.no", "--days", "7", "--json", env=env)
    assert issued.returncode == 0, issued.stderr
    token = json.loads(issued.stdout)
    assert datetime.fromisoformat(token["expires_at"]) - datetime.now(UTC) < timedelta(days=7, minutes=1)
    url = f"http://127.0.0.1:{port}/api/institutions/216/orders"
    with BackgroundServer(create_app(fed.settings, codes=["216"], pages=False), port=port):
        assert httpx.get(url, headers={"authorization": f"Bearer {token['token']}"}).status_code == 200
        listed = _cli("list", "-i", "216", env=env)
        assert listed.returncode == 0 and "kari@ntnu.no" in listed.stdout and "active" in listed.stdout
        revoked = _cli("revoke", "-i", "216", str(token["id"]), env=env)
        assert revoked.returncode == 0 and "revoked" in revoked.stdout
        refused = httpx.get(url, headers={"authorization": f"Bearer {token['token']}"})
        assert refused.status_code == 401 and "vitnemal tokens issue" in refused.json()["detail"]
    states = {t["user"]: t["state"] for t in json.loads(_cli("list", "-i", "216", "--json", env=env).stdout)}
    assert states["kari@ntnu.no"] == "revoked"
    unknown = _cli("revoke", "-i", "216", "999", env=env)
    assert unknown.returncode == 1 and "no token 999" in unknown.stderr
    assert _cli("issue", "-i", "216", "--user", "x", "--days", "400", env=env).returncode == 2
