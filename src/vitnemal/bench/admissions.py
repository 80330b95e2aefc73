"""The admission benchmark: one round of many applicants against the demo's 50 nodes, as Samordna opptak runs it.

The nodes run in their own processes (``vitnemal serve --no-worker``) with injected latency and their ordinary
per-requester limit; the admission worker runs in this process exactly as ``vitnemal admissions work`` runs it
(claim, check consent, sign, pace per node, verify, record). Each applicant has results at two institutions and
none at the others, as most applicants have. Figures: applicants per second over the round, p95 per applicant
(claimed to recorded), the most requests any node got from us in one second and in one minute (counted where they
leave, at their departure), how often a node said "slow down", and the worker process's memory.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from vitnemal.admissions import service, standing
from vitnemal.admissions.applicant_list import ApplicantLine
from vitnemal.admissions.models import RoundKind
from vitnemal.admissions.tasks import AdmissionWorker
from vitnemal.bench.exchange import NodeHostProcess, tree_cpu_s
from vitnemal.devtools.federation import build_federation
from vitnemal.devtools.postgres import ThrowawayPostgres, free_port
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import make_national_id
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.institutions.registry import ADMISSION_CODE
from vitnemal.records.models import AdmissionConsent, AssessmentResult, Course
from vitnemal.runtime import tune_gc
from vitnemal.schema import upgrade


@dataclass(frozen=True)
class AdmissionBenchConfig:
    applicants: int = 10_000
    nodes: int = 50
    latency: str = "20-200"
    node_processes: int = 2
    node_requests_per_minute: int = 3000  # the nodes' limit per requester (their default)
    budget_per_minute: int = 2700  # what the round sends one node (90 % of the limit, the default)
    concurrency: int = 8  # requests in flight to one node
    # Batch questions in flight to all nodes together: here one machine serves all 50 nodes, so few at a time (at
    # 64 the node host fell behind at load 20 and batches ran past their deadline).
    in_flight: int = 8
    window: int = 200  # applicants in flight (two groups of one batch)
    batch: int = 100  # applicants in one batch question
    engine: str = "sqlite"


def _ids(count: int) -> list[str]:
    ids: list[str] = []
    day, individual = 0, 100
    while len(ids) < count:
        nid = make_national_id(date(1960, 1, 1) + timedelta(days=day % 10_950), individual)  # born 1960–1989
        day += 1
        if day % 10_950 == 0:
            individual += 1
        if nid:
            ids.append(nid)
    return ids


def _last_name(national_id: str) -> str:
    """Each applicant's name, the same at Samordna opptak and at the institutions (the list names everyone, as
    Samordna opptak's does, so a node can tell "no results" from another national id)."""
    return f"S{national_id[-5:]}"


def _seed(fed: Any, nodes: list[str], applicants: list[str]) -> None:
    with fed.db(ADMISSION_CODE).session() as s:
        at = datetime(2026, 9, 1, tzinfo=UTC)
        s.execute(insert(AdmissionConsent), [{"national_id": n, "answer": "J", "answered_at": at} for n in applicants])
    held: dict[str, list[str]] = {code: [] for code in nodes}
    for i, n in enumerate(applicants):  # two institutions each, spread over all of them
        held[nodes[i % len(nodes)]].append(n)
        held[nodes[(i * 7 + 3) % len(nodes)]].append(n)
    for code, people in held.items():
        with fed.db(code).session() as s:
            s.execute(insert(Course), [{"code": f"K{code}-{k}", "name_nb": f"Emne {k}", "name_en": f"Course {k}",
                                        "credits": Decimal("10"), "grading_scale": "letter", "kind": "course"}
                                       for k in range(3)])
            courses = list(s.scalars(select(Course.id)))
            s.execute(insert(Person), [{"national_id": n, "first_name": "Søker", "last_name": _last_name(n)}
                                       for n in dict.fromkeys(people)])
            pid: dict[str, int] = {n: i for n, i in s.execute(select(Person.national_id, Person.id))}
            s.execute(insert(AssessmentResult), [
                {"person_id": pid[n], "course_id": c, "year": 2020 + k, "season": "HØST", "grade": "ABCDE"[k % 5],
                 "passed": True, "credits": Decimal("10")} for n in dict.fromkeys(people)
                for k, c in enumerate(courses)])
        fed.db(code).dispose()


class _Memory:
    """The peak resident memory of this process while the round runs, sampled every 0.2 s (VmRSS)."""

    def __init__(self) -> None:
        self.peak_kb = self.start_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def now_kb() -> int:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_kb = max(self.peak_kb, self.now_kb())

    def __enter__(self) -> _Memory:
        self.start_kb = self.peak_kb = self.now_kb()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _max_per_window(counts: Counter[int], window: int) -> int:
    if not counts:
        return 0
    first, last = min(counts), max(counts)
    best = 0
    for start in range(first, last + 1):
        best = max(best, sum(counts.get(s, 0) for s in range(start, start + window)))
    return best


