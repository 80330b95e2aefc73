"""What a case worker reads about an order: one sentence per outcome and change, in bokmål, nynorsk or English.

Each sentence names the institution and says what happens next or what to do. The internal codes and the
technical detail (``message``) stay in the JSON for operators; they are never part of these sentences. No I/O.
"""

from __future__ import annotations

from datetime import datetime

from vitnemal.exchange.outcomes import Outcome
from vitnemal.exchange.states import OrderStatus, OutcomeState
from vitnemal.i18n import Language, show_time

_OUTCOMES: dict[str, dict[Language, str]] = {
    Outcome.IMPORTED: {
        "nb": "{name}: {what} er hentet inn.",
        "nn": "{name}: {what} er henta inn.",
        "en": "{name}: {what} imported.",
    },
    Outcome.NO_RESULTS: {
        "nb": "{name} har ingen beståtte resultater for personen.",
        "nn": "{name} har ingen beståtte resultat for personen.",
        "en": "{name} holds no passed results for this person.",
    },
    Outcome.NO_CONSENT: {
        "nb": "{name} fikk ikke svare fordi samtykket mangler eller er trukket. Be studenten samtykke til "
              "resultatutveksling i Studentweb, og bestill på nytt.",
        "nn": "{name} fekk ikkje svare fordi samtykket manglar eller er trekt. Be studenten samtykkje til "
              "resultatutveksling i Studentweb, og bestill på nytt.",
        "en": "{name} could not answer because the student's consent is missing or withdrawn. Ask the student to "
              "consent to results exchange in Studentweb, then order again.",
    },
    Outcome.NOT_SHARING: {
        "nb": "{name} deler ikke resultater gjennom resultatutveksling. Be studenten om dokumentasjon derfra.",
        "nn": "{name} deler ikkje resultat gjennom resultatutveksling. Be studenten om dokumentasjon derifrå.",
        "en": "{name} does not share results through the exchange. Ask the student for documentation from there.",
    },
    Outcome.RESERVED: {
        "nb": "{name} har reservert seg mot resultatutveksling. Be studenten om dokumentasjon derfra.",
        "nn": "{name} har reservert seg mot resultatutveksling. Be studenten om dokumentasjon derifrå.",
        "en": "{name} has opted out of results exchange. Ask the student for documentation from there.",
    },
    Outcome.UNAVAILABLE: {
        "nb": "{name} svarte ikke, heller ikke etter {attempts} forsøk. Bestill på nytt senere, eller kontakt "
              "institusjonen.",
        "nn": "{name} svarte ikkje, heller ikkje etter {attempts} forsøk. Bestill på nytt seinare, eller kontakt "
              "institusjonen.",
        "en": "{name} did not answer, not even after {attempts} attempts. Order again later, or contact the "
              "institution.",
    },
    Outcome.INVALID_ANSWER: {
        "nb": "{name} sendte et svar som ikke kunne godtas, og ingenting derfra er hentet inn. Meld fra til "
              "{name} og oppgi bestilling {order}.",
        "nn": "{name} sende eit svar som ikkje kunne godtakast, og ingenting derifrå er henta inn. Meld frå til "
              "{name} og oppgi bestilling {order}.",
        "en": "{name} sent an answer that could not be accepted; nothing from it was imported. Report it to "
              "{name}, quoting order {order}.",
    },
    Outcome.IDENTITY_MISMATCH: {
        "nb": "{name} har personen under et annet fødselsnummer, og ingenting er hentet inn. Be studenten få "
              "fødselsnummeret oppdatert ved {name}.",
        "nn": "{name} har personen under eit anna fødselsnummer, og ingenting er henta inn. Be studenten få "
              "fødselsnummeret oppdatert ved {name}.",
        "en": "{name} holds this person under another national id; nothing was imported. Ask the student to have "
              "the national id updated at {name}.",
    },
    Outcome.DEGREE_NOT_RELEASED: {
        "nb": "{name} har en grad som ikke er frigitt fordi vitnemålet ikke var utstedt før hentedatoen "
              "(Dato_Utlev_Vitn). Bestill på nytt når vitnemålet er utstedt.",
        "nn": "{name} har ein grad som ikkje er frigitt fordi vitnemålet ikkje var skrive ut før hentedatoen "
              "(Dato_Utlev_Vitn). Bestill på nytt når vitnemålet er skrive ut.",
        "en": "{name} holds a degree that is not released because its diploma was not issued before the fetch date "
              "(Dato_Utlev_Vitn). Order again once the diploma is issued.",
    },
    Outcome.REFUSED: {
        "nb": "{name} avviste forespørselen. Be driftsansvarlig sjekke føderasjonsregisteret og klokkene.",
        "nn": "{name} avviste førespurnaden. Be driftsansvarleg sjekke føderasjonsregisteret og klokkene.",
        "en": "{name} refused the request. Ask your operator to check the federation registry and the clocks.",
    },
}

