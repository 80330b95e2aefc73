"""The certificate as a PDF: every word is chosen here (:func:`certificate_view`, pure), typst lays it out
(``certificate.typ``), and :class:`CertificateRenderer` keeps one compiler for any number of documents.

PDFs are PDF/A-3b with typst's built-in fonts only (system fonts are ignored), so a certificate looks the same on
every machine. Signing is separate (:mod:`vitnemal.signing`): a signed PDF is ``signer.sign(renderer.render(...))``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Final

from vitnemal import i18n
from vitnemal.school.model import Certificate, Subject
from vitnemal.school.texts import (
    BEHAVIOUR_WORDS,
    EXAM_SUBJECT_NAMES,
    LABELS,
    SUBJECT_NAMES,
    Language,
    grade_text,
    long_date,
    short_date,
)

TEMPLATE = Path(__file__).with_name("certificate.typ")
PDF_STANDARD: Final = "a-3b"
SCHOOL_YEARS = (8, 9, 10)


def certificate_view(
    cert: Certificate, lang: Language, *, today: date | None = None, document_id: str | None = None,
    url: str | None = None,
) -> dict[str, object]:
    """Return everything the template prints, as strings in ``lang``; the template only arranges them.

    ``today`` is the date printed when the certificate has none of its own; ``document_id`` and ``url`` (its
    verification address) are printed under the QR code.
    """
    labels = LABELS[lang]
    subjects = SUBJECT_NAMES[lang]
    final_rows = []
    for line in cert.final_grades:
        final_rows.append([subjects[line.subject], grade_text(line.grade, lang)])
        if line.subject is Subject.ARBEIDSLIVSFAG or line.subject is Subject.FREMMEDSPRAK:
            final_rows += _elective_rows(cert, lang)
    if not any(line.subject in (Subject.ARBEIDSLIVSFAG, Subject.FREMMEDSPRAK) for line in cert.final_grades):
        position = next(
            (i for i, line in enumerate(cert.final_grades) if line.subject is Subject.UTDANNINGSVALG), len(final_rows)
        )
        final_rows[position:position] = _elective_rows(cert, lang)
    exam_rows = [
        [EXAM_SUBJECT_NAMES[lang][exam.subject], exam.form.value, grade_text(exam.grade, lang)] for exam in cert.exams
    ]
    absence = {a.year: a for a in cert.absence}
    absence_rows = []
    for year in SCHOOL_YEARS:
        entry = absence.get(year)
        recorded = (str(entry.recorded_days), str(entry.hours)) if entry else (labels["not_recorded"],) * 2
        absence_rows.append([labels["year"].format(year=year), *recorded])
    pupil = cert.pupil
    issued = cert.issued_on or today or i18n.today()
    place = cert.place or pupil.municipality
    words = BEHAVIOUR_WORDS[lang]
    return {
        "lang": lang,
        "labels": labels,
        "school": pupil.school,
        "municipality": pupil.municipality,
        "pupil": {
            "name": pupil.name,
            "birth_date": short_date(pupil.birth_date, lang) if pupil.birth_date else "",
        },
        "final_rows": final_rows,
        "exam_rows": exam_rows,
        "order": words[cert.order] if cert.order else labels["not_recorded"],
        "conduct": words[cert.conduct] if cert.conduct else labels["not_recorded"],
        "absence_rows": absence_rows,
        "absence_excluded": any(a.excluded_days > 0 for a in cert.absence),
        "iop": cert.shows_individual_plan,
        "remarks": list(cert.remarks),
        "place_and_date": f"{place}, {long_date(issued, lang)}" if place else long_date(issued, lang),
        "signatures": [
            {"name": cert.signatures.principal, "role": labels["principal"]},
            {"name": cert.signatures.contact_teacher, "role": labels["contact_teacher"]},
        ],
        "signed_note": labels["signed"].format(school=pupil.school) if pupil.school else "",
        "title": f"{labels['title']} {labels['subtitle']} – {pupil.name}",
        "verify": {
            "text": labels["verify"].format(url=url) if url else "",
            "document_id": labels["document_id"].format(id=document_id) if document_id else "",
        },
    }


def _elective_rows(cert: Certificate, lang: Language) -> list[list[str]]:
    label = LABELS[lang]["elective"]
    return [
        [f"{label}: {elective.name}" if elective.name else label, grade_text(elective.grade, lang)]
        for elective in cert.electives
    ]


class CertificateRenderer:
    """Renders certificates to PDF/A-3b with one typst compiler, reused for every document (~tens of ms each).

    Not thread-safe; give each thread its own renderer.
    """

    def __init__(self, template: Path = TEMPLATE) -> None:
        import typst

        self._compiler = typst.Compiler(str(template), ignore_system_fonts=True)

    def render(
        self, cert: Certificate, lang: Language, *, today: date | None = None, document_id: str | None = None,
        url: str | None = None,
    ) -> bytes:
        """Return the certificate as PDF bytes (unsigned); with ``url`` a QR code to it and ``document_id``."""
        view = certificate_view(cert, lang, today=today, document_id=document_id, url=url)
        inputs = {"data": json.dumps(view, ensure_ascii=False)}
        if url:
            from vitnemal.diplomas.render import qr_svg

            inputs["qr"] = qr_svg(url)
        pdf = self._compiler.compile(format="pdf", sys_inputs=inputs, pdf_standards=PDF_STANDARD)
        assert isinstance(pdf, bytes)
        return pdf
