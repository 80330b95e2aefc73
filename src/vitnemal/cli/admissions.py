"""``vitnemal admissions``: admission rounds (Samordna opptak, or an institution's local admission).

Each command opens the requester's database in the federation at --home directly (``--for``, default ``so``);
``work`` runs a worker in this process, which fetches over HTTP from the nodes a running server serves.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    refuse,
)
from vitnemal.i18n import P_

if TYPE_CHECKING:
    from vitnemal.admissions.standing import Progress
    from vitnemal.i18n import Language as LangCode

app = typer.Typer(help="Admission rounds: fetch the results of every consenting applicant from every institution. "
                       + OPENS_DATABASE, no_args_is_help=True)

FOR = typer.Option("so", "--for", "-f", help="The requester: Samordna opptak (so) or an institution's code.")
ROUND = typer.Argument(..., help="The round's number (admissions list).")


def _now() -> datetime:
    return datetime.now(UTC)


def _registry(home: Path | None) -> Any:
    from vitnemal.cli.common import settings_for
    from vitnemal.institutions.registry import Registry

    return Registry.load(settings_for(home).registry_path)


def _progress_json(p: Progress) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(p)
    for key in ("created_at", "finished_at", "expected_finish", "next_retry_at"):
        data[key] = data[key].isoformat() if data[key] else None
    data["status"], data["kind"] = p.status.value, p.kind.value
    return data


_WORDS = {
    "nb": ("Runde", "", "ferdige", "venter på nytt forsøk", "pågår", "i kø", "stoppet", "komplette",
           "per minutt", "ferdig ca.", "", "svar"),
    "nn": ("Runde", "", "ferdige", "ventar på nytt forsøk", "går føre seg", "i kø", "stoppa", "komplette",
           "per minutt", "ferdig ca.", "", "svar"),
    "en": ("Round", "", "done", "waiting for a retry", "running", "queued", "stopped", "complete",
           "per minute", "expected finish", "", "answers"),
}


def _progress_text(p: Progress, lang: LangCode) -> str:
    from vitnemal.admissions.texts import status_label
    from vitnemal.i18n import show_time
    from vitnemal.web.i18n import translations

    t, w = translations(lang), _WORDS[lang]
    finish = f"; {w[9]} {show_time(p.expected_finish, lang)}" if p.expected_finish else ""
    answers = ", ".join(f"{k} {v}" for k, v in sorted(p.outcomes.items()))
    applicants = _applicants(p.applicants, lang)
    rejected = t.ungettext("%(num)d line rejected", "%(num)d lines rejected", p.lines_rejected) % {
        "num": p.lines_rejected}
    return (f"{w[0]} {p.round_id} «{p.name}»: {status_label(p.status, lang)}{finish} ({p.per_minute:g} {w[8]})\n"
            f"  {applicants}: {p.done} {w[2]}, {p.complete} {w[7]}, {p.waiting} {w[3]}, {p.running} {w[4]}, "
            f"{p.queued} {w[5]}, {p.stopped} {w[6]}; {rejected}\n"
            f"  {w[11]}: {answers or '-'}")


def _applicants(n: int, lang: LangCode) -> str:
    from vitnemal.web.i18n import translations

    return str(translations(lang).ungettext("%(num)d applicant", "%(num)d applicants", n) % {"num": n})


def _started_text(round_id: int, accepted: int, rejected: int, lang: LangCode) -> str:
    """"Runde 2: 1 søker tatt inn, 3 linjer avvist." with the catalogue's plural forms for each number."""
    from vitnemal.web.i18n import translations

    t = translations(lang)
    return str(t.ugettext("Round %(round)d: %(applicants)s taken in, %(lines)s rejected.") % {
        "round": round_id, "applicants": _applicants(accepted, lang),
        "lines": t.ungettext("%(num)d line", "%(num)d lines", rejected) % {"num": rejected}})


