"""Settings, with every default in one place.

Each setting is read from the environment (``VITNEMAL_<NAME>``) so that secrets and deployment choices never live
in code. ``Settings.from_env()`` is called by entry points (CLI, web app, worker), never at import time, so tests
can build their own ``Settings`` directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_HOME = Path("var/federation")


@dataclass(frozen=True)
class Settings:
    """Where the federation lives and how the exchange behaves.

    ``home`` holds the registry (``registry.json``), the institutions' keys (``keys/``) and, with the embedded default,
    one SQLite database per institution (``db/<code>.sqlite``). ``database_url`` is a template in which ``{code}`` is
    replaced by the institution code, so a PostgreSQL deployment gives each institution its own database too.
    """

    home: Path = DEFAULT_HOME
    database_url: str = ""
    # Seconds a node may take before it is counted as unavailable for this attempt.
    node_timeout_s: float = 5.0
    # The seed's rule: a database that is down is retried "ved samme tid neste dag".
    retry_after_s: float = 86_400.0
    # After this many failed attempts an unavailable node is left as unavailable for good.
    max_attempts: int = 3
    # Signed requests older than this (or dated this far in the future) are refused as stale.
    request_max_age_s: float = 300.0
    # How long a worker owns an order before another worker may take it over (crash recovery).
    lease_s: float = 30.0
    # How often an idle worker looks for work placed by other processes (its own process wakes it at once).
    poll_interval_s: float = 1.0
    # Injected node latency for demos and benchmarks, e.g. "20-200" (milliseconds); empty means none.
    inject_latency_ms: str = ""
    # Base URL under which this host's nodes answer; the registry stores each node's full URL.
    public_url: str = "http://127.0.0.1:8000"
    # "production" turns off what only a demo or a test may have (the built-in test identity provider) and makes
    # the secret key and the identity provider mandatory.
    environment: str = "development"
    # Signs session cookies and CSRF tokens; every web process behind one address needs the same one. Empty: the
    # key in <home>/secret.key is used (made, mode 0600, on first start), which production refuses.
    secret_key: str = ""
    # A web session ends after this long without a request.
    session_idle_s: float = 1800.0
    # The owners' identity provider (ID-porten in production). Empty issuer: the built-in test provider at
    # <public_url>/test-idp, whose client secret is derived from the secret key.
    oidc_issuer: str = ""
    oidc_client_id: str = "vitnemal-portal"
    oidc_client_secret: str = ""
    # A second provider offered on the login page (Feide) where its issuer is set.
    feide_issuer: str = ""
    feide_client_id: str = ""
    feide_client_secret: str = ""
    # Where the portal hands recipients' mail (smtp://host:25, smtps://host:465, ...?starttls=1). Empty outside
    # production: the portal runs its own catching server and the demo's outbox shows the mails.
    smtp_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Return settings from ``VITNEMAL_*`` variables, falling back to the defaults above."""
        env = dict(os.environ if environ is None else environ)

        def get(name: str, default: str) -> str:
            return env.get(f"VITNEMAL_{name}", default)

        base = cls()
        return cls(
            home=Path(get("HOME", str(base.home))),
            database_url=get("DATABASE_URL", base.database_url),
            node_timeout_s=float(get("NODE_TIMEOUT_S", str(base.node_timeout_s))),
            retry_after_s=float(get("RETRY_AFTER_S", str(base.retry_after_s))),
            max_attempts=int(get("MAX_ATTEMPTS", str(base.max_attempts))),
            request_max_age_s=float(get("REQUEST_MAX_AGE_S", str(base.request_max_age_s))),
            lease_s=float(get("LEASE_S", str(base.lease_s))),
            poll_interval_s=float(get("POLL_INTERVAL_S", str(base.poll_interval_s))),
            inject_latency_ms=get("INJECT_LATENCY_MS", base.inject_latency_ms),
            public_url=get("PUBLIC_URL", base.public_url),
            environment=get("ENVIRONMENT", base.environment),
            secret_key=get("SECRET_KEY", base.secret_key),
            session_idle_s=float(get("SESSION_IDLE_S", str(base.session_idle_s))),
            oidc_issuer=get("OIDC_ISSUER", base.oidc_issuer),
            oidc_client_id=get("OIDC_CLIENT_ID", base.oidc_client_id),
            oidc_client_secret=get("OIDC_CLIENT_SECRET", base.oidc_client_secret),
            feide_issuer=get("FEIDE_ISSUER", base.feide_issuer),
            feide_client_id=get("FEIDE_CLIENT_ID", base.feide_client_id),
            feide_client_secret=get("FEIDE_CLIENT_SECRET", base.feide_client_secret),
            smtp_url=get("SMTP_URL", base.smtp_url),
        )

    def with_home(self, home: Path) -> Settings:
        return replace(self, home=home)

    def url_for(self, code: str) -> str:
        """Return the SQLAlchemy URL of one institution's database."""
        template = self.database_url or f"sqlite:///{self.home.resolve()}/db/{{code}}.sqlite"
        if "{code}" not in template:
            # One database for every institution would mix their records, tokens and logs: refuse it outright.
            raise ValueError(
                "VITNEMAL_DATABASE_URL must contain {code}, so that each institution gets its own database, "
                "e.g. postgresql+psycopg://host/vitnemal_{code}"
            )
        return template.replace("{code}", code)

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def registry_path(self) -> Path:
        return self.home / "registry.json"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"
