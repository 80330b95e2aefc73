"""The fixed words of a diploma set in bokmål (nb), nynorsk (nn) and English (en).

The information page's texts are the seed's wording (UiO's "Nærmere regler om utformingen av vitnemål", which
follow the national template of Universitets- og høgskolerådet) with the degree's data filled in. The grading
scale text is the national description of the A–F scale. Pure data and small formatting functions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from vitnemal.diplomas.diploma_set import Language, Term
from vitnemal.i18n import long_date, short_date

__all__ = ["LABELS", "credits_text", "grade_text", "long_date", "short_date", "term_label"]

RECOGNISED: dict[Language, str] = {"nb": "Innpasset", "nn": "Innpassa", "en": "Recognized"}

LABELS: dict[Language, dict[str, str]] = {
    "nb": {
        "diploma": "Vitnemål",
        "transcript": "Grunnlag for vitnemål",
        "page": "Side {page} av {pages}",
        "born": "{name}, født {date},",
        "conferral_degree": "er tildelt graden",
        "conferral_other": "har fullført",
        "award_degree": "Dato for tildeling av grad: {date}",
        "award_other": "Dato for fullføring: {date}",
        "programme": "Studieprogram",
        "specialisation": "Studieretning",
        "oath": "Kandidatløfte",
        "issued": "Dato for utstedelse: {date}",
        "dean": "dekan",
        "director": "fakultetsdirektør",
        "officer": "saksbehandler",
        "name": "Navn",
        "national_id": "Fødselsnummer",
        "birth_date": "Fødselsdato",
        "degree": "Grad",
        "qualification": "Kvalifikasjon",
        "award_date_degree": "Dato for tildeling av grad",
        "award_date_other": "Dato for fullføring",
        "code": "Emnekode",
        "course": "Emnenavn",
        "term": "Termin",
        "credits": "Studiepoeng",
        "grade": "Karakter",
        "distribution": "Karakterfordeling",
        "total": "Sum studiepoeng",
        "remarks": "Merknader",
        "thesis_title": "Tittel",
        "taken_at": "Tatt ved {institution}",
        "block": "Blokk innpasset fra {institution}",
        "partly": "{course}: {counted} av {total} studiepoeng inngår i graden.",
        "group_exams": "Examen philosophicum og examen facultatum",
        "group_thesis": "Masteroppgave",
        "group_recognised": "Innpassede emner fra andre institusjoner",
        "group_other": "Andre emner",
        "seal": "Segl",
        "verify": "Kontroller dokumentet: {url}",
        "document_id": "Dokument-ID: {id}",
        "elmo": "Vitnemålet i maskinlesbar form (ELMO XML)",
    },
    "nn": {
        "diploma": "Vitnemål",
        "transcript": "Grunnlag for vitnemål",
        "page": "Side {page} av {pages}",
        "born": "{name}, fødd {date},",
        "conferral_degree": "er tildelt grada",
        "conferral_other": "har fullført",
        "award_degree": "Dato for tildeling av grad: {date}",
        "award_other": "Dato for fullføring: {date}",
        "programme": "Studieprogram",
        "specialisation": "Studieretning",
        "oath": "Kandidatlovnad",
        "issued": "Dato for utferding: {date}",
        "dean": "dekan",
        "director": "fakultetsdirektør",
        "officer": "sakshandsamar",
        "name": "Namn",
        "national_id": "Fødselsnummer",
        "birth_date": "Fødselsdato",
        "degree": "Grad",
        "qualification": "Kvalifikasjon",
        "award_date_degree": "Dato for tildeling av grad",
        "award_date_other": "Dato for fullføring",
        "code": "Emnekode",
        "course": "Emnenamn",
        "term": "Termin",
        "credits": "Studiepoeng",
        "grade": "Karakter",
        "distribution": "Karakterfordeling",
        "total": "Sum studiepoeng",
        "remarks": "Merknader",
        "thesis_title": "Tittel",
        "taken_at": "Teke ved {institution}",
        "block": "Blokk innpassa frå {institution}",
        "partly": "{course}: {counted} av {total} studiepoeng inngår i grada.",
        "group_exams": "Examen philosophicum og examen facultatum",
        "group_thesis": "Masteroppgåve",
        "group_recognised": "Innpassa emne frå andre institusjonar",
        "group_other": "Andre emne",
        "seal": "Segl",
        "verify": "Kontroller dokumentet: {url}",
        "document_id": "Dokument-ID: {id}",
        "elmo": "Vitnemålet i maskinlesbar form (ELMO XML)",
    },
    "en": {
        "diploma": "Diploma",
        "transcript": "Transcript of Records",
        "page": "Page {page} of {pages}",
        "born": "{name}, born {date},",
        "conferral_degree": "has been awarded the degree",
        "conferral_other": "has completed",
        "award_degree": "Date of award: {date}",
        "award_other": "Date of completion: {date}",
        "programme": "Programme of study",
        "specialisation": "Specialisation",
        "oath": "Candidate's oath",
        "issued": "Date of issue: {date}",
        "dean": "Dean",
        "director": "Faculty Director",
        "officer": "Faculty Officer",
        "name": "Name",
        "national_id": "National identity number",
        "birth_date": "Date of birth",
        "degree": "Degree",
        "qualification": "Qualification",
        "award_date_degree": "Date of award",
        "award_date_other": "Date of completion",
        "code": "Course code",
        "course": "Course title",
        "term": "Term",
        "credits": "ECTS credits",
        "grade": "Grade",
        "distribution": "Grade distribution",
        "total": "Total ECTS credits",
        "remarks": "Remarks",
        "thesis_title": "Title",
        "taken_at": "Taken at {institution}",
        "block": "Block recognized from {institution}",
        "partly": "{course}: {counted} of {total} ECTS credits count toward the degree.",
        "group_exams": "Examen philosophicum and examen facultatum",
        "group_thesis": "Master's thesis",
        "group_recognised": "Courses recognized from other institutions",
        "group_other": "Other courses",
        "seal": "Seal",
        "verify": "Verify this document: {url}",
        "document_id": "Document ID: {id}",
        "elmo": "The diploma in machine-readable form (ELMO XML)",
    },
}

SEASON_NAMES: dict[Language, dict[str, str]] = {
    "nb": {"VÅR": "Vår", "HØST": "Høst"},
    "nn": {"VÅR": "Vår", "HØST": "Haust"},
    "en": {"VÅR": "Spring", "HØST": "Autumn"},
}

PASS_FAIL: dict[Language, dict[str, str]] = {
    "nb": {"bestått": "Bestått", "ikke bestått": "Ikke bestått"},
    "nn": {"bestått": "Bestått", "ikke bestått": "Ikkje bestått"},
    "en": {"bestått": "Passed", "ikke bestått": "Failed"},
}

# Structure headings are stored in bokmål and English; the common ones are known in nynorsk too.
NYNORSK_HEADINGS = {
    "Obligatoriske emner": "Obligatoriske emne",
    "Valgfrie emner": "Valfrie emne",
    "Emner": "Emne",
    "Masteroppgave": "Masteroppgåve",
    "Fordypning": "Fordjuping",
    "Examen philosophicum og examen facultatum": "Examen philosophicum og examen facultatum",
}

# -- The information page (the seed's wording) -------------------------------------------------------------
INFO_GENERAL = {"nb": "Generell informasjon om graden", "nn": "Generell informasjon om graden",
                "en": "General information about the degree"}
INFO_OBJECTIVES = {"nb": "Studieprogrammets målsetting, innhold og organisering",
                   "nn": "Målsetting, innhald og organisering av studieprogrammet",
                   "en": "Objectives, content and organisation of the programme of study"}
INFO_OUTCOMES = {"nb": "Kandidatens læringsutbytte", "nn": "Kandidaten sitt læringsutbytte",
                 "en": "The candidate’s learning outcomes"}
INFO_TRANSITIONAL = {"nb": "Informasjon om studieprogrammet", "nn": "Informasjon om studieprogrammet",
                     "en": "Information about the programme"}

NO_PROGRAMME_TEXT = {
    "nb": "En beskrivelse av studieprogrammet fås ved henvendelse til {institution}.",
    "nn": "Ei skildring av studieprogrammet får ein ved å vende seg til {institution}.",
    "en": "A description of the programme of study is available from {institution}.",
}

_REGULATION = (
    "«forskrift om grader og yrkesutdanninger, beskyttet tittel og normert studietid ved universiteter og høgskoler»"
)
DEGREE_REGULATION = {
    "nb": "{degree} er tildelt i henhold til " + _REGULATION + " av 16.12.2005.",
    "nn": "{degree} er tildelt i følgje " + _REGULATION + " av 16.12.2005.",
    "en": "{degree} is awarded in accordance with " + _REGULATION + " of 16.12.2005.",
}
FRAMEWORK_PLAN = {
    "nb": "Utdanningen er gjennomført i samsvar med rammeplan for {plan} fastsatt av Kunnskapsdepartementet {date}.",
    "nn": "Utdanninga er gjennomført i samsvar med rammeplan for {plan} fastsett av Kunnskapsdepartementet {date}.",
    "en": "The education is completed in accordance with the framework plan for {plan} approved by the Ministry of "
          "Education and Research on {date}.",
}
EXTENT = {
    "nb": "Normert studietid for graden er {years} år og den har et omfang av {credits} studiepoeng. "
          "Et fullført studieår er normert til 60 studiepoeng.",
    "nn": "Normert studietid for graden er {years} år og den har eit omfang av {credits} studiepoeng. "
          "Eit fullført studieår er normert til 60 studiepoeng.",
    "en": "The nominal length of study for the degree is {years} {year_word} and it comprises {credits} ECTS "
          "credits. One completed year of study has nominally 60 ECTS credits.",
}
NQF = {
    "nb": "{degree} er en kvalifikasjon som inngår i {cycle} syklus i Nasjonalt kvalifikasjonsrammeverk for "
          "livslang læring, fastsatt av Kunnskapsdepartementet 15.12.2011.",
    "nn": "{degree} er ein kvalifikasjon som inngår i {cycle} syklus i Nasjonalt kvalifikasjonsrammeverk for "
          "livslang læring, fastsett av Kunnskapsdepartementet 15.12.2011.",
    "en": "{degree} is a qualification that is part of the {cycle} cycle in the Norwegian Qualifications Framework "
          "for Lifelong Learning, approved by the Ministry of Education and Research on 15.12.2011.",
}
CYCLES = {"nb": ("første", "andre", "tredje"), "nn": ("første", "andre", "tredje"),
          "en": ("first", "second", "third")}

# -- The standard text after the transcript: the grading scale and the credit system -------------------------
GRADING_TEXT: dict[Language, tuple[str, ...]] = {
    "nb": (
        "Karakterskala: Det benyttes en gradert skala med fem trinn fra A til E for bestått og F for ikke bestått, "
        "eller bestått/ikke bestått. A – Fremragende: Fremragende prestasjon som klart utmerker seg. "
        "B – Meget god: Meget god prestasjon. C – God: Jevnt god prestasjon som er tilfredsstillende på de fleste "
        "områder. D – Nokså god: En akseptabel prestasjon med noen vesentlige mangler. E – Tilstrekkelig: "
        "Prestasjonen tilfredsstiller minimumskravene, men heller ikke mer. F – Ikke bestått: Prestasjon som ikke "
        "tilfredsstiller de faglige minimumskravene.",
        "Studiepoeng: Et fullført studieår er normert til 60 studiepoeng, som tilsvarer 60 ECTS-poeng i det "
        "europeiske systemet for overføring av studiepoeng (ECTS).",
        "Innpasset: Emnet er tatt ved en annen institusjon og godkjent som del av graden.",
    ),
    "nn": (
        "Karakterskala: Det blir nytta ein gradert skala med fem steg frå A til E for bestått og F for ikkje "
        "bestått, eller bestått/ikkje bestått. A – Framifrå: Framifrå prestasjon som klart utmerkjer seg. "
        "B – Svært god: Svært god prestasjon. C – God: Jamt god prestasjon som er tilfredsstillande på dei fleste "
        "områda. D – Nokså god: Ein akseptabel prestasjon med nokre vesentlege manglar. E – Tilstrekkeleg: "
        "Prestasjonen tilfredsstiller minimumskrava, men heller ikkje meir. F – Ikkje bestått: Prestasjon som "
        "ikkje tilfredsstiller dei faglege minimumskrava.",
        "Studiepoeng: Eit fullført studieår er normert til 60 studiepoeng, som svarar til 60 ECTS-poeng i det "
        "europeiske systemet for overføring av studiepoeng (ECTS).",
        "Innpassa: Emnet er teke ved ein annan institusjon og godkjent som del av grada.",
    ),
    "en": (
        "Grading scale: A graded scale with five levels from A to E for pass and F for fail is used, or "
        "pass/fail. A – Excellent: An excellent performance, clearly outstanding. B – Very good: A very good "
        "performance. C – Good: A good performance in most areas. D – Satisfactory: A satisfactory performance, "
        "but with significant shortcomings. E – Sufficient: A performance that meets the minimum criteria, but no "
        "more. F – Fail: A performance that does not meet the minimum academic criteria.",
        "Credits: One completed year of study has nominally 60 credits, equal to 60 credits in the European "
        "Credit Transfer and Accumulation System (ECTS).",
        "Recognized: The course was taken at another institution and is recognized as part of the degree.",
    ),
}
DISTRIBUTION_NOTE = {
    "nb": "Karakterfordelingen viser hvor mange prosent av kandidatene som bestod emnet ved institusjonen de siste "
          "{years} årene fram til og med kandidatens eksamenssemester, som fikk hver av karakterene A–E. Den vises "
          "ikke når færre enn {minimum} kandidater bestod emnet i perioden.",
    "nn": "Karakterfordelinga viser kor mange prosent av kandidatane som bestod emnet ved institusjonen dei siste "
          "{years} åra fram til og med eksamenssemesteret til kandidaten, som fekk kvar av karakterane A–E. Ho blir "
          "ikkje vist når færre enn {minimum} kandidatar bestod emnet i perioden.",
    "en": "The grade distribution shows the percentage of the candidates who passed the course at the institution "
          "in the {years} years up to and including the candidate's exam term who received each of the grades A–E. "
          "It is not shown when fewer than {minimum} candidates passed the course in that period.",
}


def term_label(term: Term | None, lang: Language) -> str:
    """Return "2023 Høst" (nb), "2023 Haust" (nn) or "2023 Autumn" (en); "" for no term."""
    if term is None:
        return ""
    return f"{term.year} {SEASON_NAMES[lang][term.season]}"


def grade_text(grade: str, lang: Language) -> str:
    """A grade as printed: letters as they are, pass/fail ("Bestått", "Ikke bestått") in the set's language."""
    key = " ".join(grade.split()).lower().replace("ikkje", "ikke")
    return PASS_FAIL[lang].get(key, grade)


def credits_text(value: Decimal, lang: Language) -> str:
    """Credits as printed: "10", "7,5" (nb, nn) or "7.5" (en)."""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f").rstrip("0")
    if "." in text and text.endswith("."):
        text = text[:-1]
    return text.replace(".", ",") if lang != "en" else text


def heading_text(heading_nb: str, heading_en: str, lang: Language) -> str:
    """A structure heading in ``lang`` (nynorsk from a small table of common headings, else bokmål)."""
    if lang == "en":
        return heading_en or heading_nb
    if lang == "nn":
        return NYNORSK_HEADINGS.get(heading_nb, heading_nb)
    return heading_nb


def years_text(years: Decimal, lang: Language) -> tuple[str, str]:
    """The nominal length as printed ("2", "1,5") and, for English, "year" or "years"."""
    return credits_text(years, lang), "year" if years == 1 else "years"


def dotted_date(day: date) -> str:
    """"16.12.2005": the way the seed writes dates of regulations and plans."""
    return short_date(day)
