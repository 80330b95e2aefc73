"""What ``vitnemal id check`` prints, without Typer: the Typer command and the start-up fast path of
:mod:`vitnemal.cli` (which answers ``vitnemal id check NUMBER`` before Typer is imported) both call :func:`check`.

Output goes through :func:`echo`, which writes colours only to a terminal, as click's echo does.
"""

from __future__ import annotations

import sys

_KIND_LABELS = {"fodselsnummer": "fødselsnummer", "d_number": "D-nummer", "h_number": "H-nummer"}
_SERIES_LABELS = {
    "ordinary": "",
    "synthetic": "synthetic test series, Skatteetaten/Tenor (month + 80)",
    "fs_test": "FS/Samordna opptak series (month + 50)",
}
_GENDER_LABELS = {"female": "female", "male": "male", None: "gender not encoded"}
_RED, _GREEN, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[2m", "\x1b[0m"


def echo(pieces: list[tuple[str, str]], *, err: bool = False) -> None:
    """One line of (ANSI style, text) pieces on stdout or stderr, styled only where the stream is a terminal."""
    stream = sys.stderr if err else sys.stdout
    styled = stream.isatty()
    stream.write("".join(f"{style}{text}{_RESET}" if style and styled else text for style, text in pieces) + "\n")
    stream.flush()


def check(words: list[str], as_json: bool) -> int:
    """Check the number written as ``words`` (spaces allowed), print the verdict and return the exit code."""
    import json

    from vitnemal.identity.national_id import InvalidNationalId, parse_national_id

    text = " ".join(words)
    try:
        nid = parse_national_id(text)
    except InvalidNationalId as exc:
        if as_json:
            echo([("", json.dumps({"valid": False, "error": exc.code, "message": exc.message}, ensure_ascii=False))])
        else:
            echo([(_RED, "✗"), ("", f" {text}: {exc.message} "), (_DIM, f"({exc.code})")], err=True)
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
    series = _SERIES_LABELS[nid.series.value]
    echo([(_GREEN, "✓"), ("", f" {nid.formatted}: valid {_KIND_LABELS[nid.kind.value]}"
                              + (f" — {series}" if series else ""))])
    echo([("", f"  born {nid.birth_date.isoformat()}, {_GENDER_LABELS[nid.gender]}")])
    if nid.k1_remainder:
        echo([("", f"  first check digit by Skatteetaten's 2032 rule (remainder {nid.k1_remainder})")])
    return 0
