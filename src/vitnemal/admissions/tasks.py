"""The admission worker: claims applicants of running rounds and fetches each from every institution due, paced
per node, recording every answer as it comes.

Applicants are claimed with the exchange's lease rules (:func:`vitnemal.exchange.lifecycle.claim_rows`), so
several workers (on PostgreSQL) share a round and a worker that dies loses nothing: its applicants' leases run out
and another worker asks only the institutions without a final answer. Answers are written in batches, one
transaction for whatever arrived while the previous batch was being written, and only for applicants this worker
still holds. Consent is read again at every claim: a withdrawal stops the applicant's further fetches. Asking the
nodes (batch questions, pace, slow-downs) is :mod:`vitnemal.admissions.asking`'s part of the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from vitnemal.admissions import service
from vitnemal.admissions.asking import Asked, Due, NodeAsking, Planned, WorkerStats
from vitnemal.admissions.models import AdmissionRound, Applicant, Fetch, RoundStatus, RoundWorker, Stopped
from vitnemal.admissions.pacing import NodePacer
from vitnemal.admissions.rules import pack
from vitnemal.db import Database, UtcDateTime
from vitnemal.exchange import lifecycle
from vitnemal.exchange.client import HttpNodeClient, NodeClient
from vitnemal.exchange.outcomes import Outcome
from vitnemal.exchange.states import OrderStatus, OutcomeState, RetryPolicy, after_attempt, after_round, lease_end
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.protocol import Subject, admission_claim
from vitnemal.node.wire import MAX_BATCH
from vitnemal.records.consent import current_admission_consents
from vitnemal.records.models import ConsentAnswer

log = logging.getLogger("vitnemal.admissions")
HEARTBEAT_S = 2.0
LIVE_WITHIN_S = 3 * HEARTBEAT_S


class AdmissionWorker(NodeAsking):
    """Fetches the applicants of ``code``'s running rounds (``code`` is the requester: Samordna opptak, or an
    institution for its local admission), at most ``window`` applicants at a time."""

    def __init__(self, host: LocalInstitutions, code: str, client: NodeClient | None = None, *,
                 name: str | None = None, window: int | None = None) -> None:
        self.host = host
        self.code = code
        self.client: NodeClient = client or HttpNodeClient()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        settings = host.settings
        self.window = window or settings.admission_window
        self.batch = max(1, min(MAX_BATCH, settings.admission_batch))
        self.policy = RetryPolicy(settings.retry_after_s, settings.max_attempts)
        self.pacers: dict[str, NodePacer] = {}
        self.stats = WorkerStats()
        self.running_rounds: set[int] = set()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._results: asyncio.Queue[tuple[Planned, list[Asked]]] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._unsent = 0
        self._share = 1.0
        self._beat_at = 0.0
        # All nodes together: a worker that could have every node's share in flight at once would swamp the
        # network (and, in a demo or a benchmark, the one machine serving every node) into timeouts.
        self._places = max(1, settings.admission_requests_in_flight)
        self._in_flight_requests = asyncio.Semaphore(self._places)

    @property
    def db(self) -> Database:
        return self.host.db(self.code)

    # --- claiming (in a thread) ------------------------------------------------------------------------------------

    def _heartbeat(self, session: Session, now: datetime) -> None:
        """Say which running rounds this worker takes part in, and take its share of each node's budget."""
        rounds = list(session.scalars(select(AdmissionRound.id).where(
            AdmissionRound.status == RoundStatus.RUNNING, AdmissionRound.requester == self.code)))
        self.running_rounds = set(rounds)
        if not rounds:
            return
        seen = set(session.scalars(select(RoundWorker.round_id).where(RoundWorker.worker == self.name,
                                                                       RoundWorker.round_id.in_(rounds))))
        if seen:
            session.execute(update(RoundWorker).where(RoundWorker.worker == self.name,
                                                      RoundWorker.round_id.in_(seen)).values(seen_at=now))
        new = [r for r in rounds if r not in seen]
        if new:
            session.execute(insert(RoundWorker), [{"round_id": r, "worker": self.name, "seen_at": now} for r in new])
        workers = len(set(session.scalars(select(RoundWorker.worker).where(
            RoundWorker.round_id.in_(rounds), RoundWorker.seen_at >= now - timedelta(seconds=LIVE_WITHIN_S)))))
        self._share = 1.0 / max(1, workers)
        for pacer in self.pacers.values():
            pacer.set_share(self._share)

    def _claim(self, limit: int, beat: bool) -> list[Planned]:
        now = datetime.now(UTC)
        lease_s = self.host.settings.lease_s
        if not beat and (not self.running_rounds or limit <= 0):
            return []  # no write session (SQLite's write lock) while there is nothing to claim
        with self.db.session() as session:
            if beat:
                self._heartbeat(session, now)
            if not self.running_rounds or limit <= 0:
                return []
            ids = lifecycle.claim_rows(session, Applicant, owner=self.name, now=now, lease_s=lease_s, limit=limit,
                                       where=(Applicant.round_id.in_(sorted(self.running_rounds)),))
            if not ids:
                return []
            return self._plan(session, ids, now)

    def _plan(self, session: Session, ids: list[int], now: datetime) -> list[Planned]:
        applicants = list(session.scalars(select(Applicant).where(Applicant.id.in_(ids))))
        consents = current_admission_consents(session, [a.national_id for a in applicants])
        rounds = {r.id: service.round_institutions(r) for r in session.scalars(
            select(AdmissionRound).where(AdmissionRound.id.in_({a.round_id for a in applicants})))}
        rows: dict[int, dict[str, tuple[OutcomeState, int, datetime | None]]] = {a.id: {} for a in applicants}
        for row in session.execute(select(Fetch.applicant_id, Fetch.institution_code, Fetch.state, Fetch.attempts,
                                          Fetch.next_attempt_at).where(Fetch.applicant_id.in_(ids))):
            rows[row.applicant_id][row.institution_code] = (row.state, row.attempts, row.next_attempt_at)
        planned, stopped = [], []
        for a in applicants:
            consent = consents.get(a.national_id)
            if consent is None or consent.answer != ConsentAnswer.YES:
                stopped.append(a.id)  # withdrawn since the list was read: nobody more is asked
                continue
            due, others = [], []
            for code in rounds[a.round_id]:
                held = rows[a.id].get(code)
                if held is None:
                    due.append(Due(code, 0, False))
                elif held[0] is OutcomeState.RETRY and held[2] is not None and held[2] <= now:
                    due.append(Due(code, held[1], True))
                else:
                    others.append((held[0], held[2]))
            if a.first_asked_at is None:
                a.first_asked_at = now
            subject = Subject(a.national_id, (), a.first_name or "", a.last_name or "", None)
            planned.append(Planned(a.id, a.round_id, subject, admission_claim(consent, self.code), due, others))
        if stopped:
            session.execute(update(Applicant).where(Applicant.id.in_(stopped), Applicant.lease_owner == self.name)
                            .values(status=OrderStatus.DONE, stopped=Stopped.CONSENT_WITHDRAWN, lease_owner=None,
                                    lease_until=None, next_run_at=None, finished_at=now))
            session.execute(update(Fetch).where(Fetch.applicant_id.in_(stopped), Fetch.state == OutcomeState.RETRY)
                            .values(state=OutcomeState.FINAL, next_attempt_at=None))
            for round_id in {a.round_id for a in applicants if a.id in stopped}:
                service.finish_if_done(session, round_id, now)
        return planned

    # --- asking (in the event loop) --------------------------------------------------------------------------------
    async def _fetch(self, group: list[Planned],
                     batches: list[tuple[str, list[tuple[Planned, Due]]]] | None = None) -> None:
        """Fetch a group of claimed applicants and queue their answers for recording (``batches``: the group's
        questions when the caller planned them already, counting them as not yet sent)."""
        try:
            per = await self.ask_group(group, self.plan_group(group) if batches is None else batches)
            for p in group:
                await self._results.put((p, per[p.applicant_id]))
        except Exception:  # their leases run out and the applicants are taken again; the others go on
            log.exception("fetching %s applicants failed", len(group))
        finally:
            for p in group:
                self._in_flight.pop(p.applicant_id, None)
            self._wake.set()

    def _record(self, batch: Sequence[tuple[Planned, list[Asked]]]) -> None:
        now = datetime.now(UTC)
        with self.db.session() as session:
            held = set(session.scalars(select(Applicant.id).where(
                Applicant.id.in_([p.applicant_id for p, _ in batch]), Applicant.lease_owner == self.name)
                .with_for_update()))
            inserts, updates, applicants = [], [], []
            rounds_done: set[int] = set()
            for p, asked in batch:
                if p.applicant_id not in held:
                    continue  # the lease ran out and another worker took the applicant over: it records
                states = list(p.others)
                for a in asked:
                    if a.verdict is None:
                        states.append((OutcomeState.PENDING, None))
                        continue
                    v = a.verdict
                    state, again = after_attempt(a.due.attempts, v.retry, now, self.policy, v.retry_after_s)
                    states.append((state, again))
                    values = {"state": state, "outcome": v.outcome.value, "message": v.message[:2000],
                              "attempts": a.due.attempts + 1, "last_attempt_at": now, "next_attempt_at": again,
                              "elapsed_ms": a.elapsed_ms, "results_count": len(v.results),
                              "qualifications_count": len(v.qualifications),
                              "contents": pack(v.results, v.qualifications) if v.outcome is Outcome.IMPORTED
                              else None}
                    if a.due.existing:
                        updates.append({"a_id": p.applicant_id, "code": a.due.institution, **values})
                    else:
                        inserts.append({"round_id": p.round_id, "applicant_id": p.applicant_id,
                                        "institution_code": a.due.institution, **values})
                status, next_run = after_round(states)
                ms = (time.perf_counter() - p.started) * 1000
                applicants.append({"a_id": p.applicant_id, "status": status, "next_run_at": next_run,
                                   "finished_at": now if status is OrderStatus.DONE else None,
                                   "elapsed_ms": int(ms)})
                if status is OrderStatus.DONE:
                    rounds_done.add(p.round_id)
                    self.stats.applicants += 1
                    self.stats.applicant_ms.append(ms)
            connection = session.connection()
            if inserts:
                connection.execute(insert(Fetch), inserts)
            if updates:
                fetches = cast(Table, Fetch.__table__)
                columns = [c for c in updates[0] if c not in ("a_id", "code")]
                connection.execute(update(fetches).where(fetches.c.applicant_id == bindparam("a_id"),
                                                         fetches.c.institution_code == bindparam("code"))
                                   .values({c: bindparam(c) for c in columns}), updates)
            if applicants:
                table = cast(Table, Applicant.__table__)
                connection.execute(update(table).where(table.c.id == bindparam("a_id"))
                                   .values(status=bindparam("status"), next_run_at=bindparam("next_run_at"),
                                           finished_at=bindparam("finished_at"), elapsed_ms=bindparam("elapsed_ms"),
                                           lease_owner=None, lease_until=None), applicants)
            for round_id in rounds_done:
                service.finish_if_done(session, round_id, now)

    def _extend_leases(self, ids: list[int]) -> None:
        now = datetime.now(UTC)
        with self.db.session() as session:
            session.execute(update(Applicant).where(Applicant.id.in_(ids), Applicant.lease_owner == self.name)
                            .values(lease_until=lease_end(now, self.host.settings.lease_s)))

    def _leave(self) -> None:
        with self.db.session() as session:
            session.execute(delete(RoundWorker).where(RoundWorker.worker == self.name))

    async def _writer(self) -> None:
        while True:
            first = await self._results.get()
            batch = [first]
            while not self._results.empty():
                batch.append(self._results.get_nowait())
            try:
                await run_in_threadpool(self._record, batch)
            except Exception:  # the leases run out and the applicants are asked again where no answer is final
                log.exception("recording %s applicants' answers failed", len(batch))
            finally:
                for _ in batch:
                    self._results.task_done()

    # --- the loop --------------------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, *, until_idle: bool = False) -> None:
        """Work until ``stop`` is set (or, with ``until_idle``, until nothing is left to claim and nothing is in
        flight), then finish the applicants in flight and record them."""
        writer = asyncio.create_task(self._writer())
        poll = self.host.settings.poll_interval_s
        lease_every = self.host.settings.lease_s / 3
        extended = time.monotonic()
        try:
            while not stop.is_set():
                self._wake.clear()
                # One group (a batch's worth of applicants) at a time, and the next once fewer questions about the
                # last wait to leave than there are places in flight (they leave within one answer's time): the next
                # group's questions are ready when places free up, so the nodes never wait while this worker claims
                # or records, and a group queues behind at most one wave of another's.
                free = min(self.window - len(self._in_flight), self.batch)
                ready = self._unsent < self._places and free >= max(1, min(self.batch, self.window) // 4)
                beat = time.monotonic() - self._beat_at >= HEARTBEAT_S
                claimed: list[Planned] = []
                if beat or ready:
                    try:
                        claimed = await run_in_threadpool(self._claim, free if ready else 0, beat)
                        if beat:
                            self._beat_at = time.monotonic()
                    except Exception:
                        log.exception("claiming applicants failed; trying again")
                for start in range(0, len(claimed), self.batch):
                    group = claimed[start:start + self.batch]
                    task = asyncio.create_task(self._fetch(group, self.plan_group(group)))
                    for p in group:
                        self._in_flight[p.applicant_id] = task
                if time.monotonic() - extended >= lease_every and self._in_flight:
                    extended = time.monotonic()
                    await run_in_threadpool(self._extend_leases, list(self._in_flight))
                if until_idle and not claimed and not self._in_flight and self._results.empty():
                    await self._results.join()
                    if not await run_in_threadpool(self.claimable):
                        break
                    continue
                if claimed and len(self._in_flight) < self.window:
                    continue  # more may be waiting
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=poll)
        finally:
            while self._in_flight:
                await asyncio.gather(*set(self._in_flight.values()), return_exceptions=True)
            await self._results.join()
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
            try:
                await run_in_threadpool(self._leave)
            except Exception:
                log.warning("could not sign out of the rounds", exc_info=True)
            await self.client.aclose()

    def claimable(self) -> bool:
        """Whether any running round of ours has an applicant due now (the claim's own rule, read-only)."""
        return has_due_applicants(self.db, self.code, datetime.now(UTC))


# Built once and run on a plain connection: a host looks with it every few seconds into the database of every
# institution it serves (admissions.local), and building the ORM statement each time cost more than running it.
# The join starts from the running rounds (indexed by status), so a database without a round answers at once.
_DUE_APPLICANT = (
    select(Applicant.id).join(AdmissionRound, AdmissionRound.id == Applicant.round_id)
    .where(AdmissionRound.status == RoundStatus.RUNNING, AdmissionRound.requester == bindparam("code"),
           lifecycle.due_clause(cast(datetime, bindparam("now", type_=UtcDateTime())), Applicant))
    .limit(1))


def has_due_applicants(db: Database, code: str, now: datetime) -> bool:
    """Whether a running round of ``code``'s in ``db`` has an applicant due at ``now`` (one indexed query)."""
    with db.read_engine.connect() as connection:
        return connection.execute(_DUE_APPLICANT, {"code": code, "now": now}).first() is not None
