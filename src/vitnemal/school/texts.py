"""The words on a printed certificate in bokmål (nb), nynorsk (nn) and English (en).

Subject names as schools print them, grades in figures and words ("5 fem"), the marks that are not numbers,
orden and atferd, dates ("19. juni 2026"). Pure data and small functions.
"""

from __future__ import annotations

# The languages and dates live in vitnemal.i18n (shared with the diplomas); re-exported here for the school code.
from vitnemal.i18n import LANGUAGES as LANGUAGES
from vitnemal.i18n import Language as Language
from vitnemal.i18n import long_date as long_date
from vitnemal.i18n import short_date as short_date
from vitnemal.school.model import Behaviour, ExamSubject, Grade, GradeKind, Subject

NUMBER_WORDS: dict[Language, tuple[str, ...]] = {
    "nb": ("", "en", "to", "tre", "fire", "fem", "seks"),
    "nn": ("", "ein", "to", "tre", "fire", "fem", "seks"),
    "en": ("", "one", "two", "three", "four", "five", "six"),
}

MARKS: dict[Language, dict[GradeKind, str]] = {
    "nb": {
        GradeKind.NOT_POSSIBLE: "Vurdering ikke mulig",
        GradeKind.EXEMPT: "Fritatt",
        GradeKind.PARTICIPATED: "Deltatt",
        GradeKind.NOT_PARTICIPATED: "Ikke deltatt",
    },
    "nn": {
        GradeKind.NOT_POSSIBLE: "Vurdering ikkje mogleg",
        GradeKind.EXEMPT: "Fritatt",
        GradeKind.PARTICIPATED: "Delteke",
        GradeKind.NOT_PARTICIPATED: "Ikkje delteke",
    },
    "en": {
        GradeKind.NOT_POSSIBLE: "Assessment not possible",
        GradeKind.EXEMPT: "Exempt",
        GradeKind.PARTICIPATED: "Participated",
        GradeKind.NOT_PARTICIPATED: "Did not participate",
    },
}

BEHAVIOUR_WORDS: dict[Language, dict[Behaviour, str]] = {
    "nb": {Behaviour.GOOD: "God", Behaviour.FAIRLY_GOOD: "Nokså god", Behaviour.POOR: "Lite god"},
    "nn": {Behaviour.GOOD: "God", Behaviour.FAIRLY_GOOD: "Nokså god", Behaviour.POOR: "Lite god"},
    "en": {Behaviour.GOOD: "Good", Behaviour.FAIRLY_GOOD: "Fairly good", Behaviour.POOR: "Poor"},
}

