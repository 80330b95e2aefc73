"""Every word of the portal's e-mails and of the recipient's PDF, in bokmål, nynorsk, English and North Sami.

Kept in one place so a translator can review them (the North Sami texts especially, which were written without a
native speaker and must be reviewed before production). The web pages use the foundation's message catalogues.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from vitnemal.diplomas.texts import credits_text as diploma_credits
from vitnemal.i18n import local

Lang = Literal["nb", "nn", "en", "se"]

MAIL: dict[str, dict[str, str]] = {
    "nb": {
        "link_subject": "{name} har delt resultater med deg i Vitnemålsportalen",
        "link_body": "{name} har delt utdanningsresultater med deg gjennom Vitnemålsportalen.\n\n"
                     "Åpne resultatene her:\n{link}\n\n"
                     "Du trenger også en tilgangskode. Den kommer i en egen e-post.\n"
                     "Lenken virker til og med {until}.\n{message}\n"
                     "Resultatene er hentet direkte fra utdanningsinstitusjonene. Denne e-posten kan ikke besvares.",
        "code_subject": "Tilgangskode til resultater fra {name}",
        "code_body": "Tilgangskoden til resultatene {name} har delt med deg i Vitnemålsportalen:\n\n{code}\n\n"
                     "Lenken til resultatene kom i en egen e-post. Skriv inn koden når du åpner lenken.\n"
                     "Denne e-posten kan ikke besvares.",
        "message": "\nMelding fra {name}:\n{message}\n",
    },
    "nn": {
        "link_subject": "{name} har delt resultat med deg i Vitnemålsportalen",
        "link_body": "{name} har delt utdanningsresultat med deg gjennom Vitnemålsportalen.\n\n"
                     "Opne resultata her:\n{link}\n\n"
                     "Du treng òg ein tilgangskode. Han kjem i ein eigen e-post.\n"
                     "Lenkja verkar til og med {until}.\n{message}\n"
                     "Resultata er henta direkte frå utdanningsinstitusjonane. Denne e-posten kan ikkje svarast på.",
        "code_subject": "Tilgangskode til resultat frå {name}",
        "code_body": "Tilgangskoden til resultata {name} har delt med deg i Vitnemålsportalen:\n\n{code}\n\n"
                     "Lenkja til resultata kom i ein eigen e-post. Skriv inn koden når du opnar lenkja.\n"
                     "Denne e-posten kan ikkje svarast på.",
        "message": "\nMelding frå {name}:\n{message}\n",
    },
    "en": {
        "link_subject": "{name} has shared results with you in Vitnemålsportalen",
        "link_body": "{name} has shared educational results with you through Vitnemålsportalen, the Norwegian "
                     "diploma registry.\n\nOpen the results here:\n{link}\n\n"
                     "You also need an access code. It comes in a separate e-mail.\n"
                     "The link works until and including {until}.\n{message}\n"
                     "The results are fetched directly from the institutions. Please do not reply to this e-mail.",
        "code_subject": "Access code for results from {name}",
        "code_body": "The access code for the results {name} has shared with you in Vitnemålsportalen:\n\n"
                     "{code}\n\nThe link to the results came in a separate e-mail. Enter the code when you open "
                     "the link.\nPlease do not reply to this e-mail.",
        "message": "\nMessage from {name}:\n{message}\n",
    },
    "se": {
        "link_subject": "{name} lea juogadan bohtosiid duinna Vitnemålsportalenis",
        "link_body": "{name} lea juogadan oahppobohtosiid duinna Vitnemålsportalena bokte.\n\n"
                     "Rabas bohtosiid dás:\n{link}\n\n"
                     "Don dárbbašat maiddái beassankoda. Dat boahtá sierra e-poasttas.\n"
                     "Liŋka doaibmá {until} rádjái.\n{message}\n"
                     "Bohtosat leat viežžon njuolgga oahppoásahusain. Ii sáhte vástidit dán e-poastii.",
        "code_subject": "Beassankoda bohtosiidda {name} bealis",
        "code_body": "Beassankoda bohtosiidda maid {name} lea juogadan duinna Vitnemålsportalenis:\n\n{code}\n\n"
                     "Liŋka bohtosiidda bođii sierra e-poasttas. Čális koda go rahpat liŋkka.\n"
                     "Ii sáhte vástidit dán e-poastii.",
        "message": "\nDieđáhus {name} bealis:\n{message}\n",
    },
}

PDF: dict[str, dict[str, str]] = {
    "nb": {"title": "Resultater fra Vitnemålsportalen", "name": "Navn", "born": "Fødselsdato",
           "shared": "Delt", "valid": "Gyldig til og med", "institution": "Institusjon", "fetched": "Hentet",
           "qualifications": "Kvalifikasjoner", "other": "Andre emner", "code": "Kode", "course": "Emne",
           "term": "Termin", "credits": "Studiepoeng", "grade": "Karakter", "awarded": "Tildelt",
           "then_named": "Da: {name}", "thesis": "Oppgave",
           "tests": "Språkprøver", "best": "Beste resultat", "latest": "Siste resultat",
           "verify": "Sjekk dokumentet: {url}", "document_id": "Dokument-ID: {id}", "page": "Side {page} av {pages}",
           "about": "Resultatene er hentet direkte fra utdanningsinstitusjonene og delt av eieren. Dokumentet er "
                    "signert av Vitnemålsportalen; en utskrift kan ikke kontrolleres.",
           "elmo": "Resultatene som ELMO XML (EMREX)", "VÅR": "Vår", "HØST": "Høst"},
    "nn": {"title": "Resultat frå Vitnemålsportalen", "name": "Namn", "born": "Fødselsdato",
           "shared": "Delt", "valid": "Gyldig til og med", "institution": "Institusjon", "fetched": "Henta",
           "qualifications": "Kvalifikasjonar", "other": "Andre emne", "code": "Kode", "course": "Emne",
           "term": "Termin", "credits": "Studiepoeng", "grade": "Karakter", "awarded": "Tildelt",
           "then_named": "Då: {name}", "thesis": "Oppgåve",
           "tests": "Språkprøvar", "best": "Beste resultat", "latest": "Siste resultat",
           "verify": "Sjekk dokumentet: {url}", "document_id": "Dokument-ID: {id}", "page": "Side {page} av {pages}",
           "about": "Resultata er henta direkte frå utdanningsinstitusjonane og delte av eigaren. Dokumentet er "
                    "signert av Vitnemålsportalen; ei utskrift kan ikkje kontrollerast.",
           "elmo": "Resultata som ELMO XML (EMREX)", "VÅR": "Vår", "HØST": "Haust"},
    "en": {"title": "Results from Vitnemålsportalen", "name": "Name", "born": "Date of birth",
           "shared": "Shared", "valid": "Valid until", "institution": "Institution", "fetched": "Fetched",
           "qualifications": "Qualifications", "other": "Other courses", "code": "Code", "course": "Course",
           "term": "Term", "credits": "Credits (ECTS)", "grade": "Grade", "awarded": "Awarded",
           "then_named": "Then: {name}", "thesis": "Thesis",
           "tests": "Language tests", "best": "Best result", "latest": "Latest result",
           "verify": "Check this document: {url}", "document_id": "Document id: {id}", "page": "Page {page} of {pages}",
           "about": "The results were fetched directly from the institutions and shared by their owner. The "
                    "document is signed by Vitnemålsportalen; a printed copy cannot be verified.",
           "elmo": "The results as ELMO XML (EMREX)", "VÅR": "Spring", "HØST": "Autumn"},
    "se": {"title": "Bohtosat Vitnemålsportalenis", "name": "Namma", "born": "Riegádanbeaivi",
           "shared": "Juogaduvvon", "valid": "Gustovaš gitta", "institution": "Ásahus", "fetched": "Viežžon",
           "qualifications": "Gelbbolašvuođat", "other": "Eará fágat", "code": "Koda", "course": "Fága",
           "term": "Lohkanbadji", "credits": "Oahppočuoggát", "grade": "Árvosátni", "awarded": "Addojuvvon",
           "then_named": "Dalle: {name}", "thesis": "Bargu",
           "tests": "Giellaiskosat", "best": "Buoremus boađus", "latest": "Maŋimus boađus",
           "verify": "Dárkkis dokumeanta: {url}", "document_id": "Dokumeanta-ID: {id}",
           "page": "Siidu {page} / {pages}",
           "about": "Bohtosat leat viežžon njuolgga oahppoásahusain ja eaiggát lea juogadan daid. Vitnemålsportalen "
                    "lea vuolláičállán dokumeantta; čálihuvvon veršuvnna ii sáhte dárkkistit.",
           "elmo": "Bohtosat ELMO XML:an (EMREX)", "VÅR": "Giđđa", "HØST": "Čakča"},
}


def day_text(day: date | datetime, lang: str) -> str:
    """A date as people read it: 1.12.2026 (nb, nn, se) or 1 December 2026 (en); Oslo time for moments."""
    if isinstance(day, datetime):
        day = local(day).date()
    if lang == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return f"{day.day}.{day.month}.{day.year}"


def moment_text(moment: datetime, lang: str) -> str:
    shown = local(moment)
    return f"{day_text(shown.date(), lang)} {shown.strftime('%H:%M')}"


def credits_text(value: str, lang: str) -> str:
    """Credits as printed ("7,5"; "7.5" in English), the diplomas' own rule."""
    return diploma_credits(Decimal(value), "en" if lang == "en" else "nb")


def term_text(year: int, season: str, lang: str) -> str:
    return f"{year} {PDF[lang].get(season, season)}"
