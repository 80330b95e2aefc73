"""The exchange benchmark: order latency across 50 nodes, a sequential baseline, sustained orders per second,
and import throughput when re-fetching a person with hundreds of results.

The nodes run in their own process (``vitnemal serve --no-worker``) and answer over real HTTP after an injected
delay that is fixed per node within the given range; the orders run in this process exactly as the worker runs
them (plan, sign, fan out, verify, import, finish).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from vitnemal.devtools.federation import BareFederation, build_federation
from vitnemal.devtools.latency import injected_delay_s
from vitnemal.devtools.postgres import ThrowawayPostgres, free_port
from vitnemal.devtools.server import wait_until_healthy
from vitnemal.exchange import lifecycle, service
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.exchange.importer import import_answer
from vitnemal.exchange.models import OrderOutcome
from vitnemal.exchange.order_round import plan_round, run_round
from vitnemal.exchange.outcomes import ImportedResult, Outcome, classify
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import make_national_id
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.records.models import AssessmentResult, Consent, ConsentAnswer, Course
from vitnemal.runtime import tune_gc
from vitnemal.schema import upgrade

REQUESTER = "185"


def _people(count: int) -> list[str]:
    ids: list[str] = []
    individual = 100
    while len(ids) < count:
        nid = make_national_id(date(1990, 1, 1) + timedelta(days=len(ids) % 3000), individual)
        individual = individual + 1 if individual < 499 else 100
        if nid and nid not in ids:
            ids.append(nid)
    return ids


def _insert_people(s: Session, people: list[str]) -> dict[str, int]:
    """Register the bench's people in one institution; return their row ids by national id."""
    rows = [{"national_id": n, "first_name": "Bench", "last_name": f"P{i}"} for i, n in enumerate(people)]
    s.execute(insert(Person), rows)
    return {nid: pid for nid, pid in s.execute(select(Person.national_id, Person.id))}


