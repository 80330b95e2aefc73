"""A lean HTTP/1.1 load client for the benchmarks: many GETs of one path over kept-alive connections.

httpx spends about 5 ms of CPU per request in its own code; at the 1,000 views per second the portal's goal asks
for, that alone is five cores, on a machine whose two cores also run the servers. This client writes the request
bytes once and reads each answer by its Content-Length on uvloop's streams (well under 0.5 ms of CPU per request),
so what the benchmark measures is the servers. It is a real client all the same: real sockets, the whole answer
read, every status checked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_HEADER = 64 * 1024


@dataclass
class LoadResult:
    timings: list[float] = field(default_factory=list)  # seconds of each answered 200
    failed: int = 0
    wall_s: float = 0.0


def _request(url: str, path: str, headers: Sequence[tuple[str, str]]) -> bytes:
    host = urlsplit(url).netloc
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1")


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one answer whole; (status, whether the server keeps the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > MAX_HEADER:
        raise ValueError("answer headers too long")
    status_line, _, rest = head.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length = None
    keep = True
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
        elif name == b"transfer-encoding":
            raise ValueError("chunked answers are not read by this client")
    if length is None:
        raise ValueError("an answer without Content-Length")
    await reader.readexactly(length)
    return status, keep


async def _client(url: str, request: bytes, queue: Iterator[int], result: LoadResult, timeout_s: float) -> None:
    split = urlsplit(url)
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    for _ in queue:
        begun = time.perf_counter()
        try:
            if streams is None:
                streams = await asyncio.open_connection(split.hostname, split.port)
            reader, writer = streams
            writer.write(request)
            status, keep = await asyncio.wait_for(_answer(reader), timeout_s)
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            result.failed += 1
            if streams is not None:
                streams[1].close()
            streams = None
            continue
        if status == 200:
            result.timings.append(time.perf_counter() - begun)
        else:
            result.failed += 1
        if not keep:
            writer.close()
            streams = None
    if streams is not None:
        streams[1].close()


async def _load(urls: Sequence[str], path: str, headers: Sequence[tuple[str, str]], total: int, clients: int,
                timeout_s: float) -> LoadResult:
    result = LoadResult()
    queue = iter(range(total))
    requests = [_request(url, path, headers) for url in urls]
    begun = time.perf_counter()
    # Client i talks to server i mod n, as a balancer spreading connections over the processes would.
    await asyncio.gather(*(_client(urls[i % len(urls)], requests[i % len(urls)], queue, result, timeout_s)
                           for i in range(clients)))
    result.wall_s = time.perf_counter() - begun
    return result


def get_many(urls: Sequence[str], path: str, *, headers: Sequence[tuple[str, str]] = (), total: int,
             clients: int, timeout_s: float = 120.0) -> LoadResult:
    """``total`` GETs of ``path``, ``clients`` at a time (each on its own kept-alive connection)."""
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_load(urls, path, headers, total, clients, timeout_s))
