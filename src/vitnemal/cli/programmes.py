"""``vitnemal programmes``: the study programmes a diploma describes (faculty, language, length, NQF cycle, texts).

These commands open the institution's database directly (``VITNEMAL_HOME`` / ``VITNEMAL_DATABASE_URL``); they do
not talk to a server.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from vitnemal.cli.common import (
    HOME,
    LANG,
    OPENS_DATABASE,
    Language,
    fail,
    institution_session,
    refuse,
    said,
    said_error,
)
from vitnemal.i18n import P_

app = typer.Typer(help="Study programmes as diplomas describe them: list, show, add. " + OPENS_DATABASE,
                  no_args_is_help=True)

INSTITUTION = typer.Option("--institution", "-i", help="Institution code, e.g. 185.")
MAX_JSON_BYTES = 1_000_000  # a programme's texts are a few pages at most


def _years(value: Decimal | None, lang: str) -> str:
    return "" if value is None else said(P_("cli", "%(years)s years"), lang, years=f"{value.normalize():f}")


@app.command("list")
def list_programmes(
    institution: Annotated[str, INSTITUTION],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """List the institution's registered programmes: code, name, faculty, diploma language, length, NQF cycle."""
    from vitnemal.programmes.service import list_programmes, spec_of

    with institution_session(institution, home=home, lang=lang) as session:
        specs = [spec_of(row) for row in list_programmes(session)]
    if as_json:
        typer.echo(json.dumps([s.as_dict() for s in specs], ensure_ascii=False))
        return
    if not specs:
        typer.echo(said(P_("cli", "%(institution)s: no programmes are registered (add one with `vitnemal programmes "
                                  "add`)."), lang, institution=institution))
        return
    for s in specs:
        cycle = said(P_("cli", "cycle %(cycle)s"), lang, cycle=s.nqf_cycle) if s.nqf_cycle else ""
        facts = ", ".join(x for x in (s.language, _years(s.nominal_years, lang),
                                      f"{s.credits.normalize():f} sp" if s.credits is not None else "", cycle) if x)
        typer.echo(f"{s.code}  {s.name_nb}\n    {s.faculty_nb} ({facts})")
    typer.echo(said(P_("cli", "Programmes registered: %(count)s"), lang, count=len(specs)))


@app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="Programme code, e.g. MAINF.")],
    institution: Annotated[str, INSTITUTION],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Show everything registered about one programme, texts included."""
    from vitnemal.programmes.service import get_programme, spec_of

    with institution_session(institution, home=home, lang=lang) as session:
        data = spec_of(get_programme(session, code)).as_dict()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    for key, value in data.items():
        text = str(value)
        typer.echo(f"{key}: {text}" if "\n" not in text else f"{key}:\n    " + text.replace("\n", "\n    "))


@app.command("add")
def add(
    institution: Annotated[str, INSTITUTION],
    code: Annotated[str | None, typer.Option(help="Programme code as the records use it, e.g. MAINF.")] = None,
    name_nb: Annotated[str | None, typer.Option(help="Name in bokmål, e.g. \"Masterprogram i informatikk\".")] = None,
    name_nn: Annotated[str | None, typer.Option(help="Name in nynorsk (default: bokmål).")] = None,
    name_en: Annotated[str | None, typer.Option(help="Name in English.")] = None,
    qualification: Annotated[str | None, typer.Option(
        help="The qualification (degree) code the programme leads to, e.g. MA-INF.")] = None,
    language: Annotated[str | None, typer.Option(help="The diploma's language: nb, nn or en.",
                                                  show_default="nb")] = None,
    faculty_nb: Annotated[str | None, typer.Option(help="Faculty awarding the degree, bokmål.")] = None,
    faculty_nn: Annotated[str | None, typer.Option(help="Faculty, nynorsk.")] = None,
    faculty_en: Annotated[str | None, typer.Option(help="Faculty, English.")] = None,
    years: Annotated[str | None, typer.Option(help="Nominal length in years, e.g. 2.")] = None,
    credits: Annotated[str | None, typer.Option(help="Credits (studiepoeng), e.g. 120.")] = None,
    nqf_cycle: Annotated[int | None, typer.Option(help="NQF cycle: 1 bachelor, 2 master, 3 PhD.")] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from", exists=True, dir_okay=False,
        help="JSON object with any field (as `programmes show --json` prints; texts such as objectives_nb, "
             "outcomes_en, oath_nb); options given here win.")] = None,
    replace: Annotated[bool, typer.Option(help="Overwrite a programme registered with the same code.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the registered programme as JSON.")] = False,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Register a programme, so its degrees get the right faculty, language and information page."""
    from vitnemal.programmes.service import (
        InvalidProgramme,
        MissingFields,
        ProgrammeExists,
        ProgrammeSpec,
        add_programme,
        spec_of,
    )

    data: dict[str, Any] = {}
    if from_file is not None:
        if from_file.stat().st_size > MAX_JSON_BYTES:
            raise refuse(P_("cli", "--from %(path)s: larger than %(max)s bytes."), path=from_file, max=MAX_JSON_BYTES,
                         lang=lang)
        try:
            data = json.loads(from_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise refuse(P_("cli", "--from %(path)s: not JSON (%(reason)s)."), path=from_file, reason=exc,
                         lang=lang) from None
        if not isinstance(data, dict):
            raise refuse(P_("cli", "--from %(path)s: expected one JSON object with the programme's fields."),
                         path=from_file, lang=lang)
    given = {"code": code, "name_nb": name_nb, "name_nn": name_nn, "name_en": name_en,
             "qualification_code": qualification, "language": language,
             "faculty_nb": faculty_nb, "faculty_nn": faculty_nn, "faculty_en": faculty_en, "nominal_years": years,
             "credits": credits, "nqf_cycle": nqf_cycle}
    data.update({k: v for k, v in given.items() if v is not None})
    try:
        spec = ProgrammeSpec.from_mapping(data)
    except InvalidProgramme as exc:
        missing = isinstance(exc, MissingFields)
        hint = said(P_("cli", " (give --code, --name-nb, --name-en and --faculty-nb, or --from FILE)"),
                    lang) if missing else ""
        raise fail(f"{said_error(exc, lang)}{hint}", lang=lang) from None
    with institution_session(institution, write=True, home=home, lang=lang) as session:
        try:
            registered = spec_of(add_programme(session, spec, replace=replace)).as_dict()
        except ProgrammeExists as exc:
            raise refuse(P_("cli", "%(reason)s; give --replace to overwrite it."), reason=exc, lang=lang) from None
    if as_json:
        typer.echo(json.dumps(registered, ensure_ascii=False))
        return
    typer.echo(said(P_("cli", "%(institution)s: programme %(code)s (%(name)s) registered, awarded by %(faculty)s."),
                    lang, institution=institution, code=spec.code, name=spec.name_nb, faculty=spec.faculty_nb))
