"""Rendering a diploma set: the text read back from the PDF for every rule, page numbers, the QR/verify line on
every page, the embedded ELMO XML, PDF/A-3b with embedded fonts and tags."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from tests.poppler import poppler_tool
from tests.unit.diplomas.diploma_examples import HISF, MASTER_RESULTS, bachelor_set, master_inputs, master_set, r

from vitnemal.diplomas.diploma_set import DiplomaSet
from vitnemal.diplomas.render import ATTACHMENT_NAME, DiplomaRenderer, qr_svg, render_diploma_set
from vitnemal.diplomas.rules import compose_diploma_set
from vitnemal.interop.elmo import diploma_to_elmo, validate_elmo

DOC_ID = "3f2b8c1e-5d4a-4e6b-9a7c-1b2d3e4f5a6b"
URL = f"https://vitnemal.example/verify/{DOC_ID}"


@pytest.fixture(scope="module")
def renderer() -> DiplomaRenderer:
    return DiplomaRenderer()


def pages(pdf: bytes, tmp_path: Path, name: str = "d") -> list[str]:
    """The PDF's text per page (pdftotext -layout), each page on one line with single spaces."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([poppler_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True)
    return [" ".join(p.split()) for p in out.stdout.decode("utf-8").split("\f") if p.strip()]


def render(renderer: DiplomaRenderer, diploma: DiplomaSet) -> bytes:
    return renderer.render(diploma, DOC_ID, URL)


