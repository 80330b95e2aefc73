"""Starting a round from the officer's pages: ``/institutions/{code}/admission/rounds/new`` shows a form (the
round's name and the CSV list of applicants) and takes it.

The list is bounded before it is read (the declared length, then the file as it is read: the list's own 50 MiB),
and read by the same rules as ``vitnemal admissions start``: each line that cannot be taken is reported by its
number and reason in words on the round's page, the rest are fetched. A list that cannot be read at all (not
UTF-8, no header naming the national id, a quote left open) starts nothing and is named on the form again. Asked
with ``Accept: application/json`` the same route answers in JSON (the round, how many were taken, each rejected
line), for a script with an officer's session.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from vitnemal.admissionpages.rounds import Officer, lang_of, now
from vitnemal.admissions import service
from vitnemal.admissions.applicant_list import MAX_BYTES, ListRefused, read_csv
from vitnemal.admissions.models import RoundKind
from vitnemal.admissions.texts import line_problem_text
from vitnemal.institutions.registry import MemberKind
from vitnemal.staffpages.access import StaffAccess
from vitnemal.staffpages.render import render_staff
from vitnemal.web.i18n import translations
from vitnemal.web.routing import page_router
from vitnemal.web.uploads import read_upload, refuse_declared

# Its own router, mounted before the rounds' (whose /rounds/{round_id} would take "new" for a round's number).
router = page_router(prefix="/institutions/{code}/admission")
NEW = "/rounds/new"
MAX_NAME = 200


def _form(request: Request, access: StaffAccess, *, name: str = "", errors: list[str] | None = None,
          status_code: int = 200) -> HTMLResponse:
    return render_staff(request, access, "admissionpages/new_round.html", {
        "name": name, "errors": errors or [], "max_mib": MAX_BYTES // (1024 * 1024)}, status_code=status_code)


@router.get(NEW, response_class=HTMLResponse)
def new_round_page(request: Request, access: Officer) -> HTMLResponse:
    """The form: the round's name and the list of applicants (CSV)."""
    return _form(request, access)


def _refused_text(exc: ListRefused, lang: str) -> str:
    _ = translations(lang).ugettext
    texts = {
        "too_large": _("The list is larger than %(mib)d MiB. Split it into several rounds.") % {
            "mib": MAX_BYTES // (1024 * 1024)},
        "not_utf8": _("The list is not UTF-8 text. Save it as CSV in UTF-8 and try again."),
        "no_header": _("The first line must name the columns, among them fodselsnummer (the national id)."),
        "too_many_lines": _("The list has more applicants than one round takes. Split it into several rounds."),
    }
    if exc.code in texts:
        return str(texts[exc.code])
    return str(_("Line %(line)s cannot be read: a quotation mark (\") may be left open. Nothing was started.")
               % {"line": exc.line or "?"})


async def _uploaded(request: Request) -> tuple[str, str, bytes | None]:
    """(name, file name, the file's bytes or None when no file was sent), refusing a body too large unread."""
    too_large = f"an applicant list is at most {MAX_BYTES} bytes"
    refuse_declared(request, MAX_BYTES, too_large)
    form = await request.form(max_files=1, max_fields=4)
    name = form.get("name")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return (name if isinstance(name, str) else ""), "", None
    data = await read_upload(form, upload, MAX_BYTES, too_large)
    return (name if isinstance(name, str) else ""), (upload.filename or "liste.csv"), data


@router.post(NEW, response_class=HTMLResponse)
async def start_round(request: Request, access: Officer) -> Response:
    """Start a round from the uploaded list: to the round's page (its rejected lines in words), or the form again
    with what is wrong."""
    lang = lang_of(request)
    _ = translations(lang).ugettext
    wants_json = "application/json" in request.headers.get("accept", "")
    name, filename, data = await _uploaded(request)
    name = " ".join(name.split())[:MAX_NAME]
    errors = []
    if not name:
        errors.append(str(_("Give the round a name, e.g. “Hovedopptak 2027”.")))
    if not data:
        errors.append(str(_("Choose the list of applicants (a CSV file) to upload.")))
    started = None
    if not errors:
        kind = RoundKind.SAMORDNA_OPPTAK if access.institution.kind is MemberKind.ADMISSION else RoundKind.LOCAL
        registry = request.app.state.host.registry

        def start() -> service.RoundStarted:
            with access.db.session() as session:  # a list refused half-way starts nothing: the round rolls back
                return service.start_round(
                    session, requester=access.code, kind=kind, name=name, lines=read_csv(data or b""),
                    institutions=registry.codes(), started_by=access.actor, source=filename[:300], now=now())

        try:
            # In a thread: reading and storing a long list takes seconds, and on the event loop nothing else this
            # process serves (its nodes, every page) would be answered meanwhile.
            started = await run_in_threadpool(start)
        except ListRefused as exc:
            errors.append(_refused_text(exc, lang))
    if started is None:
        if wants_json:
            return JSONResponse({"errors": errors}, status_code=400)
        return _form(request, access, name=name, errors=errors, status_code=400)
    if wants_json:
        return JSONResponse({
            "round_id": started.round_id, "accepted": started.accepted, "rejected": started.rejected,
            "unnamed": started.unnamed,
            "rejections": [{"line": r.line_no, "reason": r.reason.value,
                            "text": line_problem_text(r.reason, r.line_no, r.national_id, lang)}
                           for r in started.rejections]}, status_code=201)
    return RedirectResponse(access.path(f"/admission/rounds/{started.round_id}?done=started"), status_code=303)