_KRLE = "Kristendom, religion, livssyn og etikk"
SUBJECT_NAMES: dict[Language, dict[Subject, str]] = {
    "nb": {
        Subject.NORSK_MUNTLIG: "Norsk muntlig",
        Subject.NORSK_HOVEDMAL_SKRIFTLIG: "Norsk hovedmål, skriftlig",
        Subject.NORSK_SIDEMAL_SKRIFTLIG: "Norsk sidemål, skriftlig",
        Subject.ENGELSK_MUNTLIG: "Engelsk muntlig",
        Subject.ENGELSK_SKRIFTLIG: "Engelsk skriftlig",
        Subject.MATEMATIKK: "Matematikk",
        Subject.NATURFAG: "Naturfag",
        Subject.SAMFUNNSFAG: "Samfunnsfag",
        Subject.KRLE: _KRLE,
        Subject.MAT_OG_HELSE: "Mat og helse",
        Subject.MUSIKK: "Musikk",
        Subject.KUNST_OG_HANDVERK: "Kunst og håndverk",
        Subject.KROPPSOVING: "Kroppsøving",
        Subject.FREMMEDSPRAK: "Fremmedspråk",
        Subject.ARBEIDSLIVSFAG: "Arbeidslivsfag",
        Subject.UTDANNINGSVALG: "Utdanningsvalg",
    },
    "nn": {
        Subject.NORSK_MUNTLIG: "Norsk munnleg",
        Subject.NORSK_HOVEDMAL_SKRIFTLIG: "Norsk hovudmål, skriftleg",
        Subject.NORSK_SIDEMAL_SKRIFTLIG: "Norsk sidemål, skriftleg",
        Subject.ENGELSK_MUNTLIG: "Engelsk munnleg",
        Subject.ENGELSK_SKRIFTLIG: "Engelsk skriftleg",
        Subject.MATEMATIKK: "Matematikk",
        Subject.NATURFAG: "Naturfag",
        Subject.SAMFUNNSFAG: "Samfunnsfag",
        Subject.KRLE: _KRLE,
        Subject.MAT_OG_HELSE: "Mat og helse",
        Subject.MUSIKK: "Musikk",
        Subject.KUNST_OG_HANDVERK: "Kunst og handverk",
        Subject.KROPPSOVING: "Kroppsøving",
        Subject.FREMMEDSPRAK: "Framandspråk",
        Subject.ARBEIDSLIVSFAG: "Arbeidslivsfag",
        Subject.UTDANNINGSVALG: "Utdanningsval",
    },
    "en": {
        Subject.NORSK_MUNTLIG: "Norwegian, oral",
        Subject.NORSK_HOVEDMAL_SKRIFTLIG: "Norwegian, written (first form)",
        Subject.NORSK_SIDEMAL_SKRIFTLIG: "Norwegian, written (second form)",
        Subject.ENGELSK_MUNTLIG: "English, oral",
        Subject.ENGELSK_SKRIFTLIG: "English, written",
        Subject.MATEMATIKK: "Mathematics",
        Subject.NATURFAG: "Science",
        Subject.SAMFUNNSFAG: "Social studies",
        Subject.KRLE: "Christianity, religion, philosophies of life and ethics",
        Subject.MAT_OG_HELSE: "Food and health",
        Subject.MUSIKK: "Music",
        Subject.KUNST_OG_HANDVERK: "Arts and crafts",
        Subject.KROPPSOVING: "Physical education",
        Subject.FREMMEDSPRAK: "Foreign language",
        Subject.ARBEIDSLIVSFAG: "Working life",
        Subject.UTDANNINGSVALG: "Education choice",
    },
}

EXAM_SUBJECT_NAMES: dict[Language, dict[ExamSubject, str]] = {
    lang: {
        ExamSubject.NORSK: {"nb": "Norsk", "nn": "Norsk", "en": "Norwegian"}[lang],
        ExamSubject.NORSK_HOVEDMAL: {"nb": "Norsk hovedmål", "nn": "Norsk hovudmål", "en": "Norwegian (first form)"}[
            lang
        ],
        ExamSubject.NORSK_SIDEMAL: {"nb": "Norsk sidemål", "nn": "Norsk sidemål", "en": "Norwegian (second form)"}[
            lang
        ],
        ExamSubject.ENGELSK: {"nb": "Engelsk", "nn": "Engelsk", "en": "English"}[lang],
        ExamSubject.MATEMATIKK: SUBJECT_NAMES[lang][Subject.MATEMATIKK],
        ExamSubject.KRLE: SUBJECT_NAMES[lang][Subject.KRLE],
        ExamSubject.SAMFUNNSFAG: SUBJECT_NAMES[lang][Subject.SAMFUNNSFAG],
        ExamSubject.NATURFAG: SUBJECT_NAMES[lang][Subject.NATURFAG],
        ExamSubject.FREMMEDSPRAK: SUBJECT_NAMES[lang][Subject.FREMMEDSPRAK],
        ExamSubject.ARBEIDSLIVSFAG: SUBJECT_NAMES[lang][Subject.ARBEIDSLIVSFAG],
    }
    for lang in LANGUAGES
}

