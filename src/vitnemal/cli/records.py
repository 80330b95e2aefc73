"""``vitnemal records``: an institution's own records (what its student system holds).

These are the FS contact's tools at a source institution, for the seed's test step 12: change a result or add a
new one, award a degree or issue its diploma, then fetch again from the other institution and see the changes
arrive. Each command opens the institution's database from the federation at VITNEMAL_HOME.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from vitnemal.cli.common import (
    BY,
    HOME,
    JSON,
    LANG,
    OPENS_DATABASE,
    Language,
    actor,
    fail,
    institution_session,
    parse_date,
    refuse,
    said,
    said_error,
)
from vitnemal.i18n import P_

app = typer.Typer(help="An institution's own records: people, results, degrees, consents, settings. "
                       + OPENS_DATABASE, no_args_is_help=True)

INSTITUTION = typer.Option(..., "--institution", "-i", help="Institution code, e.g. 216.")
PERSON = typer.Option(..., "--person", "-p", help="National id (spaces allowed), e.g. \"015361 12185\".")


def _echo(done: str, as_json: bool, data: dict[str, Any], lang: str, **params: object) -> None:
    """The change made, for a person (``done``: a CLI sentence said in ``lang`` with ``params``), or ``data`` as
    JSON with its codes."""
    typer.echo(json.dumps(data, ensure_ascii=False, default=str) if as_json else said(done, lang, **params))


@app.command("add-result")
def add_result(
    institution: str = INSTITUTION,
    person: str = PERSON,
    course: str = typer.Option(..., "--course", "-c", help="Course code, e.g. RES-100."),
    term: str = typer.Option(..., "--term", "-t", help="Term, e.g. \"2025 HØST\" or \"2026 VÅR\"."),
    grade: str = typer.Option(..., "--grade", "-g", help="A–F, or Bestått / Ikke bestått for pass/fail courses."),
    thesis_title: str | None = typer.Option(None, help="Title of a thesis."),
    assessed_on: str | None = typer.Option(None, help="Date of assessment (YYYY-MM-DD)."),
    as_json: bool = JSON,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Add a result, or change the grade of the result in that course and term (e.g. after an appeal)."""
    from vitnemal.records import service as services

    try:
        year, season = services.parse_term(term)
    except ValueError as exc:
        raise fail(said_error(exc, lang), lang=lang) from None
    on = parse_date(assessed_on, "--assessed-on")
    with institution_session(institution, write=True, home=home, lang=lang) as session:
        result = services.record_result(session, person, course, year, season, grade, thesis_title=thesis_title,
                                        assessed_on=on)
        data = {"institution": institution, "national_id": result.person.national_id, "course": result.course.code,
                "year": result.year, "season": result.season, "grade": result.grade, "passed": result.passed}
    _echo(P_("cli", "%(institution)s: %(course)s %(term)s = %(grade)s for %(person)s (recorded)."), as_json, data,
          lang, institution=institution, course=data["course"], term=f"{data['year']} {data['season']}",
          grade=data["grade"], person=data["national_id"])


