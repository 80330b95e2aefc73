"""What ``vitnemal id check`` prints, without Typer: the Typer command and the start-up fast path of
:mod:`vitnemal.cli` (which answers ``vitnemal id check NUMBER`` before Typer is imported) both call :func:`check`.

Output goes through :func:`echo`, which writes colours only to a terminal, as click's echo does.
"""

from __future__ import annotations

import sys

LANGS = ("nb", "nn", "en")
_KIND_LABELS = {"fodselsnummer": "fødselsnummer", "d_number": "D-nummer", "h_number": "H-nummer"}
# What a person reads, in nb, nn and en (the codes stay in --json). Kept here, not in the message catalogues: this
# command answers before anything heavy is imported (issue 8 #12).
_TEXTS: dict[str, dict[str, str]] = {
    "valid": {"nb": "gyldig", "nn": "gyldig", "en": "valid"},
    "born": {"nb": "født", "nn": "fødd", "en": "born"},
    "synthetic": {"nb": "syntetisk testserie, Skatteetaten/Tenor (måned + 80)",
                  "nn": "syntetisk testserie, Skatteetaten/Tenor (månad + 80)",
                  "en": "synthetic test series, Skatteetaten/Tenor (month + 80)"},
    "fs_test": {"nb": "FS/Samordna opptak-serien (måned + 50)", "nn": "FS/Samordna opptak-serien (månad + 50)",
                "en": "FS/Samordna opptak series (month + 50)"},
    "female": {"nb": "kvinne", "nn": "kvinne", "en": "female"},
    "male": {"nb": "mann", "nn": "mann", "en": "male"},
    "no_gender": {"nb": "kjønn står ikke i nummeret", "nn": "kjønn står ikkje i nummeret",
                  "en": "gender not encoded"},
    "k1_2032": {"nb": "første kontrollsiffer etter Skatteetatens regel fra 2032 (rest {r})",
                "nn": "første kontrollsiffer etter regelen til Skatteetaten frå 2032 (rest {r})",
                "en": "first check digit by Skatteetaten's 2032 rule (remainder {r})"},
    "invalid": {"nb": "ikke et gyldig nummer", "nn": "ikkje eit gyldig nummer", "en": "not a valid number"},
    "length": {"nb": "det har {n} sifre, og et fødselsnummer eller D-nummer har 11",
               "nn": "det har {n} siffer, og eit fødselsnummer eller D-nummer har 11"},
    "not_digits": {"nb": "skriv bare de 11 sifrene (et mellomrom etter fødselsdatoen er lov)",
                   "nn": "skriv berre dei 11 sifra (eit mellomrom etter fødselsdatoen er lov)"},
    "check_digit_1": {"nb": "det første kontrollsifferet stemmer ikke; sjekk nummeret mot personens papirer",
                      "nn": "det første kontrollsifferet stemmer ikkje; sjekk nummeret mot papira til personen"},
    "check_digit_2": {"nb": "det andre kontrollsifferet stemmer ikke; sjekk nummeret mot personens papirer",
                      "nn": "det andre kontrollsifferet stemmer ikkje; sjekk nummeret mot papira til personen"},
    "individual": {"nb": "individnummeret {ind} brukes ikke for årstallet {yy}, så nummeret har intet fødselsår",
                   "nn": "individnummeret {ind} blir ikkje brukt for årstalet {yy}, så nummeret har inkje fødselsår"},
    "d_and_h": {"nb": "dagen + 40 og måneden + 40: et nummer kan ikke være både D- og H-nummer",
                "nn": "dagen + 40 og månaden + 40: eit nummer kan ikkje vere både D- og H-nummer"},
    "date": {"nb": "de seks første sifrene er ingen fødselsdato (DDMMÅÅ; et D-nummer legger 4 til det første)",
             "nn": "dei seks første sifra er ingen fødselsdato (DDMMÅÅ; eit D-nummer legg 4 til det første)"},
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_RED, _GREEN, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[2m", "\x1b[0m"


def echo(pieces: list[tuple[str, str]], *, err: bool = False) -> None:
    """One line of (ANSI style, text) pieces on stdout or stderr, styled only where the stream is a terminal."""
    stream = sys.stderr if err else sys.stdout
    styled = stream.isatty()
    stream.write("".join(f"{style}{text}{_RESET}" if style and styled else text for style, text in pieces) + "\n")
    stream.flush()


def _date_problem(digits: str) -> str:
    """Which of the "date" refusals ``digits`` (11 digits) meet, in the order national_id decodes them: no day or
    month at all, both D- and H-number, or an individual number not used for the year (the date itself is real)."""
    from vitnemal.identity.national_id import birth_year

    dd, mm = int(digits[0:2]), int(digits[2:4])
    day = 1 <= dd <= 31 or 41 <= dd <= 71
    month = 1 <= mm <= 12 or 41 <= mm <= 62 or 81 <= mm <= 92
    if not (day and month):
        return "date"
    if 41 <= dd <= 71 and 41 <= mm <= 50:
        return "d_and_h"
    return "individual" if birth_year(int(digits[6:9]), int(digits[4:6])) is None else "date"


def language(given: str | None) -> str | None:
    """The language of the text: ``given`` (--lang), else VITNEMAL_LANG, else nb; None for an unknown --lang."""
    from vitnemal.config import Settings, SettingsError  # light: the settings' declaration, read as everywhere

    if given is not None:
        return given if given in LANGS else None
    try:
        wanted = Settings.from_env().lang
    except SettingsError:  # a wrong VITNEMAL_LANG (or another wrong setting) does not stop an id check
        wanted = "nb"
    return wanted if wanted in LANGS else "nb"


def check(words: list[str], as_json: bool, lang: str = "nb") -> int:
    """Check the number written as ``words`` (spaces allowed), print the verdict in ``lang`` and return the exit
    code."""
    import json

    from vitnemal.identity.national_id import InvalidNationalId, parse_national_id

    def text_of(key: str) -> str:
        return _TEXTS[key][lang]

    text = " ".join(words)
    try:
        nid = parse_national_id(text)
    except InvalidNationalId as exc:
        if as_json:
            echo([("", json.dumps({"valid": False, "error": exc.code, "message": exc.message}, ensure_ascii=False))])
        else:
            digits = "".join(c for c in text if c.isdigit())
            key = _date_problem(digits) if exc.code == "date" else exc.code
            why = exc.message if lang == "en" else _TEXTS[key][lang].format(n=len(digits), ind=digits[6:9],
                                                                            yy=digits[4:6])
            echo([(_RED, "✗"), ("", f" {text}: {text_of('invalid')}: {why}.")], err=True)
        return 1

    if as_json:
        payload = {
            "valid": True,
            "number": nid.number,
            "kind": nid.kind.value,
            "series": nid.series.value,
            "birth_date": nid.birth_date.isoformat(),
            "gender": nid.gender,
            "k1_rule": nid.k1_rule,
            "k1_remainder": nid.k1_remainder,
        }
        echo([("", json.dumps(payload, ensure_ascii=False))])
        return 0
    series = text_of(nid.series.value) if nid.series.value in _TEXTS else ""
    born = nid.birth_date
    shown = (f"{born.day} {_MONTHS[born.month - 1]} {born.year}" if lang == "en" else born.strftime("%d.%m.%Y"))
    echo([(_GREEN, "✓"), ("", f" {nid.formatted}: {text_of('valid')} {_KIND_LABELS[nid.kind.value]}"
                              + (f" — {series}" if series else ""))])
    echo([("", f"  {text_of('born')} {shown}, {text_of(nid.gender or 'no_gender')}")])
    if nid.k1_remainder:
        echo([("", f"  {text_of('k1_2032').format(r=nid.k1_remainder)}")])
    return 0
