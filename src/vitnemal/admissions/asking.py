"""Asking the nodes about the applicants a worker claimed: one batch question per node and group of applicants
(:mod:`vitnemal.node.batch`), paced per node (:mod:`vitnemal.admissions.pacing`), a "slow down" honoured, and an
applicant a batch answer leaves to be asked alone asked in a single request. The worker
(:class:`~vitnemal.admissions.tasks.AdmissionWorker`) claims and records; this is its part that talks to nodes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vitnemal.admissions.batch import Asking, classify_batch
from vitnemal.admissions.pacing import BREAK_AFTER, NodePacer
from vitnemal.exchange.client import NodeClient
from vitnemal.exchange.outcomes import Outcome, Reply, Verdict, classify
from vitnemal.exchange.states import SLOW_DOWN_ATTEMPTS, OutcomeState
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.batch import BATCH_PATH, BatchItem, BatchRequest
from vitnemal.node.protocol import (
    PATH,
    ConsentClaim,
    Refusal,
    ResultsRequest,
    Subject,
    fetch_day,
    new_request_id,
    sign,
)

BATCH_SECONDS_PER_APPLICANT = 0.1


@dataclass(frozen=True)
class Due:
    institution: str
    attempts: int  # attempts before this one
    existing: bool  # a fetch row exists (a retry): updated, not inserted


@dataclass
class Planned:
    """A claimed applicant: who, on which consent, which institutions to ask now, and the states of the others."""

    applicant_id: int
    round_id: int
    subject: Subject
    claim: ConsentClaim
    due: list[Due]
    others: list[tuple[OutcomeState, datetime | None]]  # institutions not due now (a retry later)
    started: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class Asked:
    due: Due
    verdict: Verdict | None  # None: not asked (the round was paused meanwhile)
    elapsed_ms: int = 0


@dataclass
class WorkerStats:
    applicants: int = 0
    applicant_ms: list[float] = field(default_factory=list)
    requests: int = 0  # messages sent (a batch question is one)
    batched: int = 0  # applicants asked in batch questions (one per applicant and node)
    slowed_down: int = 0
    # Where the wall time went, for the benchmark: seconds with no message at any node (the worker claiming,
    # recording or waiting), and seconds messages waited for a free place among those in flight.
    idle_s: float = 0.0
    queued_s: float = 0.0
    _sending: int = 0
    _idle_since: float | None = None

    def sending(self, change: int) -> None:
        """A message left (+1) or came back (-1)."""
        now = time.perf_counter()
        if self._sending == 0 and change > 0 and self._idle_since is not None:
            self.idle_s += now - self._idle_since
        self._sending += change
        if self._sending == 0:
            self._idle_since = now


def _one_each(pairs: list[tuple[Planned, Due]]) -> list[list[tuple[Planned, Due]]]:
    """The applicants for one node in as few batches as can each name a person once (one person can be in two
    rounds of ours at the same time; a node refuses a batch that asks about someone twice)."""
    batches: list[list[tuple[Planned, Due]]] = []
    names: list[set[str]] = []
    for pair in pairs:
        nid = pair[0].subject.national_id
        n = next((i for i, seen in enumerate(names) if nid not in seen), len(batches))
        if n == len(batches):
            batches.append([])
            names.append(set())
        batches[n].append(pair)
        names[n].add(nid)
    return batches


def _slow_down_s(reply: Reply) -> int | None:
    """The seconds a node's "slow down" (a refusal with Retry-After) asks us to wait, else None."""
    if reply.error is not None or reply.status_code is None or not 400 <= reply.status_code < 500:
        return None
    return Refusal.from_body(reply.status_code, reply.body).retry_after_s