_RETRY: dict[Language, str] = {
    "nb": "{name} svarte ikke nå; spørres automatisk på nytt {at}.",
    "nn": "{name} svarte ikkje no; blir spurd automatisk på nytt {at}.",
    "en": "{name} did not answer this time; it is asked again automatically at {at}.",
}
_PENDING: dict[Language, str] = {
    "nb": "{name} har ikke svart ennå.",
    "nn": "{name} har ikkje svart enno.",
    "en": "{name} has not answered yet.",
}

_CHANGES: dict[str, dict[Language, str]] = {
    "new_result": {"nb": "{name}: nytt resultat {code}.", "nn": "{name}: nytt resultat {code}.",
                   "en": "{name}: new result {code}."},
    "improved_grade": {"nb": "{name}: forbedret karakter i {code}.", "nn": "{name}: betra karakter i {code}.",
                       "en": "{name}: improved grade in {code}."},
    "changed_grade": {"nb": "{name}: endret karakter i {code}.", "nn": "{name}: endra karakter i {code}.",
                      "en": "{name}: changed grade in {code}."},
    "changed_result": {"nb": "{name}: endret resultat {code}.", "nn": "{name}: endra resultat {code}.",
                       "en": "{name}: changed result {code}."},
    "removed_at_source": {"nb": "{name}: {code} er ikke lenger blant de beståtte resultatene der.",
                          "nn": "{name}: {code} er ikkje lenger blant dei beståtte resultata der.",
                          "en": "{name}: {code} is no longer among the passed results there."},
    "new_qualification": {"nb": "{name}: ny grad {code}.", "nn": "{name}: ny grad {code}.",
                          "en": "{name}: new degree {code}."},
    "changed_qualification": {"nb": "{name}: endret grad {code}.", "nn": "{name}: endra grad {code}.",
                              "en": "{name}: changed degree {code}."},
}

_STATUS: dict[OrderStatus, dict[Language, str]] = {
    OrderStatus.QUEUED: {"nb": "Bestilt {ordered}; venter på å bli kjørt.", "nn": "Bestilt {ordered}; ventar på å "
                         "bli køyrd.", "en": "Ordered {ordered}; waiting to be run."},
    OrderStatus.RUNNING: {"nb": "Bestilt {ordered}; institusjonene spørres nå.", "nn": "Bestilt {ordered}; "
                          "institusjonane blir spurde no.", "en": "Ordered {ordered}; the institutions are being "
                          "asked now."},
    OrderStatus.WAITING: {"nb": "Venter på nytt forsøk {at}: alle har svart unntatt {names}.",
                          "nn": "Ventar på nytt forsøk {at}: alle har svart unntatt {names}.",
                          "en": "Waiting for a retry at {at}: every institution has answered except {names}."},
    OrderStatus.DONE: {"nb": "Ferdig {finished}: alle institusjonene har svart.", "nn": "Ferdig {finished}: alle "
                       "institusjonane har svart.", "en": "Finished {finished}: every institution has answered."},
}