@app.command()
def start(
    applicants: Path = typer.Argument(..., help="CSV with a header naming fodselsnummer (optionally referanse, "
                                                "fornavn, etternavn); ; or , between columns."),
    requester: str = FOR,
    name: str = typer.Option(..., "--name", "-n", help="The round's name, e.g. \"Hovedopptak 2027\"."),
    local: bool = typer.Option(False, "--local", help="An institution's local admission, not Samordna opptak."),
    by: str | None = BY,
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """Start a round: every line with a valid national id and the applicant's admission consent is fetched; each
    other line is reported with its number and reason."""
    from vitnemal.admissions import service
    from vitnemal.admissions.applicant_list import MAX_BYTES, ListRefused, read_csv
    from vitnemal.admissions.models import RoundKind
    from vitnemal.admissions.texts import line_problem_text, unnamed_list_text

    try:
        with applicants.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise refuse(P_("cli", "Cannot read %(path)s: %(reason)s."), path=applicants, reason=exc.strerror) from None
    registry = _registry(home)
    with institution_session(requester, write=True, home=home) as session:
        try:
            started = service.start_round(
                session, requester=requester, kind=RoundKind.LOCAL if local else RoundKind.SAMORDNA_OPPTAK,
                name=name, lines=read_csv(data), institutions=registry.codes(), started_by=actor(by),
                source=applicants.name, now=_now())
        except ListRefused as exc:
            raise fail(f"{applicants}: {exc}") from None
    if as_json:
        typer.echo(json.dumps({"round_id": started.round_id, "accepted": started.accepted,
                               "rejected": started.rejected, "unnamed": started.unnamed,
                               "rejections": [{"line": r.line_no, "reason": r.reason.value, "message": r.message}
                                              for r in started.rejections]}, ensure_ascii=False))
        return
    typer.echo(_started_text(started.round_id, started.accepted, started.rejected, lang))
    if started.unnamed:
        typer.echo("  " + unnamed_list_text(_applicants(started.unnamed, lang), lang))
    for r in started.rejections[:20]:  # the line's number and what was written there, not the parser's English
        typer.echo("  " + line_problem_text(r.reason, r.line_no, r.national_id, lang))
    if started.rejected > 20:
        typer.echo(f"  … admissions rejected {started.round_id} --for {requester}")


@app.command()
def status(
    round_id: int = ROUND,
    requester: str = FOR,
    watch: bool = typer.Option(False, "--watch", "-w", help="Show a progress bar until the round is done or "
                                                            "paused."),
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """Where the round stands: applicants done, answers by outcome, the pace and the expected finish."""
    from vitnemal.admissions import standing

    if watch and not as_json:
        _watch(round_id, requester, home, lang)
        return
    with institution_session(requester, home=home) as session:
        progress = standing.round_progress(session, round_id, _now())
    typer.echo(json.dumps(_progress_json(progress), ensure_ascii=False) if as_json
               else _progress_text(progress, lang))


def _watch(round_id: int, requester: str, home: Path | None, lang: LangCode, stop: Any = None) -> None:
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from vitnemal.admissions import standing
    from vitnemal.admissions.models import RoundStatus

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[pace]}"))
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"{_WORDS[lang][0]} {round_id}", total=None, pace="")
        while True:
            with institution_session(requester, home=home) as session:
                p = standing.round_progress(session, round_id, _now())
            bar.update(task, total=p.applicants, completed=p.done + p.waiting,
                       pace=f"{p.per_minute:g}/min, {p.waiting} {_WORDS[lang][3]}")
            if p.status is not RoundStatus.RUNNING or p.queued + p.running == 0 or (stop and stop()):
                break
            time.sleep(1)
    typer.echo(_progress_text(p, lang))


def _change(action: str, round_id: int, requester: str, by: str | None, as_json: bool, lang: Language,
            home: Path | None) -> None:
    from vitnemal.admissions import service
    from vitnemal.admissions.texts import status_label

    change = {"pause": service.pause_round, "resume": service.resume_round, "cancel": service.cancel_round}[action]
    with institution_session(requester, write=True, home=home) as session:
        round_ = change(session, round_id, by=actor(by), now=_now())
        state = round_.status
    typer.echo(json.dumps({"round_id": round_id, "status": state.value}) if as_json
               else f"{_WORDS[lang][0]} {round_id}: {status_label(state, lang)}")


