"""Workers on one round: several share it (every applicant asked once at every node), a worker that dies loses
nothing (another takes its applicants over when the lease runs out and asks only what has no answer), and a
node's "slow down" (429 with Retry-After) is honoured and not counted as a failed attempt."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from tests.functional.admissions.conftest import SO, SOURCES, people

from vitnemal.admissions import standing
from vitnemal.admissions.models import Applicant, Fetch, RoundStatus
from vitnemal.admissions.tasks import AdmissionWorker
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.exchange.outcomes import Reply
from vitnemal.node.protocol import PATH, Refusal


def start(live, ids: list[str]) -> int:
    for n in ids:
        live.consent(n)
    return live.start("fnr\n" + "".join(f"{n}\n" for n in ids)).round_id


def test_several_workers_share_one_round_and_ask_each_node_once_per_applicant(admission) -> None:
    ids = people(30)
    live = admission(ids)
    round_id = start(live, ids)
    workers = live.work(workers=3, admission_window=4)
    assert sum(w.stats.applicants for w in workers) == 30  # every applicant finished exactly once
    assert sum(1 for w in workers if w.stats.applicants) >= 2  # and the round really was shared
    for code in SOURCES:
        assert live.disclosures(code) == 30
    with live.fed.db(SO).read_session() as s:
        progress = standing.round_progress(s, round_id, datetime.now(UTC))
    assert (progress.status, progress.complete) == (RoundStatus.DONE, 30)


def test_a_worker_that_dies_loses_nothing(admission) -> None:
    ids = people(6)
    live = admission(ids)
    round_id = start(live, ids)
    host = live.host()

    async def first_worker_dies_after_one_applicant() -> None:
        dying = AdmissionWorker(host, SO, name="dies")
        claimed = await asyncio.to_thread(dying._claim, 10, True)
        assert len(claimed) == 6
        await dying._fetch([claimed[0]])  # one applicant asked and recorded ...
        await asyncio.to_thread(dying._record, [dying._results.get_nowait()])
        await dying.client.aclose()  # ... and then the process is gone, holding the other five

    asyncio.run(first_worker_dies_after_one_applicant())
    host.close()
    assert live.work()[0].stats.applicants == 0  # their leases still run: nobody may take them yet
    with live.fed.db(SO).session() as s:  # the lease runs out (the clock moves on)
        s.execute(update(Applicant).where(Applicant.lease_owner == "dies")
                  .values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert live.work()[0].stats.applicants == 5
    for code in SOURCES:  # the first applicant was not asked again, the five were asked once
        assert live.disclosures(code) == 6 and live.disclosures(code, ids[0]) == 1
    with live.fed.db(SO).read_session() as s:
        assert standing.round_progress(s, round_id, datetime.now(UTC)).complete == 6


class SlowDownOnce(HttpNodeClient):
    """A real client, except that 216's first answer is a 429 with Retry-After (as a node over its limit says)."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    async def send(self, node_url: str, token: str, timeout_s: float, path: str = PATH) -> Reply:
        if node_url.endswith("/216") and not self.refused:
            self.refused += 1
            refusal = Refusal(429, "rate_limited", "slow down", retry_after_s=1)
            return Reply(429, refusal.body(), None, 1)
        return await super().send(node_url, token, timeout_s, path)


def test_a_slow_down_is_honoured_and_is_not_a_failed_attempt(admission) -> None:
    ids = people(2)
    live = admission(ids)
    round_id = start(live, ids)
    [worker] = live.work(client=SlowDownOnce)
    assert worker.stats.slowed_down == 1 and worker.pacers["216"].slowed_down == 1
    assert worker.pacers["216"].rate < worker.pacers["216"].target  # slower after it, recovering with answers
    with live.fed.db(SO).read_session() as s:
        fetches = s.execute(select(Fetch.outcome, Fetch.attempts).where(Fetch.round_id == round_id,
                                                                        Fetch.institution_code == "216")).all()
    assert sorted(tuple(f) for f in fetches) == [("imported", 1), ("imported", 1)]
    assert live.disclosures("216") == 2