def _seed(fed: BareFederation, nodes: list[str], people: list[str], results_each: int) -> None:
    consent_at = datetime(2026, 1, 5, tzinfo=UTC)
    with fed.db(REQUESTER).session() as s:
        ids = _insert_people(s, people)
        s.execute(
            insert(Consent),
            [{"person_id": ids[n], "type": "RESUTVEKSL", "answer": ConsentAnswer.YES, "answered_at": consent_at}
             for n in people],
        )
    for code in nodes:
        db = fed.db(code)
        with db.session() as s:
            s.execute(
                insert(Course),
                [
                    {
                        "code": f"B{code}-{k}",
                        "name_nb": f"Emne {k}",
                        "name_en": f"Course {k}",
                        "credits": Decimal("10"),
                        "grading_scale": "letter",
                        "kind": "course",
                    }
                    for k in range(results_each)
                ],
            )
            courses = [c for (c,) in s.query(Course.id).order_by(Course.id).all()]
            ids = _insert_people(s, people)
            s.execute(
                insert(AssessmentResult),
                [
                    {
                        "person_id": ids[n],
                        "course_id": c,
                        "year": 2015 + k % 10,
                        "season": "VÅR" if k % 2 else "HØST",
                        "grade": "ABCDE"[k % 5],
                        "passed": True,
                        "credits": Decimal("10"),
                    }
                    for n in people
                    for k, c in enumerate(courses)
                ],
            )
        db.dispose()


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) used so far by process ``root`` and its descendants (the node host's workers),
    read from /proc; 0 where it cannot be read."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0.0))[1]
        todo += [child for child, (parent, _) in stats.items() if parent == pid]
    return total


class NodeHostProcess:
    """``vitnemal serve --no-worker`` for the nodes, in a child process, with injected latency."""

    def __init__(self, fed: BareFederation, nodes: list[str], latency: str, port: int, processes: int = 1,
                 startup_timeout_s: float = 120) -> None:
        env = {
            **os.environ,
            "VITNEMAL_HOME": str(fed.settings.home),
            "VITNEMAL_INJECT_LATENCY_MS": latency,
            "VITNEMAL_DATABASE_URL": fed.settings.database_url,
        }
        args = [sys.executable, "-m", "vitnemal", "serve", "--no-worker", "--port", str(port),
                "--processes", str(processes)]
        for code in nodes:
            args += ["-i", code]
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", self.proc, timeout_s=startup_timeout_s)
        except BaseException:
            self.stop()  # not left serving behind a benchmark that failed
            raise

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _place(host: LocalInstitutions, national_id: str, owner: str | None) -> int:
    """Place an order at the requester; with ``owner``, take it at once, as a worker woken by it would."""
    with host.db(REQUESTER).session() as s:
        order = service.place_order(s, national_id=national_id, ordered_by="bench", own_code=REQUESTER,
                                    members=host.registry.codes(), now=datetime.now(UTC))
        if owner is not None:  # other lanes' orders are theirs, so no claiming from the shared queue
            lifecycle.claim_order(s, order.id, owner=owner, now=datetime.now(UTC), lease_s=60)
        return order.id


async def _one_order(host: LocalInstitutions, client: HttpNodeClient, national_id: str, owner: str) -> dict[str, Any]:
    db = host.db(REQUESTER)
    started = time.perf_counter()
    order_id = await asyncio.to_thread(_place, host, national_id, owner)
    await run_round(
        db=db,
        order_id=order_id,
        own=REQUESTER,
        owner=owner,
        registry=host.registry,
        key=host.key(REQUESTER),
        client=client,
        settings=host.settings,
    )
    total_ms = (time.perf_counter() - started) * 1000
    with db.read_session() as s:  # two columns, not the whole order: the measurement is not the requester's work
        outcomes = s.execute(select(OrderOutcome.elapsed_ms, OrderOutcome.outcome)
                             .where(OrderOutcome.order_id == order_id)).all()
        assert outcomes, f"order {order_id} has no outcomes"
        slowest = max(o.elapsed_ms or 0 for o in outcomes)
        imported = sum(1 for o in outcomes if o.outcome == Outcome.IMPORTED)
    return {"total_ms": total_ms, "slowest_node_ms": slowest, "imported": imported}


async def _sequential(host: LocalInstitutions, client: HttpNodeClient, national_id: str) -> float:
    """The baseline: the same order's requests sent one after another, each checked, nothing imported."""
    db = host.db(REQUESTER)
    order_id = _place(host, national_id, None)
    started = time.perf_counter()
    plan = plan_round(db, order_id, REQUESTER, host.registry, host.key(REQUESTER), datetime.now(UTC))
    assert plan is not None
    for call in plan.calls:
        reply = await client.send(call.node_url, call.token, host.settings.node_timeout_s)
        classify(
            reply,
            node=call.institution,
            requester=REQUESTER,
            request_id=call.request_id,
            subject_ids=plan.subject_ids,
            registry=host.registry,
            fetch_date=plan.fetch_date,
        )
    return (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class Throughput:
    """The throughput run: orders per second (wall), and the CPU seconds the requester (this process, every
    thread) and the node host (its processes) spent on it, whatever else the machine was doing."""

    orders_per_s: float
    requester_cpu_s: float
    nodes_cpu_s: float


async def _throughput(host: LocalInstitutions, client: HttpNodeClient, people: list[str], concurrency: int,
                      node_host: NodeHostProcess) -> Throughput:
    queue = list(people)
    nodes_cpu = tree_cpu_s(node_host.proc.pid)
    started, cpu = time.perf_counter(), time.process_time()

    async def lane(n: int) -> None:
        while queue:
            await _one_order(host, client, queue.pop(), owner=f"bench-{n}")

    await asyncio.gather(*(lane(n) for n in range(concurrency)))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Throughput(len(people) / wall, cpu, tree_cpu_s(node_host.proc.pid) - nodes_cpu)


def _import_throughput(url: str, results: int) -> dict[str, float]:
    """Re-fetch a person with ``results`` results in which a tenth of the grades changed; results per second."""
    from vitnemal.db import Database

    db = Database(url)
    with db.session() as s:  # also opens the connection, which the timings below must not include
        s.add(Person(national_id="01039510010", first_name="Many", last_name="Results"))
    items = [
        ImportedResult(
            key=f"K{i}|{2000 + i % 25}|VÅR",
            course_code=f"K{i}",
            name_nb=f"Emne {i}",
            name_en=f"Course {i}",
            kind="course",
            thesis_title=None,
            year=2000 + i % 25,
            season="VÅR",
            credits=Decimal("7.5"),
            grade="ABCDE"[i % 5],
            grading_scale="letter",
            description_nb=None,
            description_en=None,
        )
        for i in range(results)
    ]
    changed = [replace(r, grade="A") if i % 10 == 0 else r for i, r in enumerate(items)]
    timings = []
    for round_items in (items, changed, items):
        started = time.perf_counter()
        with db.session() as s:
            import_answer(
                s,
                person_id=1,
                source_code="216",
                source_name="HiSF",
                order_id=None,
                results=tuple(round_items),
                qualifications=(),
                now=datetime.now(UTC),
            )
        timings.append(time.perf_counter() - started)
    db.dispose()
    refetch = statistics.mean(timings[1:])
    return {
        "import_first_results_per_s": round(results / timings[0]),
        "import_refetch_results_per_s": round(results / refetch),
        "import_results": results,
    }


@dataclass(frozen=True)
class ExchangeBenchConfig:
    nodes: int = 50
    latency: str = "20-200"
    orders: int = 30
    throughput_orders: int = 120
    concurrency: int = 16
    results_each: int = 4
    import_results: int = 500
    engine: str = "sqlite"
    # The node host's processes: each node is its own server in reality, so let the nodes use both cores.
    node_processes: int = 2


def run_benchmark(config: ExchangeBenchConfig | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Build a federation of ``config.nodes`` nodes plus the requester, run the measurements, return the figures."""
    cfg = config or ExchangeBenchConfig()
    say = progress or (lambda _msg: None)
    pg = ThrowawayPostgres().start() if cfg.engine == "postgresql" else None
    try:
        with tempfile.TemporaryDirectory(prefix="vitnemal-bench-") as tmp:
            return asyncio.run(_run(Path(tmp), pg, cfg, say))
    finally:
        if pg is not None:
            pg.stop()


async def _run(tmp: Path, pg: ThrowawayPostgres | None, cfg: ExchangeBenchConfig,
               say: Callable[[str], None]) -> dict[str, Any]:
    nodes, latency, orders, engine = cfg.nodes, cfg.latency, cfg.orders, cfg.engine
    port = free_port()
    codes = [REQUESTER, *[str(300 + i) for i in range(nodes)]]
    say(f"building a federation of {nodes} nodes on {engine}")
    if pg is not None:
        pg.create_database("bench_template")
        upgrade(pg.url("bench_template"))
        fed = build_federation(
            tmp / "fed",
            codes,
            f"http://127.0.0.1:{port}",
            database_url=pg.url("bench_{code}"),
            create_db=lambda c: pg.create_database(f"bench_{c}", template="bench_template"),
        )
        import_url = pg.create_database("bench_import", template="bench_template")
    else:
        template = tmp / "template.sqlite"
        upgrade(f"sqlite:///{template}")
        fed = build_federation(tmp / "fed", codes, f"http://127.0.0.1:{port}", template=template)
        import_url = f"sqlite:///{tmp / 'import.sqlite'}"
        upgrade(import_url)
    throughput_orders, concurrency = cfg.throughput_orders, cfg.concurrency
    people = _people(orders + throughput_orders + 1)
    _seed(fed, codes[1:], people, cfg.results_each)
    say("starting the node host")
    node_host = NodeHostProcess(fed, codes[1:], latency, port, cfg.node_processes)
    host = LocalInstitutions.open(fed.settings, [REQUESTER])
    tune_gc()  # as the worker process does
    client = HttpNodeClient()
    try:
        say("warming up")  # every node host process opens its databases and connections on first use
        for _ in range(3):
            await _one_order(host, client, people[0], "bench-warm")
        say(f"{orders} orders one at a time")
        runs = [await _one_order(host, client, n, "bench") for n in people[1 : orders + 1]]
        say("sequential baseline")
        sequential_ms = await _sequential(host, client, people[1])
        say(f"{throughput_orders} orders, {concurrency} at a time")
        load_before = os.getloadavg()[0]
        throughput = await _throughput(host, client, people[orders + 1 :], concurrency, node_host)
        load_after = os.getloadavg()[0]
    finally:
        await client.aclose()
        host.close()
        node_host.stop()
    say("import throughput")
    imports = _import_throughput(import_url, cfg.import_results)
    totals = sorted(r["total_ms"] for r in runs)
    slowest = sorted(r["slowest_node_ms"] for r in runs)
    configured_slowest = max(injected_delay_s(c, latency) for c in codes[1:]) * 1000
    p95 = totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))]
    return {
        "engine": engine,
        "nodes": nodes,
        "injected_latency_ms": latency,
        "orders": len(runs),
        "order_p50_ms": round(statistics.median(totals), 1),
        "order_p95_ms": round(p95, 1),
        "slowest_node_ms": round(statistics.median(slowest), 1),
        "slowest_node_injected_ms": round(configured_slowest, 1),
        "target_p95_ms": round(1.1 * statistics.median(slowest) + 30, 1),  # issue 11 #3
        "sequential_ms": round(sequential_ms, 1),
        "orders_per_s": round(throughput.orders_per_s, 2),
        # CPU per item, the figure that holds under load: the node host's CPU over every answer it gave in the
        # throughput run (one per node and order), the requester's over every order.
        "node_cpu_ms_per_answer": round(throughput.nodes_cpu_s * 1000 / (throughput_orders * nodes), 3),
        "requester_cpu_ms_per_order": round(throughput.requester_cpu_s * 1000 / throughput_orders, 2),
        "load_average_1min_before": round(load_before, 2),
        "load_average_1min_after": round(load_after, 2),
        "throughput_concurrency": concurrency,
        "node_host_processes": cfg.node_processes,
        "imported_per_order": runs[-1]["imported"],
        **imports,
    }
