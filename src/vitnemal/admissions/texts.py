"""What the admissions officer reads: every outcome, reason, rejected line and round status as a sentence in
bokmål, nynorsk or English, naming the institution and saying what happens next or what to do. No I/O.

The internal codes and the technical detail stay in the JSON; they are never part of these sentences.
"""

from __future__ import annotations

from datetime import datetime

from vitnemal.admissions.models import LineProblem, RoundStatus
from vitnemal.admissions.rules import NO_DEGREE, UNNAMED, Reason
from vitnemal.exchange.messages import count
from vitnemal.exchange.outcomes import Outcome
from vitnemal.exchange.states import OutcomeState
from vitnemal.i18n import Language, show_time

T = dict[Language, str]

_OUTCOMES: dict[str, T] = {
    Outcome.IMPORTED: {"nb": "{name}: {what} er hentet.", "nn": "{name}: {what} er henta.",
                       "en": "{name}: {what} fetched."},
    Outcome.NO_RESULTS: {"nb": "{name} har ingen beståtte resultater for søkeren.",
                         "nn": "{name} har ingen beståtte resultat for søkjaren.",
                         "en": "{name} holds no passed results for the applicant."},
    Outcome.NO_CONSENT: {"nb": "{name} godtok ikke samtykket til henting for opptak. Be søkeren krysse av for "
                               "henting av resultater i søknaden på nytt.",
                         "nn": "{name} godtok ikkje samtykket til henting for opptak. Be søkjaren krysse av for "
                               "henting av resultat i søknaden på nytt.",
                         "en": "{name} did not accept the consent to fetching for admission. Ask the applicant to "
                               "tick \"fetch my results\" in the application again."},
    Outcome.NOT_SHARING: {"nb": "{name} deler ikke resultater. Be søkeren laste opp dokumentasjon derfra.",
                          "nn": "{name} deler ikkje resultat. Be søkjaren laste opp dokumentasjon derifrå.",
                          "en": "{name} does not share results. Ask the applicant to upload documentation from "
                                "there."},
    Outcome.RESERVED: {"nb": "{name} har reservert seg mot resultatutveksling. Be søkeren laste opp dokumentasjon "
                             "derfra.",
                       "nn": "{name} har reservert seg mot resultatutveksling. Be søkjaren laste opp dokumentasjon "
                             "derifrå.",
                       "en": "{name} has opted out of results exchange. Ask the applicant to upload documentation "
                             "from there."},
    Outcome.UNAVAILABLE: {"nb": "{name} svarte ikke, heller ikke etter {attempts} forsøk. Be søkeren laste opp "
                                "dokumentasjon, eller hent på nytt senere.",
                          "nn": "{name} svarte ikkje, heller ikkje etter {attempts} forsøk. Be søkjaren laste opp "
                                "dokumentasjon, eller hent på nytt seinare.",
                          "en": "{name} did not answer, not even after {attempts} attempts. Ask the applicant for "
                                "documentation, or fetch again later."},
    Outcome.INVALID_ANSWER: {"nb": "{name} sendte et svar som ikke kunne godtas; ingenting derfra er brukt. Meld "
                                   "fra til {name}.",
                             "nn": "{name} sende eit svar som ikkje kunne godtakast; ingenting derifrå er brukt. "
                                   "Meld frå til {name}.",
                             "en": "{name} sent an answer that could not be accepted; nothing from it is used. "
                                   "Report it to {name}."},
    Outcome.IDENTITY_MISMATCH: {"nb": "{name} har søkeren under et annet fødselsnummer; ingenting er hentet. Be "
                                      "søkeren få fødselsnummeret oppdatert der.",
                                "nn": "{name} har søkjaren under eit anna fødselsnummer; ingenting er henta. Be "
                                      "søkjaren få fødselsnummeret oppdatert der.",
                                "en": "{name} holds the applicant under another national id; nothing was fetched. "
                                      "Ask the applicant to have it updated there."},
    Outcome.DEGREE_NOT_RELEASED: {"nb": "{name} har en grad der vitnemålet ikke er utstedt ennå. Be søkeren laste "
                                        "opp dokumentasjon.",
                                  "nn": "{name} har ein grad der vitnemålet ikkje er skrive ut enno. Be søkjaren "
                                        "laste opp dokumentasjon.",
                                  "en": "{name} holds a degree whose diploma is not issued yet. Ask the applicant "
                                        "for documentation."},
    Outcome.REFUSED: {"nb": "{name} avviste forespørselen. Be driftsansvarlig sjekke føderasjonsregisteret.",
                      "nn": "{name} avviste førespurnaden. Be driftsansvarleg sjekke føderasjonsregisteret.",
                      "en": "{name} refused the request. Ask your operator to check the federation registry."},
}
_RETRY: T = {"nb": "{name} svarte ikke; spørres automatisk på nytt {at}.",
             "nn": "{name} svarte ikkje; blir spurd automatisk på nytt {at}.",
             "en": "{name} did not answer; it is asked again automatically at {at}."}
