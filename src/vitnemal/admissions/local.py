"""The local-admission rounds of the institutions a host serves, worked without a command per institution.

An institution's local admission (Søknadsweb) starts rounds with itself as the requester. A host serving many
institutions would need an :class:`~vitnemal.admissions.tasks.AdmissionWorker` for each, polling each database,
although few ever have a round. So one supervisor looks every few poll intervals for institutions with work due
(the worker's own rule, read-only) and runs a worker for each of those until nothing is left to claim; a round
started meanwhile, from a page or the CLI, is found at the next look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from anyio.to_thread import run_sync as run_in_thread  # the pool FastAPI's run_in_threadpool uses

from vitnemal.admissions.tasks import AdmissionWorker, has_due_applicants
from vitnemal.institutions.host import LocalInstitutions

log = logging.getLogger("vitnemal.admissions")
LOOK_EVERY_POLLS = 5  # a look at every institution's rounds every five poll intervals (5 s by default)


class LocalAdmissions:
    """Runs an AdmissionWorker for each of ``codes`` (institutions served here) while it has applicants due."""

    def __init__(self, host: LocalInstitutions, codes: list[str]) -> None:
        self.host = host
        self.codes = codes
        self.working: dict[str, asyncio.Task[None]] = {}

    def _due(self, idle: list[str]) -> list[str]:
        due, now = [], datetime.now(UTC)
        for code in idle:
            try:
                if has_due_applicants(self.host.db(code), code, now):
                    due.append(code)
            except Exception:  # one institution's database failing must not stop the others' rounds
                log.warning("could not look for %s's admission rounds", code, exc_info=True)
        return due

    async def run(self, stop: asyncio.Event) -> None:
        every = self.host.settings.poll_interval_s * LOOK_EVERY_POLLS
        try:
            while not stop.is_set():
                self.working = {c: t for c, t in self.working.items() if not t.done()}
                idle = [c for c in self.codes if c not in self.working]
                for code in await run_in_thread(self._due, idle):
                    self.working[code] = asyncio.create_task(AdmissionWorker(self.host, code).run(stop,
                                                                                                   until_idle=True))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=every)
        finally:
            await asyncio.gather(*self.working.values(), return_exceptions=True)
