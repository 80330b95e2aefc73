"""Settings, each declared once: name, type, default and a one-line description.

Each setting is read from the environment (``VITNEMAL_<NAME>``) so that secrets and deployment choices never live
in code. ``Settings.from_env()`` is called by entry points (CLI, web app, worker), never at import time, so tests
can build their own ``Settings`` directly. The declaration below is the only list: ``from_env`` reads it,
``environ()`` writes it back for child processes, and docs/settings.md is checked against it
(``vitnemal settings --markdown`` prints that page's table).
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_HOME = Path("var/federation")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
# Where `vitnemal serve`/`demo` record the address they serve, for the commands run beside them (issuing a
# diploma prints its verify URL; `exchange` talks to the API) when VITNEMAL_PUBLIC_URL is not set.
SERVED_URL_FILE = "served-url"
ENV_PREFIX = "VITNEMAL_"


class SettingsError(ValueError):
    """A VITNEMAL_* variable holds a value of the wrong kind; the message names it and says what it takes."""


def setting(default: Any, doc: str, *, secret: bool = False) -> Any:
    """Declare a setting: its default, a one-line description, and whether it is a secret (never shown)."""
    # Defaults are immutable values (the dataclass is frozen), so no default_factory is needed.
    return field(default=default, repr=not secret, metadata={"doc": doc, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """Where the federation lives and how the exchange, the web pages and the servers behave.

    ``home`` holds the registry (``registry.json``), the institutions' keys (``keys/``) and, with the embedded default,
    one SQLite database per institution (``db/<code>.sqlite``). ``database_url`` is a template in which ``{code}`` is
    replaced by the institution code, so a PostgreSQL deployment gives each institution its own database too.
    """

    home: Path = setting(DEFAULT_HOME, "The federation's directory: registry, keys, CA and (SQLite) databases.")
    database_url: str = setting("", "SQLAlchemy URL template with {code}, one database per institution "
                                    "(empty: SQLite files in <home>/db).", secret=True)  # it may hold a password
    node_timeout_s: float = setting(5.0, "Seconds a node may take before it counts as unavailable for this "
                                         "attempt.")
    retry_after_s: float = setting(86_400.0, "Seconds until an unavailable node is asked again (the seed: the "
                                             "same time the next day).")
    max_attempts: int = setting(3, "Attempts after which an unavailable node is left as unavailable for good.")
    request_max_age_s: float = setting(300.0, "Signed requests older than this (or dated this far ahead), in "
                                              "seconds, are refused as stale.")
    node_requests_per_minute: int = setting(3000, "Requests a node answers per requester per minute; beyond it "
                                                  "429 with Retry-After.")
    node_batch_people_per_minute: int = setting(6000, "People a node answers about in batch questions per "
                                                      "requester per minute (an admission round asks each node "
                                                      "about 3,000 a minute at 50 applicants a second); beyond it "
                                                      "429 with Retry-After.")
    node_flag_per_day: int = setting(20000, "People asked about per requester in a day (one per single request, "
                                            "each of a batch question's) after which a node flags an unusual "
                                            "volume (vitnemal records volume-flags).")
    login_starts_per_5min: int = setting(30, "Logins one client (address) may start in 5 minutes (counted in the "
                                             "web database); beyond it the login page says to wait. Raised only by "
                                             "the benchmark (vitnemal bench portal), whose logins all come from "
                                             "one address.")
    verify_uploads_per_hour: int = setting(120, "Uploads one client (address) may verify per hour on POST /verify, "
                                                "counted in the web database; beyond it 429 with Retry-After.")
    admission_node_requests_per_minute: int = setting(2700, "Requests an admission round sends one node per "
                                                            "minute, shared by its workers (keep it under the "
                                                            "nodes' limit).")
    admission_node_concurrency: int = setting(8, "Requests an admission round's worker has in flight to one node "
                                                  "at a time.")
    admission_window: int = setting(200, "Applicants one admission worker has in flight (two groups of a batch each: "
                                          "the next group is claimed once every question about the last has left).")
    admission_batch: int = setting(100, "Applicants asked about in one batch question to a node (at most 100).")
    admission_requests_in_flight: int = setting(16, "Requests one admission worker has in flight to all nodes "
                                                    "together (a batch question is one, about up to 100 "
                                                    "applicants).")
    lease_s: float = setting(30.0, "Seconds a worker owns an order before another worker may take it over.")
    poll_interval_s: float = setting(1.0, "Seconds between an idle worker's looks for work placed by other "
                                          "processes.")
    inject_latency_ms: str = setting("", "Injected node latency for demos and benchmarks, e.g. 20-200 (ms); "
                                         "empty: none; ignored in production.")
    public_url: str = setting(DEFAULT_PUBLIC_URL, "Base URL others reach this host at (verify links, QR codes, "
                                                  "node URLs); default: the address vitnemal serve/demo listens "
                                                  "on.")
    environment: str = setting("development", "production turns off the test identity provider and requires "
                                              "the secret key and a real identity provider.")
    secret_key: str = setting("", "Signs session cookies and CSRF tokens (empty: <home>/secret.key, which "
                                  "production refuses).", secret=True)
    session_idle_s: float = setting(1800.0, "Seconds without a request after which a web session ends.")
    oidc_issuer: str = setting("", "The owners' identity provider (ID-porten); empty: the built-in test provider "
                                   "at <public_url>/test-idp.")
    oidc_client_id: str = setting("vitnemal-portal", "This service's client id at the identity provider.")
    oidc_client_secret: str = setting("", "This service's client secret at the identity provider.", secret=True)
    feide_issuer: str = setting("", "A second identity provider offered on the login page (Feide); empty: none.")
    feide_client_id: str = setting("", "This service's client id at Feide.")
    feide_client_secret: str = setting("", "This service's client secret at Feide.", secret=True)
    smtp_url: str = setting("", "Where the portal hands recipients' mail (smtp://host:25, smtps://host:465, "
                                "...?starttls=1); empty outside production: its own catching server.", secret=True)
    token: str = setting("", "A case worker's API token for the vitnemal exchange commands (instead of "
                             "--token).", secret=True)
    pkcs11_pin: str = setting("", "The user PIN of the PKCS#11 token that holds a signing key "
                                  "(diplomas issue --pkcs11-lib).", secret=True)
    serve_institutions: tuple[str, ...] = setting((), "Institutions vitnemal serve serves, comma-separated "
                                                      "(empty: every one whose key is here).")
    serve_worker: bool = setting(True, "Whether vitnemal serve runs the background worker in its processes.")
    elmo_trusted_certs: str = setting("", "PEM file of the ELMO signers (EMREX data providers) whose files case "
                                      "workers may import on Person eksternstudium; empty: <home>/elmo-trusted.pem "
                                      "when it exists.")
    timezone: str = setting("Europe/Oslo", "The time zone people read times in (CLI, pages, PDFs, mail); times "
                                           "are stored in UTC. An IANA name, e.g. Europe/Oslo or UTC.")
    lang: str = setting("nb", "The language the CLI writes in (its errors too) when a command is not given "
                              "--lang: nb, nn or en.")

    def __post_init__(self) -> None:
        from vitnemal.i18n import LANGUAGES, zone_named

        if self.lang not in LANGUAGES:
            raise SettingsError(f"{env_name('lang')}={self.lang!r}: write nb, nn or en")
        for name in _COUNTS:  # 0 or less would refuse every request with nothing at start-up saying why
            if getattr(self, name) < 1:
                raise SettingsError(f"{env_name(name)}={getattr(self, name)!r}: it counts requests, people or "
                                    "places and must be at least 1 (unset it for the default)")

        try:
            zone_named(self.timezone)
        except ValueError as exc:
            raise SettingsError(f"{env_name('timezone')}={self.timezone!r}: {exc}") from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Return settings from ``VITNEMAL_*`` variables, falling back to the declared defaults.

        ``VITNEMAL_PUBLIC_URL`` unset: the address the last ``vitnemal serve``/``demo`` on this home served at,
        else the default.
        """
        env = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(env_name(f.name))
            if raw is not None:
                values[f.name] = _parse(f.name, hints[f.name], raw)
        settings = cls(**values)
        if "public_url" not in values:
            served = settings.home / SERVED_URL_FILE
            if served.is_file():
                settings = replace(settings, public_url=served.read_text(encoding="utf-8").strip() or
                                   settings.public_url)
        return settings

    def environ(self) -> dict[str, str]:
        """These settings as ``VITNEMAL_*`` variables: what a child process needs to read the same settings."""
        return {env_name(f.name): _format(getattr(self, f.name)) for f in fields(self)}

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