@app.command()
def consent(
    institution: str = INSTITUTION,
    person: str = PERSON,
    answer: str = typer.Option("J", "--answer", "-a", help="J (yes) or N (no)."),
    type_: str = typer.Option("RESUTVEKSL", "--type", help="Akseptanse type."),
    as_json: bool = JSON,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Record the person's answer to an akseptanse question (RESUTVEKSL by default)."""
    from vitnemal.records import service as services

    with institution_session(institution, write=True, home=home, lang=lang) as session:
        row = services.record_consent(session, person, type_, answer)
        data = {"institution": institution, "type": row.type, "answer": row.answer,
                "answered_at": row.answered_at.isoformat()}
    from vitnemal.i18n import as_language, show_iso

    _echo(P_("cli", "%(institution)s: %(type)s %(answer)s recorded %(at)s."), as_json, data, lang,
          institution=institution, type=data["type"], answer=data["answer"],
          at=show_iso(data["answered_at"], as_language(lang)))


@app.command()
def settings(
    institution: str = INSTITUTION,
    share: bool | None = typer.Option(None, "--share/--no-share", help="RESUTVEKSL module active (J/N)."),
    reserve: bool | None = typer.Option(None, "--reserve/--no-reserve", help="RESERVER: reserve against exchange."),
    as_json: bool = JSON,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Show the institution's exchange settings, or change them with the flags."""
    from vitnemal.records import service as services

    with institution_session(institution, write=True, home=home, lang=lang) as session:
        if share is None and reserve is None:
            row = services.get_exchange_settings(session)
        else:
            row = services.set_exchange_settings(session, module_active=share, reserved=reserve)
        data = {"institution": row.institution_code, "name": row.institution_name, "shares": row.module_active,
                "reserved": row.reserved}
    _echo(P_("cli", "%(institution)s %(name)s: RESUTVEKSL %(shares)s, RESERVER %(reserved)s"), as_json, data, lang,
          institution=data["institution"], name=data["name"], shares="J" if data["shares"] else "N",
          reserved="J" if data["reserved"] else "N")


@app.command("issue-diploma")
def issue_diploma(
    institution: str = INSTITUTION,
    person: str = PERSON,
    qualification: str = typer.Option(..., "--qualification", "-q", help="Qualification code, e.g. BA-BED."),
    on: str | None = typer.Option(None, "--on", help="Date the diploma was issued (YYYY-MM-DD)."),
    unset: bool = typer.Option(False, "--unset", help="Mark the diploma as not issued."),
    as_json: bool = JSON,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Set the date the diploma was issued (Dato_Utlev_Vitn): a degree is shared only after it."""
    from vitnemal.records import service as services

    if (on is None) == (not unset):
        raise refuse(P_("cli", "Give either --on DATE or --unset."), lang=lang)
    when = parse_date(on, "--on")
    with institution_session(institution, write=True, home=home, lang=lang) as session:
        qual = services.set_diploma_issued(session, person, qualification, when)
        data = {"institution": institution, "qualification": qual.code, "diploma_issued_on": qual.diploma_issued_on}
    from vitnemal.i18n import as_language, short_date

    issued = qual.diploma_issued_on
    if issued is None:
        _echo(P_("cli", "%(institution)s: the diploma for %(qualification)s is marked as not issued."), as_json,
              data, lang, institution=institution, qualification=data["qualification"])
    else:
        _echo(P_("cli", "%(institution)s: the diploma for %(qualification)s was issued on %(on)s."), as_json, data,
              lang, institution=institution, qualification=data["qualification"],
              on=short_date(issued, as_language(lang)))


@app.command()
def award(
    institution: str = INSTITUTION,
    person: str = PERSON,
    qualification: str = typer.Option(..., "--qualification", "-q", help="Qualification code."),
    name_nb: str = typer.Option(..., help="Name in Norwegian (bokmål)."),
    name_en: str = typer.Option(..., help="Name in English."),
    level: str = typer.Option("other", help="bachelor, master, phd or other."),
    courses: str = typer.Option("", help="Comma-separated course codes that count toward it."),
    award_date: str = typer.Option(..., help="Date awarded (YYYY-MM-DD)."),
    diploma_issued_on: str | None = typer.Option(None, help="Date the diploma was issued (YYYY-MM-DD)."),
    as_json: bool = JSON,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Award a qualification (a new degree) linked to the person's passed results in the given courses."""
    from vitnemal.records import service as services

    awarded, issued = parse_date(award_date, "--award-date"), parse_date(diploma_issued_on, "--diploma-issued-on")
    assert awarded is not None
    codes = [c.strip() for c in courses.split(",") if c.strip()]
    with institution_session(institution, write=True, home=home, lang=lang) as session:
        qual = services.award_qualification(session, person, qualification, name_nb=name_nb, name_en=name_en,
                                            level=level, award_date=awarded, courses=codes,
                                            diploma_issued_on=issued)
        data = {"institution": institution, "qualification": qual.code, "credits": str(qual.credits),
                "courses": codes}
    _echo(P_("cli", "%(institution)s: %(qualification)s awarded (%(credits)s sp)."), as_json, data, lang,
          institution=institution, qualification=data["qualification"], credits=data["credits"])


@app.command("add-person")
def add_person(
    institution: str = INSTITUTION,
    person: str = PERSON,
    first_name: str = typer.Option(..., help="First name."),
    last_name: str = typer.Option(..., help="Last name."),
    birth_date: str | None = typer.Option(None, help="Birth date (YYYY-MM-DD).",
                                          show_default="from the national id"),
    as_json: bool = JSON,
    by: str | None = BY,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Register a person in the institution's records (the same checks and audit event as the Person page)."""
    from vitnemal.records import service as services

    born = parse_date(birth_date, "--birth-date")
    with institution_session(institution, write=True, home=home, lang=lang) as session:
        row = services.add_person(session, person, first_name, last_name, birth_date=born, actor=actor(by))
        data = {"institution": institution, "national_id": row.national_id, "name": row.name}
    _echo(P_("cli", "%(institution)s: %(name)s (%(person)s) added."), as_json, data, lang, institution=institution,
          name=data["name"], person=data["national_id"])


@app.command("add-earlier-id")
def add_earlier_id(
    institution: str = INSTITUTION,
    person: str = PERSON,
    earlier_id: str = typer.Option(..., help="The id the person had before: a D-number or a temporary number "
                                   "(FS series). An ordinary fødselsnummer is refused."),
    kind: str = typer.Option("d_number", help="d_number or temporary."),
    as_json: bool = JSON,
    by: str | None = BY,
    home: Path | None = HOME,
    lang: Language = LANG,
) -> None:
    """Record an earlier id (an old D-number) so that requests with it find the person."""
    from vitnemal.records import service as services

    with institution_session(institution, write=True, home=home, lang=lang) as session:
        row = services.add_earlier_id(session, person, earlier_id, kind, actor=actor(by))
        data = {"institution": institution, "national_id": row.person.national_id, "earlier_id": row.national_id}
    _echo(P_("cli", "%(institution)s: %(person)s is also known as %(earlier)s."), as_json, data, lang,
          institution=institution, person=data["national_id"], earlier=data["earlier_id"])


_SHOW: dict[str, dict[str, Any]] = {
    "nb": {"results": "{name} ({id}) ved {inst}: vurderingsresultater", "no_results": "Ingen vurderingsresultater.",
           "results_columns": ("Termin", "Emnekode", "Emnenavn", "Sp", "Karakter", "Oppgavetittel"),
           "qualifications": "Kvalifikasjoner", "no_qualifications": "Ingen kvalifikasjoner.",
           "qualification_columns": ("Kode", "Navn", "Nivå", "Sp", "Tildelt", "Vitnemål utstedt", "Emner"),
           "not_issued": "ikke utstedt", "consents": "Akseptanser", "earlier": "Tidligere id-er"},
    "nn": {"results": "{name} ({id}) ved {inst}: vurderingsresultat", "no_results": "Ingen vurderingsresultat.",
           "results_columns": ("Termin", "Emnekode", "Emnenamn", "Sp", "Karakter", "Oppgåvetittel"),
           "qualifications": "Kvalifikasjonar", "no_qualifications": "Ingen kvalifikasjonar.",
           "qualification_columns": ("Kode", "Namn", "Nivå", "Sp", "Tildelt", "Vitnemål skrive ut", "Emne"),
           "not_issued": "ikkje skrive ut", "consents": "Akseptansar", "earlier": "Tidlegare id-ar"},
    "en": {"results": "{name} ({id}) at {inst}: results", "no_results": "No results.",
           "results_columns": ("Term", "Course", "Course name", "Credits", "Grade", "Thesis title"),
           "qualifications": "Qualifications", "no_qualifications": "No qualifications.",
           "qualification_columns": ("Code", "Name", "Level", "Credits", "Awarded", "Diploma issued", "Courses"),
           "not_issued": "not issued", "consents": "Consents", "earlier": "Earlier ids"},
}


def _show_tables(data: dict[str, Any], out: Callable[[Any], None], width: int, language: str = "nb") -> None:
    from vitnemal.cli.common import fitted, none_text, table
    from vitnemal.i18n import as_language, show_iso

    lang = as_language(language)
    t = _SHOW[lang]
    out(t["results"].format(name=data["name"], id=data["national_id"], inst=data["institution"]))
    if data["results"]:
        columns = t["results_columns"]
        results = table(*columns, whole=(columns[0], columns[1], columns[3], columns[4]))
        for r in data["results"]:
            results.add_row(f"{r['year']} {r['season']}", r["course"], r["name_nb"], r["credits"], r["grade"],
                            r["thesis_title"] or "")
        out(fitted(results, width))
    else:
        out(f"  {t['no_results']}")
    out(t["qualifications"])
    if data["qualifications"]:
        columns = t["qualification_columns"]
        quals = table(*columns, whole=(columns[0], columns[3], columns[4], columns[6]))
        for q in data["qualifications"]:
            quals.add_row(q["code"], q["name_nb"], q["level"], q["credits"], q["award_date"],
                          q["diploma_issued_on"] or t["not_issued"], str(len(q["courses"])))
        out(fitted(quals, width))
    else:
        out(f"  {t['no_qualifications']}")
    answers = ", ".join(f"{c['type']} {c['answer']} {show_iso(c['answered_at'], lang)}" for c in data["consents"])
    out(f"{t['consents']}: {answers or none_text(lang)}")
    if data["earlier_ids"]:
        out(f"{t['earlier']}: {', '.join(data['earlier_ids'])}")


@app.command()
def show(institution: str = INSTITUTION, person: str = PERSON, as_json: bool = JSON,
         home: Path | None = HOME, lang: Language = LANG) -> None:
    """Show the person's results, qualifications and consents at the institution."""
    from rich.console import Console

    from vitnemal.records import service as services

    with institution_session(institution, write=True, home=home, lang=lang) as session:
        p = services.get_person(session, person)
        data: dict[str, Any] = {
            "institution": institution, "national_id": p.national_id, "name": p.name,
            "birth_date": p.birth_date.isoformat() if p.birth_date else None,
            "earlier_ids": [i.national_id for i in p.earlier_ids],
            "results": [{"year": r.year, "season": r.season, "course": r.course.code, "name_nb": r.course.name_nb,
                         "credits": format(r.credits, "f"), "grade": r.grade, "passed": r.passed,
                         "thesis_title": r.thesis_title} for r in services.results_of(session, p)],
            "qualifications": [{"code": q.code, "name_nb": q.name_nb, "level": q.level,
                                "credits": format(q.credits, "f"),
                                "award_date": q.award_date.isoformat(),
                                "diploma_issued_on": q.diploma_issued_on.isoformat() if q.diploma_issued_on else None,
                                "courses": [link.result.course.code for link in q.courses]}
                               for q in services.qualifications_of(session, p)],
            "consents": [{"type": c.type, "answer": c.answer, "answered_at": c.answered_at.isoformat()}
                         for c in services.consents_of(session, p)],
        }
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    console = Console()
    _show_tables(data, console.print, console.width, lang)


@app.command()
def disclosures(institution: str = INSTITUTION, person: str = PERSON, as_json: bool = JSON,
                home: Path | None = HOME, by: str | None = BY) -> None:
    """Every disclosure this institution's node logged about the person (what the person may see: who asked,
    when, on which legal basis). Opens the database directly; the look is recorded in the audit log under
    ``--by``, as the disclosure-log page records it."""
    from vitnemal.i18n import show_iso
    from vitnemal.node.service import view_disclosures_about
    from vitnemal.records.service import normalise_id

    with institution_session(institution, write=True, home=home) as session:
        rows = [d.model_dump(mode="json") for d in view_disclosures_about(
            session, normalise_id(person), actor=actor(by), now=datetime.now(UTC))]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        basis = (f"samtykke {show_iso(r['consent_given_at'])} ({r['consent_reference'] or 'uten referanse'})"
                 if r["basis"] == "consent" else f"eierens innlogging {show_iso(r['login_at'])} ({r['login_acr']})")
        typer.echo(f"{show_iso(r['at'])}  {r['requester']:>8}  {r['answer']:<20} {r['results_count']:>3} resultater  "
                   f"{basis}")
    if not rows:
        typer.echo("Ingen utleveringer logget for denne personen.")


@app.command("volume-flags")
def volume_flags(institution: str = INSTITUTION, as_json: bool = JSON,
                 home: Path | None = HOME) -> None:
    """Requesters the node flagged for unusual volumes (VITNEMAL_NODE_FLAG_PER_DAY requests in a day)."""
    from vitnemal.i18n import show_iso
    from vitnemal.node.service import volume_flags as flags

    with institution_session(institution, write=True, home=home) as session:
        rows = flags(session)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{show_iso(r['at'])}  {r['detail']}")
    if not rows:
        typer.echo("Ingen uvanlige volumer flagget.")
