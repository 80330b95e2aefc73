"""Signing updates the document's metadata as pyHanko does, by editing typst's XMP packet in place: the XMP and the
Info dictionary name the same modification date and pyHanko as producer, and every other XMP value (the PDF/A
identification, title, history, extension schemas) is as typst wrote it."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils.metadata import model
from pyhanko.pdf_utils.reader import PdfFileReader

from vitnemal.signing.pdf import KeyFileSigner, edit_xmp

MODIFIED = model.XMP_MODDATE
PRODUCER = model.PDF_PRODUCER


def _xmp(pdf: bytes) -> tuple[dict[Any, Any], bytes, Any]:
    reader = PdfFileReader(BytesIO(pdf))
    stream = reader.root["/Metadata"]
    return {k: v for root in stream.xmp for k, v in root}, stream.data, reader.trailer["/Info"]


def test_the_signed_xmp_is_typsts_with_the_modification_date_and_producer(signer: KeyFileSigner,
                                                                         sample_pdf: bytes) -> None:
    before, _, _ = _xmp(sample_pdf)
    after, packet, info = _xmp(signer.sign(sample_pdf))
    assert b'x:xmptk="xmp-writer"' in packet  # typst's packet, edited, not pyHanko's serialisation of it
    assert after[PRODUCER].value == model.VENDOR == str(info["/Producer"])
    modified = datetime.fromisoformat(after[MODIFIED].value)
    assert datetime.fromisoformat(before[MODIFIED].value) <= modified <= datetime.now(UTC)
    assert modified.strftime("D:%Y%m%d%H%M%S") == str(info["/ModDate"])[:16]
    assert {k: v for k, v in after.items() if k not in (MODIFIED, PRODUCER)} == \
        {k: v for k, v in before.items() if k not in (MODIFIED, PRODUCER)}
    assert "http://www.aiim.org/pdfa/ns/id/" in {k.ns for k in after}  # still PDF/A-identified


def test_a_packet_of_another_shape_is_left_to_pyhanko() -> None:
    typst_like = ('<x:xmpmeta><rdf:RDF><rdf:Description xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
                  "<xmp:ModifyDate>2020-01-01T00:00:00+00:00</xmp:ModifyDate></rdf:Description></rdf:RDF></x:xmpmeta>")
    assert edit_xmp(typst_like, "2026-01-01T00:00:00+00:00", "A & B") == typst_like.replace(
        "2020-01-01T00:00:00+00:00</xmp:ModifyDate>",
        "2026-01-01T00:00:00+00:00</xmp:ModifyDate><pdf:Producer>A &amp; B</pdf:Producer>")
    as_attributes = typst_like.replace("<xmp:ModifyDate>2020-01-01T00:00:00+00:00</xmp:ModifyDate>", "").replace(
        "1.3/\"", '1.3/" xmp:ModifyDate="2020-01-01T00:00:00+00:00"')
    assert edit_xmp(as_attributes, "2026-01-01T00:00:00+00:00", "P") is None
    two_descriptions = typst_like.replace("</rdf:RDF>", "<rdf:Description/></rdf:RDF>")
    assert edit_xmp(two_descriptions, "2026-01-01T00:00:00+00:00", "P") is None
