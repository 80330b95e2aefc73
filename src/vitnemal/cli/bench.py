"""``vitnemal bench``: benchmarks that print their figures as JSON.

Each command delegates to a module of :mod:`vitnemal.bench`, which returns a dict of figures.
"""

from __future__ import annotations

import json

import typer

app = typer.Typer(help="Benchmarks; each prints one JSON object of figures.", no_args_is_help=True)


def _emit(figures: dict[str, object], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(figures))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "value")
    for key, value in figures.items():
        table.add_row(key, str(value))
    Console().print(table)


@app.command("school")
def school(
    pupils: int = typer.Option(60_000, help="Pupils in the generated county file."),
    certificates: int = typer.Option(200, help="Certificates to render and sign."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Admission points for a county from CSV, and certificates rendered and signed per second."""
    from vitnemal.bench.school import run_benchmark

    _emit(run_benchmark(pupils=pupils, certificates=certificates), as_json)


@app.command("elmo")
def elmo(
    courses: int = typer.Option(40, min=1, max=500, help="Courses in the transcript."),
    documents: int = typer.Option(400, min=1, help="Signed ELMO documents to export (a quarter as many checked)."),
    processes: int = typer.Option(1, min=1, max=16, help="Export in this many processes at once."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """ELMO: a transcript exported and signed per second (goal 200/s), and signed ELMO verified and validated."""
    from vitnemal.bench.elmo import run_benchmark

    _emit(run_benchmark(courses=courses, documents=documents, processes=processes), as_json)


@app.command("startup")
def startup(
    runs: int = typer.Option(7, min=1, help="Timed runs of each command line (after one warm-up)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Start-up time of `vitnemal --help` and `vitnemal id check` as whole processes (wall and CPU seconds)."""
    from vitnemal.bench.startup import run_benchmark

    _emit(run_benchmark(runs=runs), as_json)


@app.command("exchange")
def exchange(
    nodes: int = typer.Option(50, help="Nodes in the federation (besides the requester)."),
    latency: str = typer.Option("20-200", help="Injected node latency range in ms, fixed per node."),
    orders: int = typer.Option(30, help="Orders run one at a time for the latency figures."),
    throughput_orders: int = typer.Option(120, help="Orders run for the orders-per-second figure."),
    concurrency: int = typer.Option(16, help="Orders in flight for the throughput figure."),
    engine: str = typer.Option("sqlite", help="sqlite or postgresql (a throwaway server is started)."),
    node_processes: int = typer.Option(2, help="Processes of the host that serves the nodes."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Order latency across the nodes, a sequential baseline, orders per second and import throughput."""
    from rich.console import Console

    from vitnemal.bench.exchange import ExchangeBenchConfig, run_benchmark

    if engine not in ("sqlite", "postgresql"):
        raise typer.BadParameter("engine must be sqlite or postgresql")
    console = Console(stderr=True)
    with console.status("benchmark") as status:
        config = ExchangeBenchConfig(nodes=nodes, latency=latency, orders=orders, throughput_orders=throughput_orders,
                                      concurrency=concurrency, engine=engine, node_processes=node_processes)
        figures = run_benchmark(config, progress=lambda msg: status.update(f"benchmark: {msg}"))
    _emit(figures, as_json)


@app.command("admissions")
def admissions(
    applicants: int = typer.Option(10_000, help="Applicants in the round."),
    nodes: int = typer.Option(50, help="Nodes (institutions) each applicant is fetched from."),
    latency: str = typer.Option("20-200", help="Injected node latency range in ms, fixed per node."),
    node_limit: int = typer.Option(3000, help="The nodes' limit per requester per minute."),
    budget: int = typer.Option(2700, help="Requests the round sends one node per minute."),
    concurrency: int = typer.Option(8, help="Requests in flight to one node."),
    in_flight: int = typer.Option(8, help="Batch questions in flight to all nodes together."),
    window: int = typer.Option(200, help="Applicants in flight."),
    batch: int = typer.Option(100, help="Applicants in one batch question to a node (1-100)."),
    engine: str = typer.Option("sqlite", help="sqlite or postgresql (a throwaway server is started)."),
    node_processes: int = typer.Option(2, help="Processes of the host that serves the nodes."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """An admission round against the nodes: applicants per second, p95 per applicant, the most requests any node
    got in a second and a minute, slow-downs, the worker's memory."""
    from rich.console import Console

    from vitnemal.bench.admissions import AdmissionBenchConfig, run_benchmark

    if engine not in ("sqlite", "postgresql"):
        raise typer.BadParameter("engine must be sqlite or postgresql")
    console = Console(stderr=True)
    with console.status("benchmark") as status:
        config = AdmissionBenchConfig(applicants=applicants, nodes=nodes, latency=latency,
                                      node_requests_per_minute=node_limit, budget_per_minute=budget,
                                      concurrency=concurrency, in_flight=in_flight, window=window, batch=batch,
                                      engine=engine, node_processes=node_processes)
        figures = run_benchmark(config, progress=lambda msg: status.update(f"benchmark: {msg}"))
    _emit(figures, as_json)


@app.command("diplomas")
def diplomas(
    people: int = typer.Option(600, help="Diploma sets (4 pages) to issue: half in one process, half on all cores."),
    processes: int = typer.Option(0, help="Worker processes for the all-cores run; 0: one per core."),
    verify: int = typer.Option(200, help="Issued documents to verify."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Signed PDF/A-3b diploma sets per second (one process, all cores), render and sign ms, verifications per s."""
    from rich.console import Console

    from vitnemal.bench.diplomas import run_benchmark

    with Console(stderr=True).status("benchmark: issuing diploma sets"):
        figures = run_benchmark(people=people, processes=processes or None, verify=verify)
    _emit(figures, as_json)


@app.command("verify")
def verify(
    uploads: int = typer.Option(200, help="Genuine diploma uploads to POST /verify."),
    clients: int = typer.Option(4, help="Uploads in flight at once."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Verification uploads per second through the worker pool (real HTTP), the in-process check without the pool,
    and /healthz latency while hostile files are uploaded."""
    from rich.console import Console

    from vitnemal.bench.verify import run_benchmark

    with Console(stderr=True).status("benchmark: verifying uploads"):
        figures = run_benchmark(uploads=uploads, clients=clients)
    _emit(figures, as_json)


@app.command("portal")
def portal(
    views: int = typer.Option(5000, help="Recipient page views."),
    clients: int = typer.Option(50, help="Recipient views in flight at once."),
    shares: int = typer.Option(20, help="Shares made (each a signed PDF and two mails)."),
    logins: int = typer.Option(10, help="Logins, each until every institution's results are on the page."),
    uploads: int = typer.Option(40, help="Uploads of the share PDF to POST /verify."),
    processes: int = typer.Option(2, help="uvicorn processes serving the portal."),
    latency: str = typer.Option("20-200", help="Injected node latency in ms (min-max)."),
    database: str = typer.Option("auto", help="postgresql, sqlite, or auto (PostgreSQL when installed)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The portal under uvicorn on a small demo federation: recipient views per second and p95 at 50 clients,
    share → mail accepted, login → all results on the page, verification uploads per second."""
    from rich.console import Console

    from vitnemal.bench.portal import run_benchmark

    with Console(stderr=True).status("benchmark: the portal under uvicorn"):
        figures = run_benchmark(views=views, clients=clients, shares=shares, logins=logins, uploads=uploads,
                                processes=processes, latency_ms=latency, database=database)
    _emit(figures, as_json)


@app.command("casepage")
def casepage(
    nodes: int = typer.Option(50, help="Nodes in the federation (besides the requester)."),
    latency: str = typer.Option("20-200", help="Injected node latency range in ms, fixed per node."),
    runs: int = typer.Option(20, min=1, help="Timed presses of the button (after the warm-up)."),
    warmup: int = typer.Option(2, min=0, help="Presses not counted."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """From pressing "Hent ekstern norsk utdanning" to every outcome on the case page, in a real browser."""
    from vitnemal.bench.casepage import run_benchmark

    _emit(run_benchmark(nodes=nodes, latency=latency, runs=runs, warmup=warmup), as_json)
