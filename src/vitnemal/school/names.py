"""The words schools use for subjects, exams and grades, and what they mean in the model.

Matching is forgiving in the ways school exports differ and strict otherwise: case, punctuation, word order,
nynorsk forms (munnleg, skriftleg, hovudmål, framandspråk, valfag, åtferd), ASCII spellings (hovedmal, kroppsoving)
and the English names are accepted; anything else is an error that names what is accepted.
Every function here is pure; results are cached because a county file repeats the same few names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vitnemal.school.model import (
    EXEMPT,
    NOT_PARTICIPATED,
    NOT_POSSIBLE,
    PARTICIPATED,
    Behaviour,
    ExamForm,
    ExamSubject,
    Grade,
    Subject,
)


class UnknownName(ValueError):
    """A name or a mark that means nothing here; the message says what is accepted."""


_TRANSLITERATE = str.maketrans({"å": "a", "ø": "o", "æ": "ae", "é": "e", "ä": "a", "ö": "o"})
# Nynorsk and spelling variants → the bokmål word used in the alias tables.
_WORD_VARIANTS = {
    "munnleg": "muntlig",
    "muntleg": "muntlig",
    "skriftleg": "skriftlig",
    "hovudmal": "hovedmal",
    "framandsprak": "fremmedsprak",
    "valfag": "valgfag",
    "utdanningsval": "utdanningsvalg",
}
_STOP_WORDS = frozenset({"og", "and", "i", "fag", "standpunkt", "standpunktkarakter"})


def name_key(text: str) -> tuple[str, ...]:
    """Return the comparison key of a name: folded case, ASCII letters, no punctuation, sorted words."""
    folded = re.sub(r"[^a-z0-9]+", " ", text.casefold().translate(_TRANSLITERATE))
    words = (_WORD_VARIANTS.get(word, word) for word in folded.split())
    return tuple(sorted(word for word in words if word not in _STOP_WORDS))


_SUBJECT_ALIASES: dict[Subject, tuple[str, ...]] = {
    Subject.NORSK_MUNTLIG: ("norsk muntlig", "norwegian oral"),
    Subject.NORSK_HOVEDMAL_SKRIFTLIG: (
        "norsk hovedmål skriftlig",
        "norsk hovedmål",
        "norsk skriftlig",
        "norwegian written main form",
        "norwegian written primary form",
    ),
    Subject.NORSK_SIDEMAL_SKRIFTLIG: (
        "norsk sidemål skriftlig",
        "norsk sidemål",
        "sidemål",
        "norwegian written second form",
        "norwegian written secondary form",
    ),
    Subject.ENGELSK_MUNTLIG: ("engelsk muntlig", "english oral"),
    Subject.ENGELSK_SKRIFTLIG: ("engelsk skriftlig", "english written"),
    Subject.MATEMATIKK: ("matematikk", "mathematics", "maths", "math"),
    Subject.NATURFAG: ("naturfag", "natural science", "science"),
    Subject.SAMFUNNSFAG: ("samfunnsfag", "social studies", "social science"),
    Subject.KRLE: (
        "KRLE",
        "kristendom, religion, livssyn og etikk",
        "religion, livssyn og etikk",
        "RLE",
        "christianity, religion, philosophies of life and ethics",
    ),
    Subject.MAT_OG_HELSE: ("mat og helse", "food and health"),
    Subject.MUSIKK: ("musikk", "music"),
    Subject.KUNST_OG_HANDVERK: ("kunst og håndverk", "arts and crafts", "art and crafts"),
    Subject.KROPPSOVING: ("kroppsøving", "physical education"),
    Subject.FREMMEDSPRAK: (
        "fremmedspråk",
        "fremmedspråk / arbeidslivsfag",
        "foreign language",
        "tysk",
        "fransk",
        "spansk",
    ),
    Subject.ARBEIDSLIVSFAG: ("arbeidslivsfag", "working life", "working life studies"),
    Subject.UTDANNINGSVALG: ("utdanningsvalg", "education choice", "educational choices"),
}
_ELECTIVE_ALIASES = ("valgfag", "elective", "elective subject")
_ORDER_ALIASES = ("orden", "order")
_CONDUCT_ALIASES = ("atferd", "oppførsel", "conduct", "behaviour", "behavior")

_SUBJECTS = {name_key(alias): subject for subject, aliases in _SUBJECT_ALIASES.items() for alias in aliases}
_SUBJECTS.update({name_key(subject.value): subject for subject in Subject})

# What a key in the "final" mapping may stand for besides a subject.
ELECTIVE = "valgfag"
ORDER = "orden"
CONDUCT = "atferd"
_FINAL_EXTRAS = {name_key(a): ELECTIVE for a in _ELECTIVE_ALIASES}
_FINAL_EXTRAS.update({name_key(a): ORDER for a in _ORDER_ALIASES})
_FINAL_EXTRAS.update({name_key(a): CONDUCT for a in _CONDUCT_ALIASES})

KNOWN_SUBJECTS_HINT = ", ".join(s.value for s in Subject) + ", valgfag"


@lru_cache(maxsize=512)
def resolve_final(name: str) -> Subject | str:
    """Return the :class:`Subject` a final-grade key names, or "valgfag" / "orden" / "atferd".

    Numbered valgfag keys ("valgfag 2", "valfag2") are valgfag. Raises :class:`UnknownName` otherwise.
    """
    key = name_key(name)
    if key in _SUBJECTS:
        return _SUBJECTS[key]
    words = tuple(re.sub(r"\d+$", "", w) for w in key if not w.isdigit())
    stripped = tuple(sorted(w for w in words if w))
    if stripped in _FINAL_EXTRAS:
        return _FINAL_EXTRAS[stripped]
    raise UnknownName(f"unknown subject {name!r}; use one of: {KNOWN_SUBJECTS_HINT}")


_EXAM_SUBJECT_ALIASES: dict[ExamSubject, tuple[str, ...]] = {
    ExamSubject.NORSK: ("norsk", "norwegian"),
    ExamSubject.NORSK_HOVEDMAL: ("norsk hovedmål", "hovedmål", "norwegian main form"),
    ExamSubject.NORSK_SIDEMAL: ("norsk sidemål", "sidemål", "norwegian second form"),
    ExamSubject.ENGELSK: ("engelsk", "english"),
    ExamSubject.MATEMATIKK: ("matematikk", "mathematics", "maths", "math"),
    ExamSubject.KRLE: _SUBJECT_ALIASES[Subject.KRLE],
    ExamSubject.SAMFUNNSFAG: _SUBJECT_ALIASES[Subject.SAMFUNNSFAG],
    ExamSubject.NATURFAG: _SUBJECT_ALIASES[Subject.NATURFAG],
    ExamSubject.FREMMEDSPRAK: _SUBJECT_ALIASES[Subject.FREMMEDSPRAK],
    ExamSubject.ARBEIDSLIVSFAG: _SUBJECT_ALIASES[Subject.ARBEIDSLIVSFAG],
}
_EXAM_SUBJECTS = {name_key(alias): subject for subject, aliases in _EXAM_SUBJECT_ALIASES.items() for alias in aliases}
_FORM_WORDS = {
    ("muntlig", "praktisk"): ExamForm.ORAL_PRACTICAL,
    ("mp",): ExamForm.ORAL_PRACTICAL,
    ("oral", "practical"): ExamForm.ORAL_PRACTICAL,
    ("skriftlig",): ExamForm.WRITTEN,
    ("written",): ExamForm.WRITTEN,
    ("s",): ExamForm.WRITTEN,
    ("muntlig",): ExamForm.ORAL,
    ("oral",): ExamForm.ORAL,
    ("m",): ExamForm.ORAL,
}
EXAM_HINT = (
    "name an exam by subject and form, e.g. 'matematikk skriftlig', 'norsk hovedmål skriftlig', "
    "'norsk sidemål skriftlig', 'engelsk muntlig', 'naturfag muntlig-praktisk'"
)


@lru_cache(maxsize=512)
def resolve_exam(name: str) -> tuple[ExamSubject, ExamForm]:
    """Return the subject and form an exam key names ("matematikk skriftlig" → MATEMATIKK, S).

    Written norsk named without hovedmål/sidemål is the hovedmål paper. Raises :class:`UnknownName`.
    """
    words = [w for w in name_key(name) if w not in {"eksamen", "exam", "eksamenskarakter"}]
    form: ExamForm | None = None
    for form_words, candidate in _FORM_WORDS.items():
        if all(w in words for w in form_words):
            form = candidate
            words = [w for w in words if w not in form_words]
            break
    if form is None:
        raise UnknownName(f"exam {name!r} has no form (skriftlig, muntlig or muntlig-praktisk); {EXAM_HINT}")
    subject = _EXAM_SUBJECTS.get(tuple(sorted(words)))
    if subject is None:
        raise UnknownName(f"unknown exam subject in {name!r}; {EXAM_HINT}")
    if form is ExamForm.WRITTEN and subject is ExamSubject.NORSK:
        subject = ExamSubject.NORSK_HOVEDMAL
    return subject, form


_MARKS = {
    "iv": NOT_POSSIBLE,
    "vurdering ikke mulig": NOT_POSSIBLE,
    "vurdering ikkje mogleg": NOT_POSSIBLE,
    "fritatt": EXEMPT,
    "fritak": EXEMPT,
    "fri": EXEMPT,
    "exempt": EXEMPT,
    "deltatt": PARTICIPATED,
    "delteke": PARTICIPATED,
    "participated": PARTICIPATED,
    "ikke deltatt": NOT_PARTICIPATED,
    "ikkje delteke": NOT_PARTICIPATED,
    "did not participate": NOT_PARTICIPATED,
}
GRADE_HINT = "use 1–6, IV (vurdering ikke mulig), fritatt, or deltatt / ikke deltatt (utdanningsvalg only)"


@lru_cache(maxsize=64)
def _parse_grade_text(text: str) -> Grade:
    folded = " ".join(text.casefold().split())
    if folded in _MARKS:
        return _MARKS[folded]
    if folded.isdecimal() and len(folded) == 1 and 1 <= int(folded) <= 6:  # "⁵" is a digit int() cannot read
        return Grade.of(int(folded))
    raise UnknownName(f"{text!r} is not a grade; {GRADE_HINT}")


def parse_grade(value: object) -> Grade:
    """Return the :class:`Grade` a cell or JSON value holds: 1–6 (text or whole number), IV, fritatt, deltatt.

    Raises :class:`UnknownName` for anything else (7, 4.5, "A", ...).
    """
    if isinstance(value, bool):
        raise UnknownName(f"{value!r} is not a grade; {GRADE_HINT}")
    if isinstance(value, int):
        if 1 <= value <= 6:
            return Grade.of(value)
        raise UnknownName(f"{value!r} is not a grade; {GRADE_HINT}")
    if isinstance(value, str):
        return _parse_grade_text(value.strip())
    raise UnknownName(f"{value!r} is not a grade; {GRADE_HINT}")


_BEHAVIOUR = {
    "g": Behaviour.GOOD,
    "god": Behaviour.GOOD,
    "good": Behaviour.GOOD,
    "ng": Behaviour.FAIRLY_GOOD,
    "nokså god": Behaviour.FAIRLY_GOOD,
    "noksa god": Behaviour.FAIRLY_GOOD,
    "fairly good": Behaviour.FAIRLY_GOOD,
    "lg": Behaviour.POOR,
    "lite god": Behaviour.POOR,
    "poor": Behaviour.POOR,
}


def parse_behaviour(value: object) -> Behaviour:
    """Return the orden/atferd mark of G / NG / LG (or God / Nokså god / Lite god); raise :class:`UnknownName`."""
    if isinstance(value, str):
        mark = _BEHAVIOUR.get(" ".join(value.casefold().split()))
        if mark is not None:
            return mark
    raise UnknownName(f"{value!r} is not a mark in orden or atferd; use G (God), NG (Nokså god) or LG (Lite god)")
