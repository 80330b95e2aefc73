"""``vitnemal recognition``: recognition cases (godkjenningssaker), worked directly on the institution's database.

A case worker opens a case for a person, fetches the person's external Norwegian results into it, recognises
whole external courses or blocks toward a qualification, and decides the case (FERDIG or AVSLÅTT). The database
is the one of ``--institution`` in the federation at VITNEMAL_HOME; every command owns its transaction. Decisions
are recorded under ``--by`` (default: the login name).
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from vitnemal.cli.common import (
    BY,
    DEFAULT_LANGUAGE,
    HOME,
    JSON,
    LANG,
    OPENS_DATABASE,
    Language,
    actor,
    fail,
    open_session,
    refuse,
    settings_for,
)
from vitnemal.recognition.refusals import P_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from vitnemal.institutions.registry import Registry
    from vitnemal.recognition.refusals import Said

app = typer.Typer(help="Recognition cases: open, fetch external results, recognise, decide. " + OPENS_DATABASE,
                  no_args_is_help=True)

INSTITUTION = typer.Option(..., "--institution", "-i", help="Your institution's code, e.g. 185.")
CASE = typer.Argument(..., help="The case number.")


def _session(code: str, home: Path | None, *, read: bool = False, lang: str = DEFAULT_LANGUAGE,
             as_json: bool = False) -> AbstractContextManager[Session]:
    """The command's session (``cli.common.open_session``) on the institution's database; the service's refusal
    is said in ``lang`` with the next command to run (with ``--json``: its code, parameters and sentence as JSON on
    stdout), and nothing is saved."""
    from vitnemal.recognition.refusals import CaseNotFound, RecognitionError

    def refused(exc: Exception) -> typer.Exit:
        assert isinstance(exc, RecognitionError | CaseNotFound)
        return _refused(exc, code, lang, as_json)

    return open_session(code, write=not read, home=home, lang=lang, refusals=(RecognitionError, CaseNotFound),
                        refused=refused)


def _refused(exc: Said, code: str, lang: str, as_json: bool) -> typer.Exit:
    from vitnemal.web.i18n import translations

    pgettext = translations(lang).upgettext
    sentence = exc.said(pgettext)
    if as_json:
        typer.echo(json.dumps({"error": exc.key.value, "params": exc.params, "message": sentence},
                              ensure_ascii=False))
        return typer.Exit(1)
    steps = [pgettext("recognition", P_("recognition", "Run %(command)s.")),
             pgettext("recognition", P_("recognition", "Then run %(command)s."))]
    commands = _hint(exc, code)  # at most two: the first is "Run …", the next "Then run …"
    said = [sentence] + [text % {"command": f"`{command}`"}
                         for text, command in zip(steps[:len(commands)], commands, strict=True)]
    return fail(" ".join(said), lang=lang)


def _registry(home: Path | None) -> Registry | None:
    """The federation's registry (the names institutions had when a result was obtained), when there is one."""
    from vitnemal.institutions.registry import Registry

    path = settings_for(home).registry_path
    return Registry.load(path) if path.exists() else None


def _hint(exc: Any, code: str) -> list[str]:
    """The next step a refusal names, as the commands to run (with the required ``-i``)."""
    case, person = getattr(exc, "case_id", None), getattr(exc, "national_id", None)
    steps = {
        "list": [f"vitnemal recognition list -i {code}"],
        "show": [f"vitnemal recognition fetch {case} -i {code}", f"vitnemal recognition show {case} -i {code}"],
        "qualifications": [f"vitnemal recognition qualifications -i {code} --person {person}"],
        "add-person": [f"vitnemal records add-person -i {code} --help"],
    }
    return steps.get(getattr(exc, "next_step", None) or "", [])


