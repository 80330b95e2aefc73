"""What the operator reads about a connection test, in bokmål, nynorsk or English: each of the seed's three
questions with its answer in words, and, when the node could not be asked, what went wrong and what to do. No I/O.
"""

from __future__ import annotations

from vitnemal.exchange.outcomes import Outcome
from vitnemal.federation.connection import ConnectionTest, Reply
from vitnemal.i18n import Language

QUESTIONS: dict[Language, tuple[str, str, str]] = {
    "nb": ("Deler denne institusjonen resultater?", "Har studenten gitt samtykke til henting av resultater?",
           "Har denne institusjonen beståtte resultater for den gitte studenten?"),
    "nn": ("Deler denne institusjonen resultat?", "Har studenten gitt samtykke til henting av resultat?",
           "Har denne institusjonen beståtte resultat for den gitte studenten?"),
    "en": ("Does this institution share results?", "Has the student consented to fetching results?",
           "Does this institution hold passed results for the student?"),
}

_REPLY: dict[Reply, dict[Language, str]] = {
    Reply.YES: {"nb": "Ja", "nn": "Ja", "en": "Yes"},
    Reply.NO: {"nb": "Nei", "nn": "Nei", "en": "No"},
    Reply.NOT_ASKED: {"nb": "Ikke spurt", "nn": "Ikkje spurt", "en": "Not asked"},
}

# Why the answer was no, in words (the outcome decides which question it belongs to).
_WHY: dict[Outcome, dict[Language, str]] = {
    Outcome.NOT_SHARING: {"nb": "Modulen RESUTVEKSL er ikke aktiv der.", "nn": "Modulen RESUTVEKSL er ikkje aktiv "
                          "der.", "en": "The RESUTVEKSL module is not active there."},
    Outcome.RESERVED: {"nb": "Institusjonen har reservert seg (RESERVER).", "nn": "Institusjonen har reservert seg "
                       "(RESERVER).", "en": "The institution has opted out (RESERVER)."},
    Outcome.NO_CONSENT: {"nb": "Testpersonen har ikke samtykket hos den som spør; registrer samtykke for "
                         "testpersonen, eller velg en annen.",
                         "nn": "Testpersonen har ikkje samtykt hos den som spør; registrer samtykke for "
                         "testpersonen, eller vel ein annan.",
                         "en": "The test person has not consented at the requester; record a consent for the test "
                         "person, or choose another."},
    Outcome.NO_RESULTS: {"nb": "Ingen beståtte resultater for testpersonen.", "nn": "Ingen beståtte resultat for "
                         "testpersonen.", "en": "No passed results for the test person."},
    Outcome.IDENTITY_MISMATCH: {"nb": "Personen er registrert der under et annet fødselsnummer.",
                                "nn": "Personen er registrert der under eit anna fødselsnummer.",
                                "en": "The person is registered there under another national id."},
    Outcome.DEGREE_NOT_RELEASED: {"nb": "Bare en grad der vitnemålet ikke er utstedt før hentedatoen.",
                                  "nn": "Berre ein grad der vitnemålet ikkje er skrive ut før hentedatoen.",
                                  "en": "Only a degree whose diploma was not issued before the fetch date."},
}

_PROBLEM: dict[Outcome, dict[Language, str]] = {
    Outcome.UNAVAILABLE: {
        "nb": "{name} svarte ikke på endepunktet i registeret. Sjekk at noden kjører og at endepunktet stemmer.",
        "nn": "{name} svarte ikkje på endepunktet i registeret. Sjekk at noden køyrer og at endepunktet stemmer.",
        "en": "{name} did not answer at the endpoint in the registry. Check that the node runs and that the "
              "endpoint is right."},
    Outcome.REFUSED: {
        "nb": "{name} avviste forespørselen. Sjekk at noden leser det nye registeret (nøkler) og at klokkene går "
              "riktig.",
        "nn": "{name} avviste førespurnaden. Sjekk at noden les det nye registeret (nøklar) og at klokkene går "
              "rett.",
        "en": "{name} refused the request. Check that the node reads the current registry (keys) and that the "
              "clocks are right."},
    Outcome.INVALID_ANSWER: {
        "nb": "{name} svarte, men svaret kunne ikke godtas (for eksempel signert med en nøkkel som ikke står i "
              "registeret). Sjekk nøkkelen i registeret mot nodens.",
        "nn": "{name} svarte, men svaret kunne ikkje godtakast (til dømes signert med ein nøkkel som ikkje står i "
              "registeret). Sjekk nøkkelen i registeret mot noden sin.",
        "en": "{name} answered, but the answer could not be accepted (e.g. signed with a key that is not in the "
              "registry). Check the registry's key against the node's."},
}

_COUNTS: dict[Language, str] = {  # "Results: 1", not "1 resultater": no plural forms to get wrong
    "nb": "Resultater: {results}, kvalifikasjoner: {qualifications}.",
    "nn": "Resultat: {results}, kvalifikasjonar: {qualifications}.",
    "en": "Results: {results}, qualifications: {qualifications}.",
}
_REACHED: dict[Language, str] = {
    "nb": "{name} svarte med et gyldig signert svar på {ms} ms.",
    "nn": "{name} svarte med eit gyldig signert svar på {ms} ms.",
    "en": "{name} answered with a validly signed answer in {ms} ms.",
}


def reply_word(reply: Reply, lang: Language = "nb") -> str:
    return _REPLY[reply][lang]


def answer_lines(test: ConnectionTest, lang: Language = "nb") -> list[tuple[str, str, str]]:
    """(question, Ja/Nei/Ikke spurt, why) for each of the three questions; ``why`` explains a no or the counts."""
    lines = []
    for number, (question, reply) in enumerate(zip(QUESTIONS[lang], test.answers, strict=True)):
        why = ""
        if reply is Reply.NO:
            why = _WHY.get(test.outcome, {}).get(lang, "")
        elif number == 2 and reply is Reply.YES:
            why = _COUNTS[lang].format(results=test.results_count, qualifications=test.qualifications_count)
        lines.append((question, reply_word(reply, lang), why))
    return lines


def summary(test: ConnectionTest, name: str, lang: Language = "nb") -> str:
    """One sentence: the node answered (in how long), or what went wrong and what to do."""
    problem = _PROBLEM.get(test.outcome)
    if problem is not None:
        return problem[lang].format(name=name)
    return _REACHED[lang].format(name=name, ms=test.elapsed_ms)
