"""Why the recognition service refuses a request, and what it notes for the case worker: a code that the JSON keeps
and a sentence that each entry point says in its reader's language.

The English sentences below are the message ids in the foundation's message catalogues (context "recognition"),
where translators review them beside the pages' texts; ``bash scripts/i18n`` extracts them (the ``P_`` marker).
The service raises :class:`RecognitionError` (or :class:`CaseNotFound`) with a :class:`Refusal` and its
parameters; ``str(exc)`` is the English sentence, :meth:`Said.said` the sentence through a catalogue's
``pgettext`` (the pages' and the CLI's ``--lang``). Parameters are names, codes, numbers and terms as written in
the records, never words to translate. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from vitnemal.i18n import P_ as P_  # the one marker (re-exported: the CLI and the pages import it from here)
from vitnemal.i18n import PGettext as PGettext

CONTEXT = "recognition"


class Refusal(StrEnum):
    """What the service refuses; the value is the code the JSON (API and ``--json``) keeps."""

    PERSON_UNKNOWN = "person_unknown"
    QUALIFICATION_MISSING = "qualification_missing"
    QUALIFICATION_TOO_LONG = "qualification_too_long"
    CREDITS_INVALID = "credits_invalid"
    NOTHING_OPEN_TO = "nothing_open_to"
    NOT_OPEN_TO = "not_open_to"
    CASE_NOT_FOUND = "case_not_found"
    CASE_CLOSED = "case_closed"
    CASE_ALREADY_OPEN = "case_already_open"
    CASE_ALREADY_OPEN_TOWARD = "case_already_open_toward"
    NO_CONSENT = "no_consent"
    CONSENT_REFUSED = "consent_refused"
    ORDER_REFUSED = "order_refused"
    RESULT_NOT_IMPORTED = "result_not_imported"
    RESULT_REMOVED = "result_removed"
    ALREADY_RECOGNISED = "already_recognised"
    TOO_MANY_CREDITS = "too_many_credits"
    BLOCK_TITLE_MISSING = "block_title_missing"
    BLOCK_INSTITUTION_MISSING = "block_institution_missing"
    TERM_INVALID = "term_invalid"
    NOTHING_CHOSEN = "nothing_chosen"
    ITEM_NOT_FOUND = "item_not_found"
    ITEM_WITHDRAWN = "item_withdrawn"
    NOT_A_DECISION = "not_a_decision"
    NOTHING_RECOGNISED = "nothing_recognised"
    REASON_MISSING = "reason_missing"
    SEARCH_EMPTY = "search_empty"
    SEARCH_TOO_LONG = "search_too_long"
    SEARCH_NOT_AN_ID = "search_not_an_id"
    SEARCH_TOO_MANY_WORDS = "search_too_many_words"


class Notice(StrEnum):
    """What the service points out without refusing."""

    PART_OF_DEGREE = "part_of_degree"


TEXTS: dict[Refusal | Notice, str] = {
    Refusal.PERSON_UNKNOWN: P_("recognition", "No person with national id %(national_id)s is registered here. "
                                              "Register the person first."),
    Refusal.QUALIFICATION_MISSING: P_("recognition", "Give the qualification it counts toward (a qualification "
                                                     "code such as MA-INF)."),
    Refusal.QUALIFICATION_TOO_LONG: P_("recognition", "%(code)s is too long for a qualification code (at most 30 "
                                                      "characters)."),
    Refusal.CREDITS_INVALID: P_("recognition", "%(value)s is not a number of credits: use a positive number such "
                                               "as 10 or 7.5, at most 999."),
    Refusal.NOTHING_OPEN_TO: P_("recognition", "%(name)s holds no qualification and was admitted to no programme "
                                               "here, so nothing can count toward %(code)s. Record the admission "
                                               "to the programme that leads to %(code)s first."),
    Refusal.NOT_OPEN_TO: P_("recognition", "%(name)s cannot take %(code)s here; what counts toward a "
                                           "qualification must be one they hold or study for: %(open_to)s."),
    Refusal.CASE_NOT_FOUND: P_("recognition", "No recognition case %(case)s here; see the list of cases."),
    Refusal.CASE_CLOSED: P_("recognition", "Case %(case)s is %(status)s: its decisions are final. Open a new case "
                                           "to assess more results."),
    Refusal.CASE_ALREADY_OPEN: P_("recognition", "Case %(case)s is already open for %(name)s; continue that one "
                                                 "or decide it first."),
    Refusal.CASE_ALREADY_OPEN_TOWARD: P_("recognition", "Case %(case)s is already open for %(name)s toward "
                                                        "%(code)s; continue that one or decide it first."),
    Refusal.NO_CONSENT: P_("recognition", "%(name)s has not answered the question on results exchange "
                                          "(RESUTVEKSL). The student must consent in Studentweb before results "
                                          "can be fetched."),
    Refusal.CONSENT_REFUSED: P_("recognition", "%(name)s has answered no (N) to results exchange (RESUTVEKSL). "
                                               "The student must consent in Studentweb before results can be "
                                               "fetched."),
    Refusal.ORDER_REFUSED: P_("recognition", "The results cannot be ordered: %(detail)s"),
    Refusal.RESULT_NOT_IMPORTED: P_("recognition", "External result %(result)s is not among %(name)s's imported "
                                                   "results. Fetch them into the case first, then choose among "
                                                   "them."),
    Refusal.RESULT_REMOVED: P_("recognition", "%(course)s %(term)s was removed at %(source)s; it can no longer be "
                                              "recognised."),
    Refusal.ALREADY_RECOGNISED: P_("recognition", "%(course)s is already recognised toward %(code)s."),
    Refusal.TOO_MANY_CREDITS: P_("recognition", "%(course)s has %(credits)s credits; %(counted)s cannot count "
                                                "toward %(code)s."),
    Refusal.BLOCK_TITLE_MISSING: P_("recognition", "Give the block a title that says what it contains, e.g. "
                                                   "“Fordypning i informatikk”."),
    Refusal.BLOCK_INSTITUTION_MISSING: P_("recognition", "Give the name of the institution the block comes from, "
                                                         "e.g. “Høgskulen i Sogn og Fjordane”."),
    Refusal.TERM_INVALID: P_("recognition", "%(term)s is not a term: write the year and VÅR or HØST, e.g. "
                                            "“2025 HØST”."),
    Refusal.NOTHING_CHOSEN: P_("recognition", "Choose at least one external result to recognise."),
    Refusal.ITEM_NOT_FOUND: P_("recognition", "Case %(case)s has no item %(item)s."),
    Refusal.ITEM_WITHDRAWN: P_("recognition", "Item %(item)s was already withdrawn by %(by)s."),
    Refusal.NOT_A_DECISION: P_("recognition", "%(status)s is not a decision: use FERDIG or AVSLÅTT."),
    Refusal.NOTHING_RECOGNISED: P_("recognition", "Case %(case)s recognises nothing: recognise a course or a block "
                                                  "first, or refuse the case (AVSLÅTT) with the reason."),
    Refusal.REASON_MISSING: P_("recognition", "A refusal (AVSLÅTT) needs its reason, given as the decision's "
                                              "remark: the person is entitled to it."),
    Refusal.SEARCH_EMPTY: P_("recognition", "Type a name, a national id (fødselsnummer or D-number) or a birth date "
                                            "(DDMMYY)."),
    Refusal.SEARCH_TOO_LONG: P_("recognition", "The search is longer than %(max)s characters; type a name or a "
                                               "national id."),
    Refusal.SEARCH_NOT_AN_ID: P_("recognition", "%(query)s is not a national id: type all 11 digits, or at least "
                                                "the birth date (DDMMYY)."),
    Refusal.SEARCH_TOO_MANY_WORDS: P_("recognition", "Type at most %(max)s words of the name."),
    Notice.PART_OF_DEGREE: P_("recognition", "The course is part of %(degree)s (%(code)s) at %(source)s; a course "
                                             "that counts in one degree cannot ordinarily count in another."),
}


def english(key: Refusal | Notice, params: Mapping[str, str]) -> str:
    """The sentence in English (the message id filled in)."""
    return TEXTS[key] % params


class Said:
    """A sentence by its key and parameters: English by ``str()``, any language by :meth:`said`, its code and
    parameters by :meth:`as_json`."""

    key: Refusal | Notice
    params: dict[str, str]

    def said(self, pgettext: PGettext) -> str:
        """The sentence in the catalogue's language (the English one where the catalogue has none)."""
        return pgettext(CONTEXT, TEXTS[self.key]) % self.params

    def as_json(self) -> dict[str, Any]:
        return {"code": self.key.value, "params": self.params, "message": english(self.key, self.params)}