@app.command("open")
def open_case(
    institution: str = INSTITUTION,
    person: str = typer.Option(..., "--person", "-p", help="National id (spaces allowed), e.g. \"120398 30009\"."),
    toward: str | None = typer.Option(None, "--toward", help="The qualification the case is about, e.g. MA-INF."),
    by: str | None = BY,
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """Open a recognition case (status BEHANDLES) for a person."""
    from vitnemal.recognition import service

    with _session(institution, home, lang=lang, as_json=as_json) as session:
        case = service.open_case(session, national_id=person, opened_by=actor(by), now=datetime.now(UTC),
                                 qualification_code=toward)
        view = service.case_view(service.get_case(session, case.id))
    typer.echo(json.dumps(view, ensure_ascii=False) if as_json else f"Opened case {view['case_id']} for "
               f"{view['name']} (BEHANDLES)")


@app.command("fetch")
def fetch(
    case_id: int = CASE,
    institution: str = INSTITUTION,
    queue_only: bool = typer.Option(False, "--queue-only", help="Only place the order; a server's worker runs it."),
    by: str | None = BY,
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """Fetch the person's external Norwegian results into the case ("Hent ekstern norsk utdanning").

    The order is run here and now: institutions whose databases this host holds answer in-process (signed and
    logged as over HTTP), any other over HTTP. With --queue-only a running server's worker takes it.
    """
    from vitnemal.exchange import service as exchange
    from vitnemal.i18n import as_language as as_lang
    from vitnemal.institutions.host import LocalInstitutions
    from vitnemal.recognition import service
    from vitnemal.recognition.local_exchange import run_order_now

    settings = settings_for(home)
    with _session(institution, home, lang=lang, as_json=as_json) as session:
        from vitnemal.institutions.registry import Registry

        registry = Registry.load(settings.registry_path)
        members = registry.codes()
        order = service.fetch_external(session, case_id, ordered_by=actor(by), own_code=institution, members=members,
                                       now=datetime.now(UTC))
        order_id = order.id
        names = {c: registry.distinct_name(c, lang) for c in registry.institutions}
        view = exchange.order_view(order, names=names, lang=as_lang(lang))  # what the API answers when placing it
    if not queue_only:
        host = LocalInstitutions.open(settings)
        try:
            run_order_now(host, institution, order_id)
        finally:
            host.close()
        # a write session: the look at the outcome is audited
        with _session(institution, home, lang=lang, as_json=as_json) as session:
            loaded = exchange.view_order(session, order_id, actor=actor(by), now=datetime.now(UTC))
            assert loaded is not None
            view = exchange.order_view(loaded, names=names, lang=as_lang(lang))
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False))
        return
    typer.echo(f"{view['label']} ({'order' if lang == 'en' else 'bestilling'} {order_id}): {view['status_text']}")
    for o in view["outcomes"]:
        if o["results"] or o["outcome"] not in ("no_results", "pending"):
            typer.echo(f"  {o['text']}")


@app.command("recognise")
def recognise(
    case_id: int = CASE,
    institution: str = INSTITUTION,
    toward: str = typer.Option(..., "--toward", help="Qualification code it counts toward, e.g. MA-INF."),
    result: int | None = typer.Option(None, "--result", help="Id of an imported external result (see `show`)."),
    block: str | None = typer.Option(None, "--block", help="Title of a block defined by the faculty."),
    block_en: str | None = typer.Option(None, "--block-en", help="The block's title in English."),
    from_institution: str | None = typer.Option(None, "--from-institution", help="Where the block comes from."),
    from_code: str | None = typer.Option(None, "--from-code", help="That institution's code, e.g. 216."),
    credits: str | None = typer.Option(None, "--credits", help="The block's credits, e.g. 30."),
    term: str | None = typer.Option(None, "--term", help="The block's term, e.g. \"2019 HØST\"."),
    group: str | None = typer.Option(None, "--group", help="Heading of the degree's structure, e.g. "
                                     "\"Valgfrie emner\"."),
    credits_counted: str | None = typer.Option(None, "--credits-counted", help="Only this much of the course "
                                               "counts."),
    note: str | None = typer.Option(None, "--note", help="The case worker's note on the decision."),
    by: str | None = BY,
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """Recognise a whole external course (--result) or a block (--block, --from-institution, --credits)."""
    from vitnemal.recognition import service

    if (result is None) == (block is None):
        raise refuse(P_("cli", "Give either --result ID (an imported external course) or --block TITLE (a block)."),
                     lang=lang)
    if block is not None and (not from_institution or not credits):
        raise refuse(P_("cli", "A block needs --from-institution NAME and --credits N."), lang=lang)
    now, who = datetime.now(UTC), actor(by)
    with _session(institution, home, lang=lang, as_json=as_json) as session:
        warnings: list[str] = []
        if result is not None:
            item = service.recognise_result(session, case_id, external_result_id=result, toward=toward, by=who,
                                            now=now, group=group, credits_counted=credits_counted, note=note,
                                            registry=_registry(home))
            from vitnemal.web.i18n import translations

            pgettext = translations(lang).upgettext
            warnings = [w.said(pgettext) for w in service.result_warnings(session, result)]
        else:
            item = service.recognise_block(session, case_id, title=block or "", title_en=block_en,
                                           institution_name=from_institution or "", institution_code=from_code,
                                           credits=credits or "", term=term, toward=toward, by=who, now=now,
                                           group=group, note=note)
        view = {**service.item_view(item), "warnings": warnings}
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False))
        return
    typer.echo(_recognised_sentence(view, lang))
    note = _said(lang)("recognition", P_("recognition", "Note: %(warning)s"))
    for warning in warnings:
        typer.echo(note % {"warning": warning}, err=True)


