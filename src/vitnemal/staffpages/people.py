"""Bildet Person: a case worker or an administrator registers people, finds and corrects them, registers them as
students (with the programme they study), and records a consent answer given on paper (Akseptanse for person).

Pages under ``/institutions/{code}/people``: the institution comes from the path and the role from that
institution's database (``require_staff``), so a case worker at 185 gets 403 on every person of 216. Every change is
a POST with the form's CSRF token (the page router checks it) through ``records.people``, which records the audit
event; it ends in a redirect to the person's page (a refresh never repeats it), or the form again with what is wrong
said in the page's language and nothing saved.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.i18n import as_language, local, short_date
from vitnemal.programmes.service import admissions_of, find_programme, list_programmes
from vitnemal.programmes.service import admit as admit_to_programme
from vitnemal.recognition.people import SearchRefused, search_people
from vitnemal.records import people
from vitnemal.records.admin import consent_type
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff, say
from vitnemal.web.context import language
from vitnemal.web.deps import RowId
from vitnemal.web.routing import page_router
from vitnemal.web.templating import gettext_for

router = page_router(prefix="/institutions/{code}/people")
Register = Annotated[StaffAccess, Depends(require_staff(Role.CASE_WORKER, Role.ADMIN))]
Name = Annotated[str, Form(max_length=300)]
SAVED = ("registered", "changed", "earlier_id", "student", "consent")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _now() -> datetime:
    return datetime.now(UTC)


def _show_day(request: Request) -> Any:
    """How the pages write a calendar day (a birth date: ISO text or a date) in the page's language."""
    lang = as_language(language(request))
    return lambda day: short_date(day if isinstance(day, date) else date.fromisoformat(day), lang)


def _fields(request: Request) -> tuple[str, str]:
    """The name fields as the page calls them, for a refusal that names one."""
    _ = gettext_for(language(request))
    return _("First name"), _("Last name")


@router.get("", response_class=HTMLResponse)
def register_page(request: Request, access: Register, q: str = Query("", max_length=100)) -> HTMLResponse:
    """Find a person by name or any id they had, and the form to register a new one."""
    return _register_page(request, access, q)


def _register_page(request: Request, access: StaffAccess, q: str, *, form: dict[str, str] | None = None,
                   error: str | None = None, existing: int | None = None, status_code: int = 200) -> HTMLResponse:
    hits, search_error = [], None
    if q.strip():
        try:
            with access.db.session() as session:  # every person shown is an audit event
                hits = search_people(session, q, actor=access.actor, now=_now())
        except SearchRefused as exc:
            search_error = say(request, exc)
    return render_staff(request, access, "staffpages/people.html", {
        "q": q, "hits": hits, "search_error": search_error, "form": form or {}, "error": error,
        "existing": existing, "show_day": _show_day(request)}, status_code=status_code)


@router.post("")
def register(request: Request, access: Register, national_id: Annotated[str, Form(max_length=40)],
             first_name: Name, last_name: Name, email: Annotated[str, Form(max_length=300)] = "") -> Response:
    try:
        with access.db.session() as session:
            first_field, last_field = _fields(request)
            person = people.register_person(session, national_id=national_id, first_name=first_name,
                                            last_name=last_name, email=email, actor=access.actor, now=_now(),
                                            first_field=first_field, last_field=last_field)
            person_id = person.id
    except people.PersonRefused as exc:
        form = {"national_id": national_id, "first_name": first_name, "last_name": last_name, "email": email}
        return _register_page(request, access, "", form=form, error=say(request, exc), existing=exc.person_id,
                              status_code=422)
    return RedirectResponse(access.path(f"/people/{person_id}?saved=registered"), status_code=303)


def _person_context(request: Request, access: StaffAccess, person_id: int) -> dict[str, Any]:
    with access.db.session() as session:  # the look is audited
        try:
            page = people.view(session, person_id, actor=access.actor, now=_now())
        except people.PersonRefused:
            raise HTTPException(404, "no such person here") from None
        admissions = [(code, on, programme.name_en if programme and language(request) == "en"
                       else programme.name_nb if programme else None)
                      for code, on, programme in admissions_of(session, person_id)]
        programmes = [(p.code, p.name_en if language(request) == "en" else p.name_nb)
                      for p in list_programmes(session)]
        asked = consent_type(session).active
    return {"person": page, "admissions": admissions, "programmes": programmes, "asked": asked,
            "today": local(_now()).date().isoformat(), "error": None, "error_in": None, "form": {}, "saved": None,
            "show_day": _show_day(request)}