def run_benchmark(config: AdmissionBenchConfig | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    cfg = config or AdmissionBenchConfig()
    say = progress or (lambda _msg: None)
    pg = ThrowawayPostgres().start() if cfg.engine == "postgresql" else None
    try:
        with tempfile.TemporaryDirectory(prefix="vitnemal-bench-admissions-") as tmp:
            return _run(Path(tmp), pg, cfg, say)
    finally:
        if pg is not None:
            pg.stop()


def _run(tmp: Path, pg: ThrowawayPostgres | None, cfg: AdmissionBenchConfig, say: Callable[[str], None]
         ) -> dict[str, Any]:
    port = free_port()
    nodes = [str(300 + i) for i in range(cfg.nodes)]
    say(f"building a federation of {cfg.nodes} nodes and Samordna opptak on {cfg.engine}")
    if pg is not None:
        pg.create_database("bench_template")
        upgrade(pg.url("bench_template"))
        fed = build_federation(tmp / "fed", nodes, f"http://127.0.0.1:{port}", database_url=pg.url("bench_{code}"),
                               create_db=lambda c: pg.create_database(f"bench_{c}", template="bench_template"),
                               admission=True)
    else:
        template = tmp / "template.sqlite"
        upgrade(f"sqlite:///{template}")
        fed = build_federation(tmp / "fed", nodes, f"http://127.0.0.1:{port}", template=template, admission=True)
    applicants = _ids(cfg.applicants)
    say(f"seeding {cfg.applicants} applicants (consents at Samordna opptak, results at two institutions each)")
    _seed(fed, nodes, applicants)
    say("starting the node host")
    limit_var = "VITNEMAL_NODE_REQUESTS_PER_MINUTE"
    before = os.environ.get(limit_var)
    os.environ[limit_var] = str(cfg.node_requests_per_minute)  # the node host's limit (it takes our environment)
    try:
        # Fifty nodes start slowly on a loaded machine (each process opens and checks every node's database).
        node_host = NodeHostProcess(fed, nodes, cfg.latency, port, cfg.node_processes, startup_timeout_s=600)
    finally:
        if before is None:
            os.environ.pop(limit_var, None)
        else:
            os.environ[limit_var] = before
    settings = replace(fed.settings, admission_node_requests_per_minute=cfg.budget_per_minute,
                       admission_node_concurrency=cfg.concurrency, admission_window=cfg.window,
                       admission_requests_in_flight=cfg.in_flight, admission_batch=cfg.batch)
    host = LocalInstitutions.open(settings, [ADMISSION_CODE])
    tune_gc()
    try:
        with host.db(ADMISSION_CODE).session() as s:
            round_id = service.start_round(
                s, requester=ADMISSION_CODE, kind=RoundKind.SAMORDNA_OPPTAK, name="bench",
                lines=(ApplicantLine(i + 2, n, None, "Søker", _last_name(n)) for i, n in enumerate(applicants)),
                institutions=host.registry.codes(),
                started_by="bench", source="bench", now=datetime.now(UTC)).round_id
        worker = AdmissionWorker(host, ADMISSION_CODE, name="bench")
        say(f"round {round_id}: {cfg.applicants} applicants × {cfg.nodes} nodes")
        load_before = os.getloadavg()
        nodes_cpu = tree_cpu_s(node_host.proc.pid)
        with _Memory() as memory:
            started, cpu = time.perf_counter(), time.process_time()
            asyncio.run(worker.run(asyncio.Event(), until_idle=True))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        nodes_cpu = tree_cpu_s(node_host.proc.pid) - nodes_cpu
        load_after = os.getloadavg()
        with host.db(ADMISSION_CODE).read_session() as s:
            progress = standing.round_progress(s, round_id, datetime.now(UTC))
    finally:
        host.close()
        node_host.stop()
    per_node = {code: p.sent_per_second for code, p in worker.pacers.items()}
    times = sorted(worker.stats.applicant_ms)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else 0.0
    return {
        "engine": cfg.engine,
        "applicants": cfg.applicants,
        "nodes": cfg.nodes,
        "injected_latency_ms": cfg.latency,
        "node_host_processes": cfg.node_processes,
        "node_limit_per_minute": cfg.node_requests_per_minute,
        "per_node_in_flight": cfg.concurrency,
        "in_flight": cfg.in_flight,
        "window_applicants": cfg.window,
        "batch_applicants": cfg.batch,
        "round_budget_per_node_per_minute": cfg.budget_per_minute,
        "applicants_done": progress.done,
        "applicants_complete": progress.complete,
        "outcomes": progress.outcomes,
        "wall_s": round(wall, 1),
        "applicants_per_s": round(progress.done / wall, 2),
        "applicant_p50_ms": round(statistics.median(times), 1) if times else None,
        "applicant_p95_ms": round(p95, 1),
        "requests": worker.stats.requests,
        "applicants_asked_in_batches": worker.stats.batched,
        "max_requests_per_s_any_node": max((max(c.values(), default=0) for c in per_node.values()), default=0),
        "max_requests_per_minute_any_node": max((_max_per_window(c, 60) for c in per_node.values()), default=0),
        "slow_down_answers": worker.stats.slowed_down,
        # Is the worker waiting? The share of the round with no question at any node, and the seconds questions
        # waited for a place among the in_flight (summed over questions).
        "no_question_out_share": round(worker.stats.idle_s / wall, 3) if wall else None,
        "questions_waited_for_a_place_s": round(worker.stats.queued_s, 1),
        # What the round cost in CPU, whatever else the machine was doing: the worker and every node together.
        "worker_cpu_s": round(cpu, 1),
        "nodes_cpu_s": round(nodes_cpu, 1),
        "cpu_ms_per_applicant": round((cpu + nodes_cpu) * 1000 / max(1, progress.done), 2),
        "machine_load_1min_before_after": [round(load_before[0], 1), round(load_after[0], 1)],
        "worker_rss_mb_at_start": round(memory.start_kb / 1024, 1),
        "worker_peak_rss_mb": round(memory.peak_kb / 1024, 1),
    }
