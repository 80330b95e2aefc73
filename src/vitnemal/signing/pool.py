"""Checking untrusted PDFs in worker processes, each check with a time limit and a memory cap.

A hostile file can make a parser loop, recurse or allocate without end in places no bounded walk of ours reaches
(pyHanko's own code). So the server and the CLI never check an upload in their own process: :class:`CheckPool`
sends it to a worker process and waits at most :attr:`VerifyLimits.time_s`; a worker that overruns is killed and
replaced on next use. Each worker caps its own address space (``RLIMIT_AS``) at what it needs after start-up plus
:attr:`VerifyLimits.memory_bytes`, so an allocation beyond the cap fails inside that worker (a ``MemoryError``, or
the worker dies) and never reaches the server. Either way the file is answered ``unreadable: <the limit>``.

The pool admits at most ``workers + max_waiting`` checks at once and refuses more with :class:`PoolBusy` at once
(the API answers 503), so a flood of uploads holds neither memory nor threads. :meth:`CheckPool.check_async` waits
in the pool's own threads, never in the event loop or in the thread pool the web framework shares with its routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from vitnemal.signing.limits import DEFAULT_LIMITS, VerifyLimits
from vitnemal.signing.verify import DocumentCheck, check_pdf, over_limit

# A worker is replaced after this many checks, so that what one hostile file fragmented is given back.
JOBS_PER_WORKER = 500
# Starting a worker imports pyHanko (about a second, more on a loaded machine); it is not counted in a check's time.
START_TIMEOUT_S = 120.0
# The smallest file a worker checks at start, so that every lazy import is done before its memory is capped.
_WARM_UP = b"%PDF-1.7\n%%EOF\n"


class PoolBusy(RuntimeError):
    """More checks are under way and waiting than the pool admits; try again in a few seconds."""


def _vm_size() -> int | None:
    """Return this process's address space in bytes (Linux), or None where it cannot be read."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cap_memory(allowance: int) -> None:
    """Cap this process's address space at its present size plus ``allowance`` (where the platform allows)."""
    import resource

    size = _vm_size()
    if size is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + allowance
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _serve(conn: Connection, limits: VerifyLimits) -> None:
    """A worker's life: warm up, cap memory, then check one file per message until told to stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    check_pdf(_WARM_UP, [], limits)
    _cap_memory(limits.memory_bytes)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if job is None:
            return
        pdf, roots = job
        try:
            answer: tuple[str, Any] = ("ok", check_pdf(pdf, [Path(r) for r in roots], limits))
        except MemoryError:
            answer = ("limit", limits.memory_message())
        except Exception as exc:  # a defect of ours; the parent reports it for this file only
            answer = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(answer)


@dataclass
class _Slot:
    """One place in the pool: its worker when one is running, and how many checks that worker has done."""

    process: BaseProcess | None = None
    conn: Connection | None = None
    jobs: int = 0

    def stop(self, kill: bool) -> None:
        if self.process is None:
            return
        if not kill and self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.process, self.conn, self.jobs = None, None, 0


class CheckPool:
    """``with CheckPool(2) as pool: pool.check(pdf, roots)`` — :func:`check_pdf` in ``workers`` worker processes.

    Workers start on first use, not when the pool is made (an app that never verifies starts none). ``start_method``
    is ``"spawn"`` for a server (its threads must not be forked); a single-threaded CLI may use ``"fork"``.
    """

    def __init__(
        self,
        workers: int = 2,
        limits: VerifyLimits = DEFAULT_LIMITS,
        *,
        max_waiting: int | None = None,
        start_method: str = "spawn",
    ) -> None:
        self.limits = limits
        self.workers = workers
        self.capacity = workers + (4 * workers if max_waiting is None else max_waiting)
        self._context: Any = multiprocessing.get_context(start_method)  # typeshed: BaseContext lacks Process
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._slots = [_Slot() for _ in range(workers)]
        for slot in self._slots:
            self._idle.put(slot)
        self._admitted = threading.BoundedSemaphore(self.capacity)
        self._threads = ThreadPoolExecutor(self.capacity, thread_name_prefix="vitnemal-check")
        self._closed = False

    def __enter__(self) -> CheckPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, pdf: bytes, trust_roots: Sequence[Path] = ()) -> DocumentCheck:
        """Return the check of ``pdf`` against the CA certificates in ``trust_roots`` (PEM files), made in a worker.

        Blocks until a worker is free. Raises :class:`PoolBusy` when the pool admits no more checks.
        """
        self._admit()
        try:
            return self._check_admitted(pdf, trust_roots)
        finally:
            self._admitted.release()

    async def check_async(self, pdf: bytes, trust_roots: Sequence[Path] = ()) -> DocumentCheck:
        """:meth:`check` for async code: admits at once (or raises :class:`PoolBusy`), then waits in the pool's own
        threads, so neither the event loop nor the framework's thread pool is held."""
        self._admit()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._threads, self._check_admitted, pdf, trust_roots)
        finally:
            self._admitted.release()

    def close(self) -> None:
        """Stop every worker (a check under way then answers as its worker dies) and the pool's threads."""
        self._closed = True
        for slot in self._slots:
            slot.stop(kill=True)
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _admit(self) -> None:
        if self._closed:
            raise PoolBusy("the verifier is shutting down")
        if not self._admitted.acquire(blocking=False):
            raise PoolBusy(f"the verifier is checking {self.capacity} files already; try again in a few seconds")

    def _check_admitted(self, pdf: bytes, trust_roots: Sequence[Path]) -> DocumentCheck:
        slot = self._idle.get()
        try:
            return self._run(slot, pdf, [str(Path(root).resolve()) for root in trust_roots])
        finally:
            self._idle.put(slot)

    def _start(self, slot: _Slot) -> None:
        if self._context.get_start_method() == "fork":
            check_pdf(_WARM_UP, [], self.limits)  # imported here once, every forked worker starts warm
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self.limits), daemon=True,
                                        name="vitnemal-check-worker")
        process.start()
        child.close()
        if not parent.poll(START_TIMEOUT_S) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError(f"a verification worker did not start within {START_TIMEOUT_S:g} s")
        slot.process, slot.conn, slot.jobs = process, parent, 0

    def _run(self, slot: _Slot, pdf: bytes, roots: list[str]) -> DocumentCheck:
        if slot.process is None or not slot.process.is_alive() or slot.jobs >= JOBS_PER_WORKER:
            slot.stop(kill=slot.process is None or not slot.process.is_alive())
            self._start(slot)
        assert slot.conn is not None
        slot.jobs += 1
        try:
            slot.conn.send((pdf, roots))
            if not slot.conn.poll(self.limits.time_s):
                slot.stop(kill=True)
                return over_limit(pdf, self.limits.time_message())
            kind, value = slot.conn.recv()
        except (EOFError, OSError):  # the worker died: killed by the kernel at its memory cap, or crashed there
            slot.stop(kill=True)
            return over_limit(pdf, self.limits.memory_message())
        if kind == "ok":
            checked: DocumentCheck = value
            return checked
        slot.stop(kill=True)  # after a MemoryError or a defect, a fresh worker is the safe one
        if kind == "limit":
            return over_limit(pdf, str(value))
        return over_limit(pdf, f"the verifier could not read it ({value})")