_NOT_ASKED: T = {"nb": "{name} er ikke spurt ennå.", "nn": "{name} er ikkje spurd enno.",
                 "en": "{name} has not been asked yet."}
_WITHDRAWN: T = {"nb": "Søkeren trakk samtykket; ingen flere institusjoner spørres.",
                 "nn": "Søkjaren trekte samtykket; ingen fleire institusjonar blir spurde.",
                 "en": "The applicant withdrew the consent; no further institutions are asked."}
_UNNAMED: T = {"nb": "Lista oppga ikke søkerens navn. En institusjon som har søkeren under et annet fødselsnummer (for "
                     "eksempel et gammelt D-nummer), kan da bare svare «ingen resultater», så de svarene er ikke "
                     "bekreftet. Legg søkeren inn i en ny runde med fornavn og etternavn, eller spør søkeren.",
               "nn": "Lista oppgav ikkje namnet til søkjaren. Ein institusjon som har søkjaren under eit anna "
                     "fødselsnummer (til dømes eit gammalt D-nummer), kan då berre svare «ingen resultat», så dei "
                     "svara er ikkje stadfesta. Legg søkjaren inn i ein ny runde med fornamn og etternamn, eller spør "
                     "søkjaren.",
               "en": "The list gave no name for the applicant. An institution that holds them under another national "
                     "id (an old D-number, say) can then only answer \"no results\", so those answers are not "
                     "confirmed. Put the applicant in a new round with first and last name, or ask the applicant."}
_UNNAMED_LIST: T = {"nb": "{count} uten navn: lista mangler kolonnene fornavn og etternavn for dem. Der en "
                          "institusjon svarer «ingen resultater», kan den ikke si fra om den har søkeren under et "
                          "annet fødselsnummer; de søkerne blir stående som ufullstendige med den grunnen.",
                    "nn": "{count} utan namn: lista manglar kolonnane fornavn og etternavn for dei. Der ein "
                          "institusjon svarar «ingen resultat», kan han ikkje seie frå om han har søkjaren under eit "
                          "anna fødselsnummer; dei søkjarane blir ståande som ufullstendige med den grunnen.",
                    "en": "{count} without a name: the list lacks the columns fornavn and etternavn for them. Where "
                          "an institution answers \"no results\", it cannot say that it holds the applicant under "
                          "another national id; those applicants stay incomplete for that reason."}
_CANCELLED: T = {"nb": "Runden ble avbrutt før alle var spurt.", "nn": "Runden vart avbroten før alle var spurde.",
                 "en": "The round was cancelled before everyone was asked."}

