"""``vitnemal serve``, ``vitnemal worker`` and ``vitnemal demo``: the long-running processes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

HOST = typer.Option("127.0.0.1", help="Interface to listen on.")
INSTITUTIONS = typer.Option(None, "--institution", "-i", help="Serve only these institutions.",
                            show_default="every one whose key is here")


def _settings(host: str | None = None, port: int | None = None, home: Path | None = None) -> Any:
    """The settings from the environment (``--home`` wins over VITNEMAL_HOME); a server listening on ``host:port``
    is its own public URL unless VITNEMAL_PUBLIC_URL says otherwise."""
    import os

    from vitnemal.config import Settings, env_name, served_url

    environ = dict(os.environ)
    if home is not None:
        environ[env_name("home")] = str(home)
    settings = Settings.from_env(environ)
    if port is not None and not environ.get(env_name("public_url")):
        settings = replace(settings, public_url=served_url(host or "127.0.0.1", port))
    return settings


def _announce(settings: Any) -> None:
    """Tell the commands run beside this server (diplomas issue, exchange) where it is served."""
    from vitnemal.config import record_served_url

    record_served_url(settings, settings.public_url)


def _warn_misplaced_nodes(settings: Any, codes: list[str] | None) -> None:
    """Say so when the registry places the nodes served here at another address: the other institutions (and
    this host's own worker) would send their requests there and record every node as not answering. That is what
    serving a federation made for port 8000 on another port does; `vitnemal demo --port` points the registry at
    itself, `serve` does not change the federation's registry."""
    from rich.console import Console

    from vitnemal.institutions.registry import Registry

    if not settings.registry_path.exists():
        return
    registry = Registry.load(settings.registry_path)
    base = settings.public_url.rstrip("/")
    misplaced = [(code, entry.node_url) for code, entry in sorted(registry.institutions.items())
                 if entry.answers and (not codes or code in codes) and entry.node_url != f"{base}/nodes/{code}"]
    if not misplaced:
        return
    named = ", ".join(f"{code} at {url}" for code, url in misplaced[:3])
    more = f" and {len(misplaced) - 3} more" if len(misplaced) > 3 else ""
    Console(stderr=True, soft_wrap=True).print(
        f"Warning: the registry ({settings.registry_path}) places the nodes served here elsewhere: {named}{more}. "
        f"Requests to them will not reach this server ({base}), so orders record them as not answering. For the "
        f"demo federation run `vitnemal demo --port <port>`, which points the registry here; or serve on the "
        f"address the registry names, or set VITNEMAL_PUBLIC_URL to it when this server is behind a proxy.",
        markup=False, highlight=False)


def serve(
    port: int = typer.Option(8000, help="Port to listen on."),
    host: str = HOST,
    institution: list[str] | None = INSTITUTIONS,
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Run the background worker in this process."),
    processes: int = typer.Option(1, "--processes", help="Server processes sharing the port (uses more cores)."),
) -> None:
    """Run the exchange nodes and the case workers' API for the institutions served here."""
    import os

    import uvicorn

    from vitnemal.web.app import UVICORN_OPTIONS, create_app

    settings = replace(_settings(host, port), serve_institutions=tuple(institution or ()), serve_worker=worker)
    _announce(settings)
    _warn_misplaced_nodes(settings, institution)
    if processes > 1:
        # uvicorn starts each server process afresh from the factory; the settings (these options included)
        # travel to them as their VITNEMAL_* variables.
        os.environ.update(settings.environ())
        uvicorn.run("vitnemal.web.app:app_from_env", factory=True, host=host, port=port, workers=processes,
                    **UVICORN_OPTIONS)
        return
    uvicorn.run(create_app(settings, with_worker=worker, codes=institution or None), host=host, port=port,
                **UVICORN_OPTIONS)


def worker(
    institution: list[str] | None = INSTITUTIONS,
    concurrency: int = typer.Option(32, help="Orders run at the same time."),
) -> None:
    """Run the background worker: it runs queued orders, takes over abandoned ones and does the retries."""
    import asyncio
    import signal

    from rich.console import Console

    from vitnemal.exchange.worker import Worker
    from vitnemal.institutions.host import LocalInstitutions
    from vitnemal.runtime import tune_gc

    settings = _settings()

    async def main() -> None:
        host = LocalInstitutions.open(settings, institution or None)
        tune_gc()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        Console(stderr=True).print(f"worker for {len(host.codes)} institution(s); Ctrl-C stops it")
        try:
            await Worker(host, concurrency=concurrency).run(stop)
        finally:
            host.close()

    asyncio.run(main())


def _point_registry_at(settings: Any, base_url: str) -> None:
    """The demo federation's nodes all answer on this host: make the registry say where."""
    from vitnemal.institutions.registry import Registry

    registry = Registry.load(settings.registry_path)
    changed = False
    for code, entry in registry.institutions.items():
        url = f"{base_url}/nodes/{code}"
        if entry.node_url != url:
            registry.institutions[code] = replace(entry, node_url=url)
            changed = True
    if changed:
        registry.save(settings.registry_path)


def _upgrade_quietly(settings: Any) -> None:
    """The demo just works after an update: a federation made by an older version is migrated in place."""
    from vitnemal.cli.db import upgrade_federation
    from vitnemal.web.pages import upgrade_web_database

    broken: dict[str, str] = {}
    upgraded = upgrade_federation(settings, broken=broken) + upgrade_web_database(settings)
    if upgraded:
        typer.echo(f"Upgraded {upgraded} database(s) to this version's schema.")
    for code, reason in broken.items():
        typer.echo(f"Institution {code} is left out: {reason}. Its node answers as unavailable (503) while the "
                   f"others are served; restore the file from a backup, or make the demo anew with "
                   f"`vitnemal federation generate --force`.", err=True)


def _ensure_federation(settings: Any, seed: int, people: int) -> None:
    from rich.progress import Progress

    from vitnemal.demo.generator import generate_federation

    if settings.registry_path.exists():
        return
    with Progress(transient=True) as progress:
        task = progress.add_task("Making the demo federation", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        generate_federation(settings, seed=seed, people=people, progress=report)


def _program_name() -> str:
    """How the user can run this program again: plain ``vitnemal`` if it is on PATH, else the path they used."""
    import shutil
    import sys

    used = Path(sys.argv[0])
    on_path = shutil.which("vitnemal")
    if on_path and Path(on_path).resolve() == used.resolve():
        return "vitnemal"
    try:
        return str(used.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(used)


def demo(
    ctx: typer.Context,
    port: int = typer.Option(8000, help="Port of the demo (nodes and API)."),
    host: str = HOST,
    seed: int = typer.Option(2014, help="Seed of the generated federation."),
    people: int = typer.Option(3000, help="People in the generated federation."),
    home: Path | None = typer.Option(None, envvar="VITNEMAL_HOME", help="Federation directory.",
                                     show_default="var/federation"),
    down: list[str] | None = typer.Option(None, "--down", help="Start with this institution's node down: "
                                          "registered, but answering nothing (503) until `vitnemal demo start-node`."),
) -> None:
    """Make the demo federation if there is none, then run every node, the worker and the API on one port.

    `vitnemal demo stop-node CODE` and `start-node CODE` take one node of the running demo down and up again."""
    import os

    if ctx.invoked_subcommand is not None:
        return  # stop-node, start-node, nodes: the demo is running elsewhere

    import uvicorn
    from rich.console import Console

    from vitnemal.web.app import UVICORN_OPTIONS, create_app

    settings = _settings(host, port, home)
    console = Console(soft_wrap=True)
    _ensure_federation(settings, seed, people)
    _announce(settings)
    _upgrade_quietly(settings)
    _point_registry_at(settings, settings.public_url)
    from vitnemal.cli.demo_nodes import stop_at_start

    stop_at_start(settings, down or [])
    creds = json.loads((settings.home / "demo-credentials.json").read_text())
    prog = _program_name()
    home_hint = "" if home is None and "VITNEMAL_HOME" not in os.environ else f"VITNEMAL_HOME={settings.home} "
    api = "" if port == 8000 else f" --api {settings.public_url}"
    console.print(f"[bold]vitnemal demo[/] — {len(creds)} institutions at {settings.public_url} "
                  f"(federation in {settings.home})")
    console.print(f"The portal: {settings.public_url}/ (log in through the test provider at "
                  f"{settings.public_url}/test-idp as Testperson1, 01536112185)")
    console.print("Ready when GET /healthz answers 200. Then, in another terminal in this directory:")
    console.print(f"  {home_hint}{prog} exchange order 01536112185 --for 185{api} --wait   # Testperson1: 216 RES-100")
    console.print(f"  {home_hint}{prog} exchange order 19588312510 --for 185{api} --wait   # Testperson2: 214 RES-OAL")
    console.print(f"  {home_hint}{prog} exchange records 01536112185 --for 185{api}        # Person eksternstudium")
    console.print(f"  {home_hint}{prog} demo stop-node 216   # HiSF's node goes down: the order above waits for "
                  "a retry (exit 3)")
    console.print(f"  More people to try, one per scenario: {settings.home / 'scenarios.json'}")
    from vitnemal.demo.platform import start_demo_platform

    platform_url = start_demo_platform(settings, host, port + 1)
    console.print(f"A recruitment platform that asks the portal for results (EMREX): {platform_url}/")
    uvicorn.run(create_app(settings, with_worker=True), host=host, port=port,
                **UVICORN_OPTIONS)


def register(app: typer.Typer) -> None:
    """Add the server commands to the top-level app."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    from vitnemal.cli.demo_nodes import demo_app

    demo_app.callback(invoke_without_command=True)(demo)
    app.add_typer(demo_app, name="demo")
