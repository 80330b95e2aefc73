"""The diploma set as an unsigned PDF/A-3b: every word comes from the set and :mod:`vitnemal.diplomas.texts`
(:func:`diploma_view`, pure), typst lays it out (``diploma.typ``), and :class:`DiplomaRenderer` keeps one compiler
for any number of documents.

What the PDF holds: the front page, the information page and the transcript ("Grunnlag for vitnemål") with page
numbers "Side N av M" / "Page N of M"; on every page a QR code to ``verify_url`` and the document id; the
transcript signed (a signature line for the case worker) on every page it spans, as the seed asks; the diploma
as ELMO XML embedded as an associated file (``/AFRelationship /Data``, PDF/A-3's way to carry machine-readable
data). Fonts are typst's built-in ones (system fonts are ignored), embedded, so the PDF looks the same everywhere;
the PDF is tagged for accessibility. Signing is separate: ``signer.sign(renderer.render(...))``.

Speed: the compiler is reused (typst caches fonts and layout between documents), the QR code is built as a small
PNG (one pixel per module) with a fixed mask pattern (choosing the "best" of eight masks is what makes QR
generation slow in pure Python, ~8 ms; any mask is a valid code), transcript rows that are surely one line high
are given their height (:mod:`vitnemal.diplomas.rows`: typst then lays each out once instead of measuring it
first), and the PDF's creation date is the issue date, so the same set renders to the same bytes.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Final

from vitnemal.diplomas.diploma_set import DiplomaSet, GradeDistribution, TranscriptLine
from vitnemal.diplomas.texts import LABELS, credits_text

TEMPLATE = Path(__file__).with_name("diploma.typ")
PDF_STANDARD: Final = "a-3b"
ATTACHMENT_NAME: Final = "vitnemal-elmo.xml"
QR_MASK_PATTERN: Final = 2


def _qr_matrix(url: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK_PATTERN)
    code.add_data(url)
    code.make(fit=True)
    return [[bool(dark) for dark in row] for row in code.get_matrix()]


def qr_png(url: str) -> bytes:
    """Return a QR code for ``url`` as a 1-bit PNG, one pixel per module, no quiet zone (~250 bytes).

    The diploma places it with ``scaling: "pixelated"`` (no interpolation, so every module prints as a sharp
    square): typst decodes it once and the PDF holds it once for all pages, where an SVG path was converted
    again on every page (10 of the ~150 million instructions of a set).
    """
    import struct
    import zlib

    matrix = _qr_matrix(url)
    size = len(matrix)
    raw = bytearray()
    for row in matrix:
        raw.append(0)  # filter: none
        padded = [*row, *[False] * (-size % 8)]
        raw.extend(sum((0 if padded[i + b] else 1) << (7 - b) for b in range(8)) for i in range(0, len(padded), 8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1-bit greyscale: 0 black, 1 white
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


def qr_svg(url: str) -> str:
    """Return a QR code for ``url`` as a compact SVG (one path, one unit per module, no quiet zone)."""
    matrix = _qr_matrix(url)
    size = len(matrix)
    path = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                path.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
            f'<path d="{"".join(path)}" fill="#000"/></svg>')


def distribution_text(dist: GradeDistribution | None) -> list[list[str]]:
    """The distribution as [letter, per cent] pairs for the template ([] when hidden)."""
    if dist is None:
        return []
    return [[letter, str(share)] for letter, share in zip("ABCDE", dist.percentages(), strict=True)]


def _row(line: TranscriptLine, diploma: DiplomaSet) -> dict[str, Any]:
    labels = LABELS[diploma.lang]
    notes = []
    if line.thesis_title:
        notes.append(f"{labels['thesis_title']}: {line.thesis_title}")
    if line.recognised and line.institution:
        notes.append(labels["block" if line.block else "taken_at"].format(institution=line.institution))
    return {
        "code": line.code or "",
        "name": line.name,
        "notes": notes,
        "term": line.term_label,
        "credits": credits_text(line.credits, diploma.lang),
        "grade": line.grade,
        "distribution": distribution_text(line.distribution),
    }


def diploma_view(diploma: DiplomaSet, *, document_id: str, verify_url: str) -> dict[str, Any]:
    """Return everything the template prints, as strings; the template only arranges them."""
    labels = LABELS[diploma.lang]
    front, tr = diploma.front, diploma.transcript
    return {
        "lang": diploma.lang,
        "title": diploma.title,
        "labels": labels,
        "issuer": {"name": diploma.issuer.name, "faculty": diploma.issuer.faculty, "code": diploma.issuer.code},
        "front": {
            "title": front.title, "candidate": front.candidate_line, "conferral": front.conferral,
            "degree": front.degree, "award": front.award_line, "programme": front.programme_line or "",
            "specialisation": front.specialisation_line or "", "oath_heading": front.oath_heading or "",
            "oath": front.oath or "", "issued": front.issued_line,
            "signatures": [{"title": s.title, "name": s.name} for s in front.signatures],
        },
        "info": {
            "head": f"{diploma.candidate.name} – {diploma.qualification.name}",
            "sections": [{"heading": s.heading, "paragraphs": list(s.paragraphs)}
                         for s in diploma.information.sections],
        },
        "transcript": {
            "title": tr.title,
            "facts": [list(f) for f in tr.facts],
            "groups": [{"heading": g.heading, "rows": [_row(line, diploma) for line in g.lines]} for g in tr.groups],
            "total": credits_text(tr.total_credits, diploma.lang),
            "remarks": list(tr.remarks),
            "issued": tr.issued_line,
            "signature": {"title": tr.signature.title, "name": tr.signature.name},
            "grading": list(tr.grading_text),
            "note": tr.distribution_note,
            "has_distribution": any(line.distribution is not None for line in tr.lines),
        },
        "verify": {"text": labels["verify"].format(url=verify_url),
                   "document_id": labels["document_id"].format(id=document_id)},
        "attachment": {"name": ATTACHMENT_NAME, "description": labels["elmo"]},
    }


class DiplomaRenderer:
    """Renders diploma sets to PDF/A-3b with one typst compiler, reused for every document.

    Create one per process (or per thread: it is not thread-safe) and call :meth:`render` for each set.

    The set reaches typst as three files in a private directory of the renderer's own (0700, removed with the
    renderer), written anew for every document: ``data.json``, ``qr.png`` and ``elmo.xml`` beside a copy of the
    template. Not as ``sys.inputs``: typst keys every cached layout on them, so new inputs for every document
    made it lay out every page from scratch, while a changed file only invalidates what was made from it (the
    course rows, the information page and the fixed texts of one set are reused for the next).
    """

    def __init__(self, template: Path = TEMPLATE) -> None:
        import shutil
        import tempfile
        import weakref

        import typst

        from vitnemal.diplomas.rows import measure_font

        self._dir = Path(tempfile.mkdtemp(prefix="vitnemal-diploma-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._dir, ignore_errors=True)
        main = self._dir / "diploma.typ"
        shutil.copyfile(template, main)
        self._compiler = typst.Compiler(str(main), root=str(self._dir), ignore_system_fonts=True)
        self._metrics = measure_font()

    def close(self) -> None:
        """Remove the renderer's directory (also done when the renderer is garbage collected)."""
        self._finalizer()

    def render(self, diploma_set: DiplomaSet, document_id: str, verify_url: str, *,
               elmo_xml: bytes | None = None, qr: bytes | None = None) -> bytes:
        """Return the set as PDF bytes (unsigned), with its ELMO XML attached; the ELMO XML and the QR code of
        ``verify_url`` are made here unless given."""
        self._write_inputs(diploma_set, document_id, verify_url, elmo_xml=elmo_xml, qr=qr)
        created = datetime.combine(diploma_set.issued_on, time(12), UTC)
        pdf = self._compiler.compile(format="pdf", pdf_standards=PDF_STANDARD, timestamp=created)
        assert isinstance(pdf, bytes)
        return pdf

    def pages_png(self, diploma_set: DiplomaSet, document_id: str, verify_url: str, *, fixed_rows: bool = True,
                  ppi: float = 72) -> list[bytes]:
        """The set's pages as PNG images; ``fixed_rows=False`` lets typst measure every transcript row (how the
        layout of :mod:`vitnemal.diplomas.rows` is checked: both must give the same pages)."""
        self._write_inputs(diploma_set, document_id, verify_url, fixed_rows=fixed_rows)
        pages = self._compiler.compile(format="png", ppi=ppi)
        return pages if isinstance(pages, list) else [pages] if isinstance(pages, bytes) else []

    def _write_inputs(self, diploma_set: DiplomaSet, document_id: str, verify_url: str, *,
                      elmo_xml: bytes | None = None, qr: bytes | None = None, fixed_rows: bool = True) -> None:
        from vitnemal.diplomas.rows import row_heights
        from vitnemal.interop.elmo import diploma_to_elmo

        view = diploma_view(diploma_set, document_id=document_id, verify_url=verify_url)
        if fixed_rows:
            view["transcript"]["rows"] = row_heights(view["transcript"], view["labels"], self._metrics)
        elmo = elmo_xml if elmo_xml is not None else diploma_to_elmo(diploma_set)
        (self._dir / "data.json").write_text(json.dumps(view, ensure_ascii=False), encoding="utf-8")
        (self._dir / "qr.png").write_bytes(qr if qr is not None else qr_png(verify_url))
        (self._dir / "elmo.xml").write_bytes(elmo)


_local = threading.local()


def render_diploma_set(diploma_set: DiplomaSet, *, document_id: str, verify_url: str) -> bytes:
    """Render with this thread's :class:`DiplomaRenderer` (made on first use); see :meth:`DiplomaRenderer.render`."""
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = DiplomaRenderer()
    pdf: bytes = renderer.render(diploma_set, document_id, verify_url)
    return pdf