_LINES: dict[LineProblem, T] = {
    LineProblem.INVALID_NATIONAL_ID: {"nb": "Linje {line}: ugyldig fødselsnummer ({detail}).",
                                      "nn": "Linje {line}: ugyldig fødselsnummer ({detail}).",
                                      "en": "Line {line}: invalid national id ({detail})."},
    LineProblem.DUPLICATE: {"nb": "Linje {line}: søkeren står allerede i lista ({detail}).",
                            "nn": "Linje {line}: søkjaren står alt i lista ({detail}).",
                            "en": "Line {line}: the applicant is already in the list ({detail})."},
    LineProblem.NO_CONSENT: {"nb": "Linje {line}: søkeren har ikke samtykket til henting av resultater.",
                             "nn": "Linje {line}: søkjaren har ikkje samtykt til henting av resultat.",
                             "en": "Line {line}: the applicant has not consented to fetching their results."},
    LineProblem.MALFORMED: {"nb": "Linje {line}: feil antall kolonner eller for lang linje.",
                            "nn": "Linje {line}: feil tal på kolonnar eller for lang linje.",
                            "en": "Line {line}: wrong number of columns or too long a line."},
}

_STATUS: dict[RoundStatus, T] = {
    RoundStatus.RUNNING: {"nb": "Pågår", "nn": "Går føre seg", "en": "Running"},
    RoundStatus.PAUSED: {"nb": "Satt på pause", "nn": "Sett på pause", "en": "Paused"},
    RoundStatus.DONE: {"nb": "Ferdig", "nn": "Ferdig", "en": "Done"},
    RoundStatus.CANCELLED: {"nb": "Avbrutt", "nn": "Avbroten", "en": "Cancelled"},
}
_LEVELS: dict[str, T] = {
    "bachelor": {"nb": "bachelornivå", "nn": "bachelornivå", "en": "bachelor's level"},
    "master": {"nb": "masternivå", "nn": "masternivå", "en": "master's level"},
    "phd": {"nb": "ph.d.-nivå", "nn": "ph.d.-nivå", "en": "PhD level"},
    "other": {"nb": "annen kvalifikasjon", "nn": "anna kvalifikasjon", "en": "other qualification"},
    NO_DEGREE: {"nb": "utenfor grad", "nn": "utanfor grad", "en": "not part of a degree"},
}


def outcome_text(*, name: str, outcome: str, state: OutcomeState, results: int, degrees: int, attempts: int,
                 next_attempt_at: datetime | None, lang: Language = "nb") -> str:
    """One institution's answer about the applicant as a sentence."""
    if state is OutcomeState.RETRY and next_attempt_at is not None:
        return _RETRY[lang].format(name=name, at=show_time(next_attempt_at, lang))
    what = count(results, "result", lang) + (f", {count(degrees, 'degree', lang)}" if degrees else "")
    template = _OUTCOMES.get(outcome, _OUTCOMES[Outcome.INVALID_ANSWER])
    return template[lang].format(name=name, what=what, attempts=attempts)


def reason_text(reason: Reason, name: str, lang: Language = "nb", attempts: int = 0) -> str:
    """Why an applicant's fetch is incomplete, as a sentence (``name`` is the institution's, if any)."""
    if reason.code == "consent_withdrawn":
        return _WITHDRAWN[lang]
    if reason.code == "cancelled":
        return _CANCELLED[lang]
    if reason.code == UNNAMED:
        return _UNNAMED[lang]
    if reason.code == "not_asked":
        return _NOT_ASKED[lang].format(name=name)
    if reason.code == "waiting_retry":
        at = show_time(reason.next_attempt_at, lang) if reason.next_attempt_at else "?"
        return _RETRY[lang].format(name=name, at=at)
    return _OUTCOMES.get(reason.code, _OUTCOMES[Outcome.INVALID_ANSWER])[lang].format(
        name=name, what="", attempts=attempts)


def line_problem_text(reason: LineProblem, line_no: int, detail: str, lang: Language = "nb") -> str:
    return _LINES[reason][lang].format(line=line_no, detail=detail)


def unnamed_list_text(count: str, lang: Language = "nb") -> str:
    """What a round started from a list without names cannot tell (``count`` is e.g. "3 søkere")."""
    return _UNNAMED_LIST[lang].format(count=count)


def status_label(status: RoundStatus, lang: Language = "nb") -> str:
    return _STATUS[status][lang]


def level_label(level: str, lang: Language = "nb") -> str:
    return _LEVELS.get(level, _LEVELS["other"])[lang]