_COUNTS = ("max_attempts", "node_requests_per_minute", "node_batch_people_per_minute", "node_flag_per_day",
           "login_starts_per_5min", "verify_uploads_per_hour", "admission_node_requests_per_minute",
           "admission_node_concurrency", "admission_window", "admission_batch", "admission_requests_in_flight")
"""The limits and sizes that only make sense from 1 up (review R52)."""


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def record_served_url(settings: Settings, url: str) -> None:
    """Remember where this home is served, for the commands run beside the server (see :data:`SERVED_URL_FILE`)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / SERVED_URL_FILE).write_text(url + "\n", encoding="utf-8")


def served_url(host: str, port: int) -> str:
    """The base URL for a server listening on ``host:port``; a wildcard address is reached as 127.0.0.1 here."""
    reachable = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://[{reachable}]:{port}" if ":" in reachable else f"http://{reachable}:{port}"


_TYPE_WORDS = {bool: "1/0, true/false, yes/no", int: "a whole number", float: "a number",
               Path: "a path", str: "text", tuple: "comma-separated values"}


def _parse(name: str, kind: Any, raw: str) -> Any:
    base = typing.get_origin(kind) or kind
    try:
        if base is bool:
            word = raw.strip().lower()
            if word not in ("1", "0", "true", "false", "yes", "no", "on", "off", ""):
                raise ValueError(raw)
            return word in ("1", "true", "yes", "on")
        if base is tuple:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if base is Path:
            return Path(raw)
        return base(raw)
    except ValueError:
        raise SettingsError(f"{env_name(name)}={raw!r} is not {_TYPE_WORDS.get(base, str(base))}") from None


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def reference() -> list[dict[str, str]]:
    """Every setting for the docs: variable, type, default (secrets: none shown) and description."""
    hints = typing.get_type_hints(Settings)
    rows = []
    for f in fields(Settings):
        default = f.default
        kind = typing.get_origin(hints[f.name]) or hints[f.name]
        rows.append({"variable": env_name(f.name), "type": _TYPE_WORDS.get(kind, str(kind)),
                     "default": _format(default), "doc": f.metadata["doc"],
                     "secret": "yes" if f.metadata["secret"] else ""})
    return rows


def reference_markdown() -> str:
    """The table of docs/settings.md."""
    lines = ["| Variable | Type | Default | What it does |", "| --- | --- | --- | --- |"]
    for row in reference():
        default = f"`{row['default']}`" if row["default"] else "(empty)"
        secret = " Secret: never printed." if row["secret"] else ""
        doc = row["doc"].replace("<", "&lt;").replace(">", "&gt;")
        lines.append(f"| `{row['variable']}` | {row['type']} | {default} | {doc}{secret} |")
    return "\n".join(lines) + "\n"