class Note(Said):
    """Something the case worker should know about a result (:class:`Notice`)."""

    def __init__(self, key: Notice, **params: object) -> None:
        self.key, self.params = key, {k: str(v) for k, v in params.items()}

    def __str__(self) -> str:
        return english(self.key, self.params)


class _Refused(Said):
    """The shared part of the service's refusals: the key, the parameters, and the next step to name."""

    next_step: str | None = None
    case_id: int | None = None
    national_id: str | None = None

    def _refuse(self, key: Refusal, params: Mapping[str, object], next_step: str | None, case_id: int | None,
                national_id: str | None) -> str:
        given = {**params, **({"national_id": national_id} if national_id is not None else {})}
        self.key, self.params = key, {k: str(v) for k, v in given.items()}
        self.next_step, self.case_id, self.national_id = next_step, case_id, national_id
        return english(key, self.params)

    @property
    def code(self) -> str:
        return self.key.value


class RecognitionError(_Refused, ValueError):
    """A request the rules refuse: ``Refusal`` and parameters, said in English by ``str()``.

    ``next_step`` names what to do next ("fetch", "show", "list", "qualifications", "add-person") so that an entry
    point can say it in its own terms (the CLI as a command with ``-i``); the sentence itself names no command.
    """

    def __init__(self, key: Refusal, *, next_step: str | None = None, case_id: int | None = None,
                 national_id: str | None = None, **params: object) -> None:
        super().__init__(self._refuse(key, params, next_step, case_id, national_id))


class CaseNotFound(_Refused, LookupError):
    """No recognition case with that id at this institution."""

    def __init__(self, case_id: int) -> None:
        super().__init__(self._refuse(Refusal.CASE_NOT_FOUND, {"case": case_id}, "list", None, None))
