"""The limits on checking one untrusted PDF, and the error that names the one a file exceeded.

Every walk the verifier makes over a file's structure is bounded (:class:`StructureLimits`), every stream it or
pyHanko inflates is capped (:meth:`VerifyLimits.decode_limits`), and the check of an upload runs in a worker
process with a time limit and a memory cap (:mod:`vitnemal.signing.pool`), which stop what the other limits miss.
A file over any limit is answered ``unreadable: <the limit>``; a genuine diploma set is a few hundred kilobytes
of a few pages and stays far below each of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MiB = 2**20


class LimitExceeded(ValueError):
    """A file needs more than a limit allows; ``str(exc)`` says which limit, in words a reader understands."""


@dataclass(frozen=True)
class StructureLimits:
    """Bounds on the walks over a PDF's object graph (the page tree, its annotations)."""

    page_tree_depth: int = 32
    page_tree_nodes: int = 20_000
    annotations: int = 20_000


@dataclass(frozen=True)
class VerifyLimits:
    """Everything a single check may use.

    ``stream_bytes``: what one stream may inflate to; ``inflated_bytes``: what all streams of the file together may
    inflate to (pyHanko counts every decoding); ``time_s`` and ``memory_bytes``: wall time and memory (address space
    above the worker's own) of one check in a worker process.
    """

    stream_bytes: int = 16 * MiB
    inflated_bytes: int = 64 * MiB
    time_s: float = 15.0
    memory_bytes: int = 512 * MiB
    structure: StructureLimits = field(default_factory=StructureLimits)

    def decode_limits(self) -> Any:
        """Return pyHanko's ``DecodeLimits`` for these caps: every stream pyHanko (or our code, through the same
        reader) inflates is bounded by them, whatever its purpose."""
        from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget, StreamDecodeLimits

        per_stream = StreamDecodeLimits(max_ratio=None, max_output_size=self.stream_bytes)
        # The ratio of pyHanko's budget is relative to the file's size: 0 leaves only the absolute allowance.
        budget = DocumentDecodeBudget(base_allowance=self.inflated_bytes, max_ratio=0)
        return DecodeLimits(per_stream=per_stream, document_budget=budget)

    def describe(self, exc: BaseException) -> str:
        """Return the words for the limit ``exc`` reports (see :func:`vitnemal.signing.forensics.is_limit`)."""
        if isinstance(exc, LimitExceeded):
            return str(exc)
        if isinstance(exc, MemoryError):
            return self.memory_message()
        return self.inflate_message()

    def inflate_message(self) -> str:
        return (f"its streams inflate beyond the limits (at most {self.stream_bytes // MiB} MiB per stream, "
                f"{self.inflated_bytes // MiB} MiB in all)")

    def time_message(self) -> str:
        return f"checking it takes longer than the limit of {self.time_s:g} s per file"

    def memory_message(self) -> str:
        return f"checking it needs more memory than the limit of {self.memory_bytes // MiB} MiB per file"


DEFAULT_LIMITS = VerifyLimits()
