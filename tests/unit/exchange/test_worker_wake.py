"""The exchange worker looks where it is told: a wake naming the institution whose case worker just placed an
order looks in that institution's database only, not in every database the host serves (issue 13's case-page
figure: a look at 51 databases came before each order was started); a wake without a name, and the poll, look
everywhere."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from vitnemal.exchange.worker import Worker

CODES = [str(code) for code in range(185, 236)]  # 51 served institutions, as in the benchmark


class Recording(Worker):
    """Claims nothing and records which institutions each look visited."""

    def __init__(self) -> None:
        host = SimpleNamespace(codes=CODES, settings=SimpleNamespace(poll_interval_s=3600.0, lease_s=30.0))
        super().__init__(host, client=SimpleNamespace(aclose=self._aclose))  # type: ignore[arg-type]
        self.looks: list[list[str]] = []
        self.looked = asyncio.Event()

    async def _aclose(self) -> None:
        return None

    def _claim(self, code: str, limit: int) -> list[int]:
        self.looks[-1].append(code)
        return []

    async def run_once(self, codes: list[str] | None = None) -> int:
        self.looks.append([])
        started = await super().run_once(codes)
        self.looked.set()
        return started


async def _scenario() -> list[list[str]]:
    worker, stop = Recording(), asyncio.Event()
    running = asyncio.create_task(worker.run(stop))

    async def look_after(wake: object) -> None:
        await worker.looked.wait()
        worker.looked.clear()
        if callable(wake):
            wake()

    await look_after(lambda: worker.wake("216"))  # the first look, at start, is everywhere
    await look_after(lambda: worker.wake())
    await look_after(None)
    stop.set()
    await running
    return worker.looks


def test_a_wake_naming_an_institution_looks_there_only() -> None:
    looks = asyncio.run(_scenario())
    assert looks[0] == CODES  # starting: every database
    assert looks[1] == ["216"]  # woken for 216's order: 216 only
    assert looks[2] == CODES  # woken without a name: every database again