@app.command()
def pause(round_id: int = ROUND, requester: str = FOR, by: str | None = BY, as_json: bool = JSON,
          lang: Language = LANG, home: Path | None = HOME) -> None:
    """Pause the round: workers take none of its applicants until it is resumed."""
    _change("pause", round_id, requester, by, as_json, lang, home)


@app.command()
def resume(round_id: int = ROUND, requester: str = FOR, by: str | None = BY, as_json: bool = JSON,
           lang: Language = LANG, home: Path | None = HOME) -> None:
    """Resume a paused round where it stopped."""
    _change("resume", round_id, requester, by, as_json, lang, home)


@app.command()
def cancel(round_id: int = ROUND, requester: str = FOR, by: str | None = BY, as_json: bool = JSON,
           lang: Language = LANG, home: Path | None = HOME) -> None:
    """Stop the round for good; what was fetched stays."""
    _change("cancel", round_id, requester, by, as_json, lang, home)


@app.command("list")
def list_rounds(requester: str = FOR, as_json: bool = JSON, lang: Language = LANG, home: Path | None = HOME) -> None:
    """The rounds, newest first."""
    from vitnemal.admissions import service
    from vitnemal.admissions.texts import status_label

    with institution_session(requester, home=home) as session:
        rows = service.list_rounds(session)
    if as_json:
        typer.echo(json.dumps([{"round_id": r.round_id, "name": r.name, "status": r.status.value,
                                "applicants": r.applicants, "done": r.done, "created_at": r.created_at.isoformat()}
                               for r in rows], ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r.round_id:>4}  {status_label(r.status, lang):<14} {r.done}/{r.applicants}  {r.name}")
    if not rows:
        typer.echo("Ingen runder." if lang != "en" else "No rounds.")


@app.command()
def applicants(
    round_id: int = ROUND,
    requester: str = FOR,
    only: str = typer.Option("all", "--only", help="all, incomplete, complete or stopped."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    offset: int = typer.Option(0, "--offset", min=0),
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """The round's applicants; with --only incomplete, each with why."""
    from vitnemal.admissions import roster
    from vitnemal.admissions.texts import reason_text

    registry = _registry(home)
    with institution_session(requester, home=home) as session:
        rows = roster.applicants(session, round_id, only=only, offset=offset, limit=limit)
    out: list[dict[str, Any]] = [
        {"line": r.line_no, "national_id": r.national_id, "reference": r.reference, "status": r.status.value,
         "complete": r.complete,
            "why": [reason_text(x, roster.institution_name(registry, x.institution or "", lang), lang)
                 for x in r.reasons]} for r in rows]
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    for item in out:
        typer.echo(f"{item['line'] or '-':>6} {item['national_id']} {item['status']:<8} " + " ".join(item["why"]))


@app.command()
def show(
    round_id: int = ROUND,
    national_id: str = typer.Argument(..., help="The applicant's national id."),
    requester: str = FOR,
    by: str | None = BY,
    as_json: bool = JSON,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """One applicant's results as admission reads them: degrees, credits per level, courses, every answer."""
    from vitnemal.admissions import export, roster
    from vitnemal.admissions.models import Applicant, Fetch
    from vitnemal.admissions.texts import level_label, outcome_text
    from vitnemal.exchange.states import OutcomeState

    registry = _registry(home)
    number = "".join(national_id.split())
    with institution_session(requester, write=True, home=home) as session:
        applicant = roster.find_applicant(session, round_id, number)
        if applicant is None:
            raise refuse(P_("cli", "Round %(round)s has no applicant %(number)s."), lang=lang, round=round_id,
                         number=number)
        view = roster.applicant_view(session, registry, round_id, applicant.id, viewer=actor(by), now=_now(),
                                      lang=lang)
        if as_json:
            from sqlalchemy import select

            fetches = list(session.scalars(select(Fetch).where(Fetch.applicant_id == applicant.id)))
            row: Applicant = applicant
            data = export.applicant_json(row, fetches, view.summary, [f.institution for f in view.fetches],
                                         registry, lang)
            typer.echo(json.dumps(data, ensure_ascii=False))
            return
    s = view.summary
    names = " ".join(n for n in (view.first_name, view.last_name) if n)
    typer.echo(f"{number}{f' ({names})' if names else ''}: {s.total_credits} sp")
    for lvl, credits in s.credits_by_level.items():
        typer.echo(f"  {level_label(lvl, lang)}: {credits} sp")
    for d in s.degrees:
        typer.echo(f"  {d.award_date.isoformat()} {d.code} {d.name_nb if lang != 'en' else d.name_en} "
                   f"({level_label(d.level, lang)}, {d.institution_name})")
    for c in s.courses:
        typer.echo(f"    {c.term:<10} {c.institution} {c.code:<12} {c.credits:>5} {c.grade}  {c.institution_name}")
    for f in view.fetches:
        if f.state is None:
            continue
        typer.echo("  " + outcome_text(name=f.name, outcome=f.outcome or "", state=f.state or OutcomeState.FINAL,
                                       results=f.results, degrees=f.qualifications, attempts=f.attempts,
                                       next_attempt_at=f.next_attempt_at, lang=lang))


@app.command("export")
def export_round(
    round_id: int = ROUND,
    requester: str = FOR,
    format_: str = typer.Option("csv", "--format", help="csv or json."),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write (made 0600)."),
    by: str | None = BY,
    lang: Language = LANG,
    home: Path | None = HOME,
) -> None:
    """Write the round as CSV (one line per applicant) or JSON (everything), a page at a time."""
    import os

    from vitnemal.admissions import export

    if format_ not in ("csv", "json"):
        raise refuse(P_("cli", "--format is csv or json."))
    registry = _registry(home)
    make = export.export_csv if format_ == "csv" else export.export_json
    tmp = out.with_name(f".{out.name}.part")
    with institution_session(requester, write=True, home=home) as session:  # the audit event, committed first
        export.record_export(session, round_id, what=format_, viewer=actor(by), now=_now())
    with institution_session(requester, home=home) as session:  # then only reads: others may write meanwhile
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            for chunk in make(session, registry, round_id, lang=lang, now=_now()):
                handle.write(chunk)
    os.replace(tmp, out)  # nothing half-written under the real name
    typer.echo(str(out))


@app.command()
def rejected(round_id: int = ROUND, requester: str = FOR, limit: int = typer.Option(100, "--limit", min=1),
             as_json: bool = JSON, lang: Language = LANG, home: Path | None = HOME) -> None:
    """The lines of the list that were not taken, with their numbers and reasons."""
    from vitnemal.admissions import standing
    from vitnemal.admissions.texts import line_problem_text

    with institution_session(requester, home=home) as session:
        rows = [(r.line_no, r.reason, r.message, r.national_id)
                for r in standing.rejected_lines(session, round_id, limit=limit)]
    if as_json:
        typer.echo(json.dumps([{"line": n, "reason": r.value, "message": m} for n, r, m, _ in rows],
                              ensure_ascii=False))
        return
    for n, r, _, written in rows:
        typer.echo(line_problem_text(r, n, written, lang))


@app.command()
def work(
    requester: str = FOR,
    until_done: bool = typer.Option(False, "--until-done", help="Stop when nothing is left to fetch now."),
    watch: int | None = typer.Option(None, "--watch", help="Show this round's progress while working."),
    home: Path | None = HOME,
) -> None:
    """Run an admission worker in this process (several may run, also on other machines, with PostgreSQL)."""
    import asyncio
    import signal
    import threading

    from vitnemal.admissions.tasks import AdmissionWorker
    from vitnemal.cli.common import check_institution, settings_for
    from vitnemal.institutions.host import LocalInstitutions

    settings = settings_for(home)
    check_institution(settings, requester)
    host = LocalInstitutions.open(settings, [requester])
    finished = threading.Event()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        await AdmissionWorker(host, requester).run(stop, until_idle=until_done)

    def serve() -> None:
        try:
            asyncio.run(run())
        finally:
            finished.set()

    thread = threading.Thread(target=serve) if watch is not None else None
    try:
        if thread is None:
            serve()
        else:
            thread.start()
            _watch(watch or 0, requester, home, "nb", stop=finished.is_set)
            thread.join()
    finally:
        host.close()