def _said(lang: str) -> Any:
    from vitnemal.web.i18n import translations

    return translations(lang).upgettext


def _recognised_sentence(view: dict[str, Any], lang: str) -> str:
    """What was recognised, in ``lang`` (issue 8 #9, #15: the credits that count, when only part of a course does)."""
    said = _said(lang)
    if view["code"]:
        what = f"{view['code']} {view['name_nb']}"
    else:
        what = said("recognition", P_("recognition", "the block “%(title)s”")) % {"title": view["name_nb"]}
    values = {"what": what, "institution": view["institution_name"], "credits": view["credits"],
              "counted": view["credits_counted"], "toward": view["toward"], "item": view["id"]}
    if view["credits_counted"] is not None:
        return said("recognition", P_("recognition", "Recognised %(what)s from %(institution)s (%(counted)s of "
                                      "%(credits)s credits count) toward %(toward)s as item %(item)s.")) % values
    return said("recognition", P_("recognition", "Recognised %(what)s from %(institution)s (%(credits)s credits) "
                                  "toward %(toward)s as item %(item)s.")) % values


@app.command("withdraw")
def withdraw(case_id: int = CASE, item: int = typer.Argument(..., help="The item number."),
             institution: str = INSTITUTION, by: str | None = BY, lang: Language = LANG,
             home: Path | None = HOME) -> None:
    """Withdraw a recognition while the case is open (the row stays, marked withdrawn)."""
    from vitnemal.recognition import service

    with _session(institution, home, lang=lang) as session:
        service.withdraw(session, case_id, item, by=actor(by), now=datetime.now(UTC))
    typer.echo(_said(lang)("recognition", P_("recognition", "Withdrew item %(item)s of case %(case)s."))
               % {"item": item, "case": case_id})


@app.command("decide")
def decide(
    case_id: int = CASE,
    institution: str = INSTITUTION,
    status: str = typer.Option("FERDIG", "--status", help="FERDIG (recognised) or AVSLÅTT (refused)."),
    note: str | None = typer.Option(None, "--note", help="The decision's note; required for AVSLÅTT."),
    by: str | None = BY,
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """Decide the case: FERDIG (what is recognised counts on the diploma) or AVSLÅTT (with the reason)."""
    from vitnemal.recognition import service

    with _session(institution, home, lang=lang, as_json=as_json) as session:
        view = service.case_view(service.decide(session, case_id, status=status, by=actor(by), now=datetime.now(UTC),
                                                note=note))
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False))
        return
    typer.echo(_said(lang)("recognition", P_("recognition", "Case %(case)s is %(status)s."))
               % {"case": case_id, "status": view["status"]})


@app.command("show")
def show(case_id: int = CASE, institution: str = INSTITUTION, by: str | None = BY, as_json: bool = JSON,
         lang: Language = LANG,
         home: Path | None = HOME) -> None:
    """Show the case, its decisions and the person's imported external results (with their ids)."""
    from vitnemal.recognition import service

    # a write session: the look is audited
    with _session(institution, home, lang=lang, as_json=as_json) as session:
        view = service.view_case(session, case_id, actor=actor(by), now=datetime.now(UTC))
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False))
    else:
        from vitnemal.cli.recognition_print import print_case

        print_case(view, view["external_results"], lang)