@router.get("/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, access: Register, person_id: RowId,
                saved: str = Query("", max_length=20)) -> HTMLResponse:
    context = _person_context(request, access, person_id)
    context["saved"] = saved if saved in SAVED else None
    return render_staff(request, access, "staffpages/person.html", context)


def _refused(request: Request, access: StaffAccess, person_id: int, where: str, exc: people.PersonRefused,
             form: dict[str, str]) -> HTMLResponse:
    context = _person_context(request, access, person_id)
    context.update(error=say(request, exc), error_in=where, form=form)
    return render_staff(request, access, "staffpages/person.html", context, status_code=422)


@router.post("/{person_id}")
def change(request: Request, access: Register, person_id: RowId, first_name: Name, last_name: Name,
           email: Annotated[str, Form(max_length=300)] = "") -> Response:
    first_field, last_field = _fields(request)
    try:
        with access.db.session() as session:
            people.change_person(session, person_id, first_name=first_name, last_name=last_name, email=email,
                                 actor=access.actor, now=_now(), first_field=first_field, last_field=last_field)
    except people.PersonRefused as exc:
        if exc.key is people.Problem.NOT_FOUND:
            raise HTTPException(404, "no such person here") from None
        return _refused(request, access, person_id, "change", exc,
                        {"first_name": first_name, "last_name": last_name, "email": email})
    return RedirectResponse(access.path(f"/people/{person_id}?saved=changed"), status_code=303)


@router.post("/{person_id}/earlier-ids")
def earlier_id(request: Request, access: Register, person_id: RowId,
               earlier: Annotated[str, Form(max_length=40)]) -> Response:
    try:
        with access.db.session() as session:
            people.add_earlier_id(session, person_id, earlier, actor=access.actor, now=_now())
    except people.PersonRefused as exc:
        if exc.key is people.Problem.NOT_FOUND:
            raise HTTPException(404, "no such person here") from None
        return _refused(request, access, person_id, "earlier", exc, {"earlier": earlier})
    return RedirectResponse(access.path(f"/people/{person_id}?saved=earlier_id"), status_code=303)


@router.post("/{person_id}/student")
def student(request: Request, access: Register, person_id: RowId,
            programme: Annotated[str, Form(max_length=30)] = "") -> Response:
    """Register the person as a student (a student number), admitted to ``programme`` when one is chosen."""
    now = _now()
    try:
        with access.db.session() as session:
            row, _ = people.register_student(session, person_id, actor=access.actor, now=now)
            if programme:
                if find_programme(session, programme) is None:
                    raise HTTPException(422, f"no programme {programme!r} here; choose one of the list")
                admit_to_programme(session, row.person_id, programme, local(now).date(), actor=access.actor,
                                   subject=people.get(session, person_id).national_id)
    except people.PersonRefused:
        raise HTTPException(404, "no such person here") from None
    return RedirectResponse(access.path(f"/people/{person_id}?saved=student"), status_code=303)


def _day(text: str) -> date | None:
    """A date as the date field sends it (YYYY-MM-DD) or as people write it (dd.mm.yyyy); None otherwise."""
    text = text.strip()
    dotted = _DOTTED.match(text)
    try:
        if dotted:
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


@router.post("/{person_id}/consent")
def consent(request: Request, access: Register, person_id: RowId,
            answer: Annotated[str, Form(pattern="^[JN]$")],
            answered_on: Annotated[str, Form(max_length=20)]) -> Response:
    """Akseptanse for person: the answer (J/N) the person gave, with its date."""
    day = _day(answered_on)
    form = {"answer": answer, "answered_on": answered_on}
    if day is None:
        context = _person_context(request, access, person_id)
        _ = gettext_for(language(request))
        context.update(error=_("%(value)s is not a date: write it as dd.mm.yyyy, e.g. 02.12.2026.")
                       % {"value": answered_on}, error_in="consent", form=form)
        return render_staff(request, access, "staffpages/person.html", context, status_code=422)
    try:
        with access.db.session() as session:
            people.record_consent_answer(session, person_id, yes=answer == "J", day=day, actor=access.actor,
                                         now=_now())
    except people.PersonRefused as exc:
        if exc.key is people.Problem.NOT_FOUND:
            raise HTTPException(404, "no such person here") from None
        return _refused(request, access, person_id, "consent", exc, form)
    return RedirectResponse(access.path(f"/people/{person_id}?saved=consent"), status_code=303)
