"""Hostile PDFs for the verifier's limits (tests and ``vitnemal bench verify``), built byte by byte: no PDF
library would write them.

- :func:`cyclic_page_tree`: the ~240-byte file of issue 7 #1, whose ``/Pages`` lists itself in ``/Kids``;
- :func:`flate_bomb`: a small ``/Metadata`` stream that inflates to ``inflated`` bytes of zeros (issue 7 #2);
- :func:`deep_page_tree`: a page tree nested ``depth`` levels deep, each node used once.
"""

from __future__ import annotations

import zlib


def build_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Return a PDF of ``objects`` (object ``i + 1`` is ``objects[i]``) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def cyclic_page_tree() -> bytes:
    """The page tree's root names itself as its only kid: a walk without a visited set never ends."""
    return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])


def deep_page_tree(depth: int) -> bytes:
    """A chain of ``depth`` /Pages nodes, each the only kid of the one before, ending in one page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (level + 3))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 10 10] >>" % (depth + 1))
    return build_pdf(objects)


def deflated_zeros(inflated: int) -> bytes:
    """Return a zlib stream that inflates to ``inflated`` zero bytes, made in chunks (never held inflated)."""
    compressor = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = []
    for start in range(0, inflated, len(chunk)):
        parts.append(compressor.compress(chunk[: min(len(chunk), inflated - start)]))
    parts.append(compressor.flush())
    return b"".join(parts)


def flate_bomb(inflated: int) -> bytes:
    """An unsigned PDF whose ``/Metadata`` stream is ``inflated`` zeros compressed (1,000 times smaller)."""
    data = deflated_zeros(inflated)
    stream = b"<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        stream + data + b"\nendstream",
    ])