@app.command("list")
def list_cases(
    institution: str = INSTITUTION,
    person: str | None = typer.Option(None, "--person", "-p", help="Only this person's cases."),
    status: str | None = typer.Option(None, "--status", help="Only cases with this status."),
    by: str | None = BY,
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """List the newest cases."""
    from vitnemal.recognition import service

    # a write session: the look is audited
    with _session(institution, home, lang=lang, as_json=as_json) as session:
        views = [service.case_view(c) for c in service.list_cases(session, actor=actor(by), now=datetime.now(UTC),
                                                                  national_id=person, status=status)]
    if as_json:
        typer.echo(json.dumps(views, ensure_ascii=False))
        return
    from vitnemal.cli.recognition_print import case_line

    for v in views:
        typer.echo(case_line(v, lang))


@app.command("qualifications")
def qualifications(
    institution: str = INSTITUTION,
    person: str = typer.Option(..., "--person", "-p", help="National id (spaces allowed), e.g. \"120398 30009\"."),
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """List what a person can have results recognised toward: their qualifications and the programmes they were
    admitted to (with the qualification each leads to)."""
    from vitnemal.programmes.service import admissions_of, qualifications_open_to
    from vitnemal.recognition import service

    with _session(institution, home, read=True, lang=lang, as_json=as_json) as session:
        found = service.find_person(session, person)
        data: dict[str, Any] = {
            "national_id": found.national_id, "name": found.name,
            "qualifications": [{"code": q.code, "name_nb": q.name_nb, "source": q.source,
                                "programme_code": q.programme_code,
                                "award_date": q.award_date.isoformat() if q.award_date else None}
                               for q in qualifications_open_to(session, found.id)],
            "programmes": [{"code": c, "name_nb": p.name_nb if p else None,
                            "qualification_code": p.qualification_code if p else None,
                            "admitted_on": on.isoformat() if on else None}
                           for c, on, p in admissions_of(session, found.id)],
        }
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    _print_qualifications(data, institution, home, lang)


def _print_qualifications(data: dict[str, Any], institution: str, home: Path | None, lang: Language) -> None:
    """The person's qualifications and admissions in ``lang`` (issue 8 #9): the institution by name, dates as
    people write them."""
    from datetime import date

    from vitnemal.i18n import short_date

    said, registry = _said(lang), _registry(home)
    place = registry.distinct_name(institution, lang) if registry and institution in registry.institutions \
        else institution

    def day(iso: str | None) -> str:
        return short_date(date.fromisoformat(iso), lang) if iso else "?"

    none = said("recognition", P_("recognition", "none"))
    typer.echo(said("recognition", P_("recognition", "%(name)s (%(id)s) at %(institution)s"))
               % {"name": data["name"], "id": data["national_id"], "institution": place})
    typer.echo(said("recognition", P_("recognition", "Qualifications (what results can be recognised toward):")))
    for q in data["qualifications"]:
        if q["award_date"]:
            state = said("recognition", P_("recognition", "awarded %(date)s")) % {"date": day(q["award_date"])}
        elif q["source"] == "programme":
            state = said("recognition", P_("recognition", "right to study"))
        else:
            state = said("recognition", P_("recognition", "not awarded"))
        typer.echo(f"  {q['code']}  {q['name_nb']}  ({state})")
    if not data["qualifications"]:
        typer.echo(f"  {none}")
    typer.echo(said("recognition", P_("recognition", "Study programmes (admission):")))
    for p in data["programmes"]:
        leads = f" → {p['qualification_code']}" if p["qualification_code"] else \
            " " + said("recognition", P_("recognition", "(not registered)"))
        admitted = said("recognition", P_("recognition", "admitted %(date)s")) % {"date": day(p["admitted_on"])}
        typer.echo(f"  {p['code']}  {p['name_nb'] or ''}{leads}  {admitted}")
    if not data["programmes"]:
        typer.echo(f"  {none}")