class NodeAsking:
    """The worker's asking of nodes; the worker provides the state below."""

    host: LocalInstitutions
    code: str
    client: NodeClient
    pacers: dict[str, NodePacer]
    stats: WorkerStats
    running_rounds: set[int]
    _share: float
    _in_flight_requests: asyncio.Semaphore
    _wake: asyncio.Event
    # Batch questions of the groups claimed so far that have not left once, and the places for questions in flight:
    # the worker claims its next group when fewer than that wait, so its questions are ready as places free up.
    _unsent: int
    _places: int

    def _left(self) -> None:
        self._unsent -= 1
        if self._unsent == self._places - 1:
            self._wake.set()

    def pacer(self, code: str) -> NodePacer:
        pacer = self.pacers.get(code)
        if pacer is None:
            settings = self.host.settings
            pacer = self.pacers[code] = NodePacer(settings.admission_node_requests_per_minute / 60,
                                                  settings.admission_node_concurrency)
            pacer.set_share(self._share)
        return pacer

    async def _send(self, code: str, node_url: str, round_id: int, make: Callable[[datetime], tuple[str, str, str]],
                    applicants: int = 1, on_leaving: Callable[[], None] | None = None
                    ) -> tuple[Reply, str] | Asked | None:
        """Send one message to ``code`` at its pace: ``make(now)`` signs it afresh each time and gives (token, path,
        request id). A "slow down" (429 with Retry-After) is honoured for the whole node and the message sent
        again; not a failure. The reply and request id; None when the round was paused meanwhile; an unavailable
        Asked (without its Due) while the node's breaker is open. A node has longer to answer about more
        ``applicants``: a tenth of a second more for each after the first. ``on_leaving`` is called when the
        message has its place among those in flight."""
        pacer = self.pacer(code)
        timeout = self.host.settings.node_timeout_s + BATCH_SECONDS_PER_APPLICANT * (applicants - 1)
        sent: tuple[Reply, str] | None = None
        for _ in range(SLOW_DOWN_ATTEMPTS):
            if round_id not in self.running_rounds:
                return None  # paused (or cancelled) meanwhile: left for later
            if not await pacer.acquire():
                return Asked(Due(code, 0, False), Verdict(Outcome.UNAVAILABLE, f"{code} did not answer the last "
                                                          f"{BREAK_AFTER} requests; not asked now", retry=True))
            try:
                waited = time.perf_counter()
                async with self._in_flight_requests:
                    self.stats.queued_s += time.perf_counter() - waited
                    if on_leaving is not None:
                        on_leaving()
                    token, path, request_id = make(datetime.now(UTC))
                    self.stats.sending(1)
                    try:
                        reply = await self.client.send(node_url, token, timeout, path)
                    except Exception as exc:  # a client that fails for one node is that node not answering
                        reply = Reply(None, b"", type(exc).__name__, 0)
                    finally:
                        self.stats.sending(-1)
            finally:
                pacer.release()
            self.stats.requests += 1
            sent = (reply, request_id)
            retry_after = _slow_down_s(reply)
            if retry_after is not None:
                pacer.slow_down(retry_after)
                self.stats.slowed_down += 1
                continue
            pacer.answered(reply.error is not None or reply.status_code is None or reply.status_code >= 500)
            break
        return sent

    def _gone(self, code: str) -> Verdict | None:
        entry = self.host.registry.institutions.get(code)
        if entry is None or entry.withdrawn or not entry.node_url:
            return Verdict(Outcome.UNAVAILABLE, f"{code} is no longer in the federation's registry; it was not asked")
        return None

    async def _ask(self, p: Planned, due: Due) -> Asked:
        """Ask one node about one applicant in a single request (an applicant a batch answer left to be asked
        alone)."""
        gone = self._gone(due.institution)
        if gone is not None:
            return Asked(due, gone)

        fetch_date = fetch_day(datetime.now(UTC))

        def make(now: datetime) -> tuple[str, str, str]:
            nonlocal fetch_date
            fetch_date = fetch_day(now)
            req = ResultsRequest(requester=self.code, node=due.institution, request_id=new_request_id(),
                                 issued_at=int(now.timestamp()), fetch_date=fetch_day(now).isoformat(),
                                 subject=p.subject, consent=p.claim)
            return sign(req.payload(), self.code, self.host.key(self.code)), PATH, req.request_id

        sent = await self._send(due.institution, self.host.registry.get(due.institution).node_url, p.round_id, make)
        if sent is None or isinstance(sent, Asked):
            return Asked(due, None if sent is None else sent.verdict)
        reply, request_id = sent
        verdict = classify(reply, node=due.institution, requester=self.code, request_id=request_id,
                           subject_ids=p.subject.all_ids(), registry=self.host.registry, fetch_date=fetch_date)
        return Asked(due, verdict, reply.elapsed_ms)

    async def _ask_batch(self, code: str, pairs: list[tuple[Planned, Due]]) -> list[Asked]:
        """Ask one node about these applicants in one batch question (:mod:`vitnemal.node.batch`), each on their
        own consent; an applicant the node leaves to be asked alone is asked in a single request. Counted in
        ``_unsent`` (by :meth:`plan_group`) until it leaves, or until it is clear it will not."""
        left = False

        def leaving() -> None:
            nonlocal left
            if not left:
                left = True
                self._left()

        try:
            return await self._ask_batch_counted(code, pairs, leaving)
        finally:
            leaving()  # not asked (gone, paused, breaker open) or failed: not waiting to leave either

    async def _ask_batch_counted(self, code: str, pairs: list[tuple[Planned, Due]],
                                 leaving: Callable[[], None]) -> list[Asked]:
        gone = self._gone(code)
        if gone is not None:
            return [Asked(due, gone) for _, due in pairs]
        items: list[BatchItem] = []
        fetch_date = fetch_day(datetime.now(UTC))

        def make(now: datetime) -> tuple[str, str, str]:
            nonlocal fetch_date, items
            fetch_date = fetch_day(now)
            # Signed afresh each time, with new ids: the batch's, and each item's made from it (unique as the
            # batch's is, and without a random draw per applicant).
            batch_id = new_request_id()
            items = [BatchItem(f"{batch_id}-{n}", p.subject, p.claim) for n, (p, _) in enumerate(pairs)]
            batch = BatchRequest(requester=self.code, node=code, request_id=batch_id,
                                 issued_at=int(now.timestamp()), fetch_date=fetch_date.isoformat(), items=tuple(items))
            return sign(batch.payload(), self.code, self.host.key(self.code)), BATCH_PATH, batch.request_id

        sent = await self._send(code, self.host.registry.get(code).node_url, pairs[0][0].round_id, make, len(pairs),
                                leaving)
        if sent is None or isinstance(sent, Asked):
            return [Asked(due, None if sent is None else sent.verdict) for _, due in pairs]
        reply, request_id = sent
        self.stats.batched += len(pairs)
        verdicts = classify_batch(reply, node=code, requester=self.code, request_id=request_id,
                                  items=[Asking(i.item_id, p.subject.all_ids()) for i, (p, _) in zip(items, pairs,
                                                                                                      strict=True)],
                                  registry=self.host.registry, fetch_date=fetch_date)
        alone = [n for n, v in enumerate(verdicts) if v is None]
        again = await asyncio.gather(*(self._ask(*pairs[n]) for n in alone))
        asked = [Asked(due, v, reply.elapsed_ms) for (_, due), v in zip(pairs, verdicts, strict=True)]
        for n, a in zip(alone, again, strict=True):
            asked[n] = a
        return asked

    def plan_group(self, group: list[Planned]) -> list[tuple[str, list[tuple[Planned, Due]]]]:
        """The batch questions that ask about ``group``: one to each node due for any of them (a person in two of
        our rounds goes in separate batches); each is counted in ``_unsent`` until it leaves."""
        by_node: dict[str, list[tuple[Planned, Due]]] = {}
        for p in group:
            for due in p.due:
                by_node.setdefault(due.institution, []).append((p, due))
        batches = [(code, part) for code, pairs in by_node.items() for part in _one_each(pairs)]
        self._unsent += len(batches)
        return batches

    async def ask_group(self, group: list[Planned], batches: list[tuple[str, list[tuple[Planned, Due]]]]
                        ) -> dict[int, list[Asked]]:
        """Every due institution's answer about each applicant of ``group``, by applicant id, asked in
        ``batches`` (from :meth:`plan_group`)."""
        answered = await asyncio.gather(*(self._ask_batch(code, part) for code, part in batches))
        per: dict[int, list[Asked]] = {p.applicant_id: [] for p in group}
        for (_, pairs), asked in zip(batches, answered, strict=True):
            for (p, _), a in zip(pairs, asked, strict=True):
                per[p.applicant_id].append(a)
        return per