def embedded_files(pdf: bytes) -> dict[str, tuple[bytes, dict[str, str]]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    out = {}
    for i in range(0, len(names), 2):
        spec = names[i + 1].get_object()
        out[str(names[i])] = (spec["/EF"]["/F"].get_object().data,
                              {k: str(spec[k]) for k in ("/AFRelationship", "/Desc") if k in spec})
    return out


def test_bokmal_diploma_reads_back(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    text = pages(render(renderer, master_set("nb")), tmp_path)
    assert len(text) == 3
    front, info, transcript = text
    for words in ("Universitetet i Oslo", "Det matematisk-naturvitenskapelige fakultet", "Vitnemål",
                  "Kari Nordmann, født 1. mars 1995,", "er tildelt graden", "Master i informatikk",
                  "Dato for tildeling av grad: 18. desember 2025", "Studieprogram: Masterprogram i informatikk",
                  "Studieretning: Programmering og systemarkitektur", "Dato for utstedelse: 2. februar 2026",
                  "Dekan Dekanesen", "dekan", "fakultetsdirektør"):
        assert words in front, words
    for words in ("Generell informasjon om graden", "av 16.12.2005",
                  "Normert studietid for graden er 2 år og den har et omfang av 120 studiepoeng.",
                  "inngår i andre syklus i Nasjonalt kvalifikasjonsrammeverk",
                  "Studieprogrammets målsetting, innhold og organisering", "Kandidatens læringsutbytte"):
        assert words in info, words
    for words in ("Grunnlag for vitnemål", "Fødselsnummer 010395 12374", "Grad Master i informatikk",
                  "Karakterfordeling Emnekode Emnenavn Termin Studiepoeng Karakter A B C D E",
                  "Obligatoriske emner INF4020 Emne INF4020 2024 Vår 10 A INF4010 Emne INF4010 2024 Høst 10 B",
                  "DAT200 Algoritmar og datastrukturar 2021 Vår 10 Innpasset Tatt ved " + HISF,
                  "Innpassede emner fra andre institusjoner Fordypning i programvareutvikling 20 Innpasset",
                  "Masteroppgave INF5930 Emne INF5930 2025 Høst 30 B Tittel: Maskinlæring for tidlig varsling",
                  "Sum studiepoeng 100", "Merknader INF4120 Emne INF4120: 5 av 10 studiepoeng inngår i graden.",
                  "Saks Behandlersen saksbehandler", "Karakterskala:", "Studiepoeng: Et fullført studieår",
                  "Karakterfordelingen viser"):
        assert words in transcript, words
    # the shares as per cents under the letters of the heading, in the course's row
    assert re.search(r"INF4010 Emne INF4010 2024 Høst 10 B 11 ?% 31 ?% 35 ?% 15 ?% 8 ?%", transcript)
    assert "INF4030" not in transcript and "INF4140" not in transcript  # failed / not counted
    # the transcript's order: exams none here, structure, recognised, thesis
    assert transcript.index("Obligatoriske emner") < transcript.index("Valgfrie emner") < transcript.index(
        "Innpassede emner") < transcript.index("Masteroppgave")


def test_page_numbers_and_verify_line_on_every_page(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    text = pages(render(renderer, master_set("nb")), tmp_path)
    for n, page in enumerate(text, 1):
        assert f"Side {n} av {len(text)}" in page
        assert f"Kontroller dokumentet: {URL}" in page and f"Dokument-ID: {DOC_ID}" in page


def test_nynorsk_fixed_texts(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    text = " ".join(pages(render(renderer, master_set("nn")), tmp_path))
    for words in ("Kari Nordmann, fødd 1. mars 1995,", "er tildelt grada", "Det matematisk-naturvitskaplege fakultetet",
                  "Dato for utferding: 2. februar 2026", "Målsetting, innhald og organisering av studieprogrammet",
                  "Kandidaten sitt læringsutbytte", "er tildelt i følgje «forskrift om grader",
                  "den har eit omfang av 120 studiepoeng. Eit fullført studieår", "er ein kvalifikasjon",
                  "Emnenamn", "2024 Haust", "Innpassa", "Teke ved " + HISF, "Innpassa emne frå andre institusjonar",
                  "Masteroppgåve", "sakshandsamar", "Side 1 av 3", "Side 3 av 3", "Karakterfordelinga viser"):
        assert words in text, words


def test_english_fixed_texts(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    numbered = pages(render(renderer, master_set("en")), tmp_path)
    text = " ".join(numbered)
    # English labels are longer, so the grading scale's last lines may run onto a fourth page
    assert len(numbered) in (3, 4) and f"Page {len(numbered)} of {len(numbered)}" in numbered[-1]
    for words in ("Diploma", "University of Oslo", "Faculty of Mathematics and Natural Sciences",
                  "Kari Nordmann, born 1 March 1995,", "has been awarded the degree",
                  "Master of Science in Informatics",
                  "Date of award: 18 December 2025", "Programme of study: Master's programme in informatics",
                  "Date of issue: 2 February 2026", "Dean", "Faculty Director",
                  "General information about the degree", "is awarded in accordance with «forskrift",
                  "The nominal length of study for the degree is 2 years and it comprises 120 ECTS credits.",
                  "Objectives, content and organisation of the programme of study",
                  "The candidate’s learning outcomes", "Transcript of Records",
                  "Grade distribution Course code Course title Term ECTS credits Grade A B C D E", "2024 Autumn",
                  "Recognized",
                  "Taken at " + HISF, "Courses recognized from other institutions", "Master's thesis",
                  "Faculty Officer", "Page 1 of ", "Verify this document:", "Grading scale:"):
        assert words in text, words


def test_non_degree_and_bachelor_variants(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    from tests.unit.diplomas.diploma_examples import non_degree_set

    other = " ".join(pages(render(renderer, non_degree_set()), tmp_path, "other"))
    assert "Generell informasjon om graden" not in other
    assert "Informasjon om studieprogrammet Årsstudiet gir en innføring i informatikk." in other
    assert "har fullført" in other and "Dato for fullføring" in other
    bachelor = " ".join(pages(render(renderer, bachelor_set()), tmp_path, "ba"))
    assert re.search(r"Examen philosophicum og examen facultatum EXPHIL03 .* EXFAC03-MN .* Obligatoriske emner "
                     r"INF1000", bachelor)
    assert "Studieprogram:" not in bachelor  # not admitted to a programme


def test_a_long_transcript_is_numbered_and_signed_on_every_page(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    many = tuple(r(f"FAG{n:04d}", 2015 + n // 10, ("VÅR", "HØST")[n % 2], "C", 1) for n in range(70))
    diploma = compose_diploma_set(master_inputs(results=MASTER_RESULTS + many))
    text = pages(render(renderer, diploma), tmp_path, "long")
    assert len(text) >= 4
    for n, page in enumerate(text, 1):
        assert f"Side {n} av {len(text)}" in page
    transcript_pages = [p for p in text if "FAG00" in p or "Sum studiepoeng" in p]
    assert len(transcript_pages) >= 2
    for page in transcript_pages:
        assert "saksbehandler" in page  # every page of the transcript is signed
    assert "saksbehandler" not in text[0] and "saksbehandler" not in text[1]
    # oldest term first: FAG0000 (2015 Vår) before FAG0069 (2021 Høst)
    joined = " ".join(text)
    assert joined.index("FAG0000") < joined.index("FAG0069")


def test_the_elmo_xml_is_embedded_and_valid(renderer: DiplomaRenderer) -> None:
    diploma = master_set("nb")
    pdf = render(renderer, diploma)
    files = embedded_files(pdf)
    assert list(files) == [ATTACHMENT_NAME]
    data, info = files[ATTACHMENT_NAME]
    assert info["/AFRelationship"] == "/Data"
    assert data == diploma_to_elmo(diploma)
    validate_elmo(data)
    assert b"<resultLabel>Innpasset</resultLabel>" in data


def test_pdfa_3b_fonts_embedded_and_tagged(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    pdf = render(renderer, master_set("en"))
    assert b"<pdfaid:part>3</pdfaid:part>" in pdf and b"<pdfaid:conformance>B</pdfaid:conformance>" in pdf
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run([poppler_tool("pdffonts"), str(path)], capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("yes" in row[-5:-2] for row in rows), fonts  # the "emb" column
    info = subprocess.run([poppler_tool("pdfinfo"), str(path)], capture_output=True, check=False).stdout.decode()
    assert re.search(r"Tagged:\s+yes", info)
    assert "Vitnemål" not in info and "Diploma – Kari Nordmann" in info  # the document title in the set's language


def test_same_set_same_bytes_and_convenience_function(renderer: DiplomaRenderer) -> None:
    diploma = master_set("nb")
    assert render(renderer, diploma) == render(renderer, diploma)
    assert render_diploma_set(diploma, document_id=DOC_ID, verify_url=URL) == render(renderer, diploma)
    assert render(renderer, replace(diploma, issued_on=diploma.issued_on)) == render(renderer, diploma)


def test_qr_code_is_a_small_svg() -> None:
    svg = qr_svg(URL)
    assert svg.startswith("<svg") and 'viewBox="0 0 37 37"' in svg and len(svg) < 8000


def test_qr_png_holds_every_module_of_the_code() -> None:
    """The diploma's QR image, decoded by hand: 1-bit greyscale, one pixel per module, black where the code is."""
    import struct
    import zlib

    from vitnemal.diplomas.render import _qr_matrix, qr_png

    png = qr_png(URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 1000
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    idat = png.index(b"IDAT")
    raw = zlib.decompress(png[idat + 4: idat + 4 + struct.unpack(">I", png[idat - 4: idat])[0]])
    stride = 1 + (width + 7) // 8
    pixels = [[not (raw[y * stride + 1 + x // 8] >> (7 - x % 8)) & 1 for x in range(width)] for y in range(height)]
    assert (width, height, depth, colour) == (37, 37, 1, 0)
    assert pixels == _qr_matrix(URL)


def test_partly_counted_credits_show_as_counted(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    inputs = master_inputs(results=(r("INF9000", 2024, "VÅR", "B", 1, counted="7.5"),), recognitions=())
    text = " ".join(pages(render(renderer, compose_diploma_set(inputs)), tmp_path, "part"))
    assert "INF9000 Emne INF9000 2024 Vår 7,5 B" in text
    assert "INF9000 Emne INF9000: 7,5 av 10 studiepoeng inngår i graden." in text
    assert compose_diploma_set(inputs).transcript.total_credits == Decimal("7.5")


def test_every_share_of_the_distribution_stands_under_its_letter(renderer: DiplomaRenderer, tmp_path: Path) -> None:
    """The five shares of each row end where their heading letter ends (right-aligned columns), on every page."""
    path = tmp_path / "d.pdf"
    path.write_bytes(render(renderer, master_set("en")))
    out = subprocess.run([poppler_tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True, check=True)
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
                       out.stdout.decode("utf-8"))
    rows: dict[float, list[tuple[float, str]]] = {}
    for _x0, y0, x1, text in words:
        rows.setdefault(round(float(y0)), []).append((float(x1), text))
    heading = next(sorted(row)[-5:] for row in rows.values() if [t for _, t in sorted(row)[-5:]] == list("ABCDE"))
    letter_ends = [x for x, _ in heading]
    share_rows = [[x for x, t in sorted(row) if t == "%"] for row in rows.values()]
    share_rows = [r for r in share_rows if r]
    assert share_rows
    for ends in share_rows:
        assert len(ends) == 5 and all(abs(e - h) < 0.5 for e, h in zip(ends, letter_ends, strict=True)), ends