LABELS: dict[Language, dict[str, str]] = {
    "nb": {
        "title": "Vitnemål",
        "subtitle": "for grunnskolen",
        "name": "Navn",
        "birth_date": "Fødselsdato",
        "completed": "har fullført grunnskoleopplæringen ved",
        "final_grades": "Standpunktkarakterer",
        "exam_grades": "Eksamenskarakterer",
        "subject": "Fag",
        "grade": "Karakter",
        "form": "Form",
        "elective": "Valgfag",
        "forms": "S = skriftlig, M = muntlig, MP = muntlig-praktisk",
        "order_and_conduct": "Orden og atferd",
        "order": "Orden",
        "conduct": "Atferd",
        "absence": "Fravær",
        "year": "{year}. trinn",
        "days": "Dager",
        "hours": "Enkelttimer",
        "excluded": "Inntil 10 dager dokumentert fravær per skoleår er etter søknad ikke ført på vitnemålet.",
        "iop": "Eleven har hatt individuell opplæringsplan.",
        "remarks": "Merknader",
        "scale": "Karakterskala: 6 er beste og 1 er laveste karakter.",
        "principal": "rektor",
        "contact_teacher": "kontaktlærer",
        "page": "Side {page} av {pages}",
        "signed": "Elektronisk signert av {school}",
        "not_recorded": "–",
        "verify": "Kontroller vitnemålet: {url}",
        "document_id": "Dokument-ID: {id}",
    },
    "nn": {
        "title": "Vitnemål",
        "subtitle": "for grunnskolen",
        "name": "Namn",
        "birth_date": "Fødselsdato",
        "completed": "har fullført grunnskoleopplæringa ved",
        "final_grades": "Standpunktkarakterar",
        "exam_grades": "Eksamenskarakterar",
        "subject": "Fag",
        "grade": "Karakter",
        "form": "Form",
        "elective": "Valfag",
        "forms": "S = skriftleg, M = munnleg, MP = munnleg-praktisk",
        "order_and_conduct": "Orden og åtferd",
        "order": "Orden",
        "conduct": "Åtferd",
        "absence": "Fråvær",
        "year": "{year}. trinn",
        "days": "Dagar",
        "hours": "Enkelttimar",
        "excluded": "Inntil 10 dagar dokumentert fråvær per skoleår er etter søknad ikkje ført på vitnemålet.",
        "iop": "Eleven har hatt individuell opplæringsplan.",
        "remarks": "Merknader",
        "scale": "Karakterskala: 6 er beste og 1 er lågaste karakter.",
        "principal": "rektor",
        "contact_teacher": "kontaktlærar",
        "page": "Side {page} av {pages}",
        "signed": "Elektronisk signert av {school}",
        "not_recorded": "–",
        "verify": "Kontroller vitnemålet: {url}",
        "document_id": "Dokument-ID: {id}",
    },
    "en": {
        "title": "School Leaving Certificate",
        "subtitle": "Primary and lower secondary education (grunnskole)",
        "name": "Name",
        "birth_date": "Date of birth",
        "completed": "has completed primary and lower secondary education at",
        "final_grades": "Final assessment grades",
        "exam_grades": "Examination grades",
        "subject": "Subject",
        "grade": "Grade",
        "form": "Form",
        "elective": "Elective",
        "forms": "S = written, M = oral, MP = oral-practical",
        "order_and_conduct": "Order and conduct",
        "order": "Order",
        "conduct": "Conduct",
        "absence": "Absence",
        "year": "Year {year}",
        "days": "Days",
        "hours": "Single hours",
        "excluded": "Up to 10 days of documented absence per school year are, on request, not entered.",
        "iop": "The pupil has had an individual education plan.",
        "remarks": "Remarks",
        "scale": "Grading scale: 6 is the highest and 1 the lowest grade.",
        "principal": "principal",
        "contact_teacher": "contact teacher",
        "page": "Page {page} of {pages}",
        "signed": "Electronically signed by {school}",
        "not_recorded": "–",
        "verify": "Verify this certificate: {url}",
        "document_id": "Document ID: {id}",
    },
}


def grade_text(grade: Grade, lang: Language) -> str:
    """Return a grade as printed: "5 fem" (figure and word), or the mark in words ("Vurdering ikke mulig")."""
    if grade.is_numeric:
        return f"{grade.value} {NUMBER_WORDS[lang][grade.value]}"
    return MARKS[lang][grade.kind]