_ORDERED: dict[Language, str] = {"nb": "Bestilt {at}", "nn": "Bestilt {at}", "en": "Ordered {at}"}


_NOUNS: dict[Language, dict[str, tuple[str, str]]] = {
    "nb": {"result": ("resultat", "resultater"), "degree": ("grad", "grader")},
    "nn": {"result": ("resultat", "resultat"), "degree": ("grad", "gradar")},
    "en": {"result": ("result", "results"), "degree": ("degree", "degrees")},
}
_AND: dict[Language, str] = {"nb": "og", "nn": "og", "en": "and"}


def count(n: int, noun: str, lang: Language) -> str:
    """"1 resultat", "4 resultater" (nb), "4 resultat" (nn), "1 degree" (en)."""
    one, many = _NOUNS[lang][noun]
    return f"{n} {one if n == 1 else many}"


def _imported(results: int, degrees: int, lang: Language) -> str:
    parts = [count(results, "result", lang)] if results or not degrees else []
    if degrees:
        parts.append(count(degrees, "degree", lang))
    return f" {_AND[lang]} ".join(parts)


def order_label(ordered_at: datetime, lang: Language = "nb") -> str:
    """FS's "Bestilt dato+klokkeslett", in Norwegian time."""
    return _ORDERED[lang].format(at=show_time(ordered_at, lang))


def outcome_text(*, name: str, outcome: str | None, state: OutcomeState, results: int, degrees: int, attempts: int,
                 next_attempt_at: datetime | None, order_id: int, lang: Language = "nb") -> str:
    """One institution's outcome as a sentence that names it and says what happens next or what to do."""
    if outcome is None or state is OutcomeState.PENDING:
        return _PENDING[lang].format(name=name)
    if state is OutcomeState.RETRY and next_attempt_at is not None:
        return _RETRY[lang].format(name=name, at=show_time(next_attempt_at, lang))
    template = _OUTCOMES.get(outcome, _OUTCOMES[Outcome.INVALID_ANSWER])
    return template[lang].format(name=name, what=_imported(results, degrees, lang), attempts=attempts,
                                 order=order_id)


# How a page shows each outcome (Designsystemet's colours): done, nothing to do, wait, or act.
_TONES: dict[str, str] = {
    Outcome.IMPORTED: "success", Outcome.NO_RESULTS: "neutral", Outcome.NOT_SHARING: "neutral",
    Outcome.RESERVED: "warning", Outcome.NO_CONSENT: "danger", Outcome.UNAVAILABLE: "danger",
    Outcome.INVALID_ANSWER: "danger", Outcome.IDENTITY_MISMATCH: "danger", Outcome.DEGREE_NOT_RELEASED: "warning",
    Outcome.REFUSED: "danger",
}


def outcome_tone(outcome: str | None, state: OutcomeState) -> str:
    """``success``, ``neutral``, ``info`` (waiting: nothing to do yet), ``warning`` or ``danger`` (act on it)."""
    if outcome is None or state in (OutcomeState.PENDING, OutcomeState.RETRY):
        return "info"
    return _TONES.get(outcome, "danger")


def change_text(*, name: str, kind: str, code: str, lang: Language = "nb") -> str:
    template = _CHANGES.get(kind, _CHANGES["changed_result"])
    return template[lang].format(name=name, code=code)


def status_text(*, status: OrderStatus, ordered_at: datetime, next_run_at: datetime | None,
                finished_at: datetime | None, waiting_for: list[str], lang: Language = "nb") -> str:
    """The order's state as a sentence: when it was ordered, what it waits for (and until when), when it ended."""
    return _STATUS[status][lang].format(
        ordered=show_time(ordered_at, lang), at=show_time(next_run_at, lang) if next_run_at else "?",
        finished=show_time(finished_at, lang) if finished_at else "", names=", ".join(waiting_for))
