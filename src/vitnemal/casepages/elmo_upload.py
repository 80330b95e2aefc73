"""Importing an ELMO file from the Person eksternstudium page (issue 10 #6): the upload form's route.

A case worker (the case-worker role at this institution; CSRF checked by the page router) uploads a file; it is
bounded before it is read (the body limit in front of the app, then the file as it streams), read and checked
(signature against the ELMO signers this host trusts, ``VITNEMAL_ELMO_TRUSTED_CERTS``; the official schema) and
imported into the person's external-study records in one transaction, in a worker thread (checking a signature and
a schema takes tens of milliseconds the event loop must not spend). The answer is a page saying what was imported
or, refused, what is wrong with line and element and that nothing was imported; from there back to the person.
An unsigned file is read only when the case worker says they know it is genuine.

Owned by the emrex area; the Person eksternstudium page (arch's) only includes the form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from cryptography import x509
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from vitnemal.casepages.common import now
from vitnemal.config import Settings
from vitnemal.identity.models import Person
from vitnemal.interop.elmo_import import ElmoRefused, read_elmo
from vitnemal.interop.elmo_sign import MAX_ELMO_BYTES
from vitnemal.interop.elmo_store import ElmoImport, import_elmo
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.context import language
from vitnemal.web.deps import RowId
from vitnemal.web.routing import page_router
from vitnemal.web.uploads import read_upload

router = page_router(prefix="/institutions/{code}")
CaseWorker = Annotated[StaffAccess, Depends(require_staff(Role.CASE_WORKER))]
PATH = "/people/{person_id}/external/elmo"
# A packed (gzip+base64) file or the XML itself: at most what read_elmo takes, twice the XML's limit when packed.
MAX_UPLOAD = 2 * MAX_ELMO_BYTES


def trusted_signers(settings: Settings) -> list[x509.Certificate]:
    """The ELMO signers this host trusts: the PEM file VITNEMAL_ELMO_TRUSTED_CERTS names, else
    ``<home>/elmo-trusted.pem`` when it exists, else none (then only an unsigned file taken on trust imports)."""
    path = Path(settings.elmo_trusted_certs) if settings.elmo_trusted_certs else settings.home / "elmo-trusted.pem"
    if not path.is_file():
        return []
    return x509.load_pem_x509_certificates(path.read_bytes())


async def _uploaded(request: Request) -> tuple[bytes | None, bool]:
    """(the file's bytes or None when none was chosen, whether the case worker vouches for an unsigned file)."""
    form = await request.form(max_files=1, max_fields=3)
    upload = form.get("file")
    vouched = form.get("unsigned") == "yes"
    if not isinstance(upload, UploadFile):
        return None, vouched
    return await read_upload(form, upload, MAX_UPLOAD, f"an ELMO file is at most {MAX_UPLOAD} bytes"), vouched


@router.post(PATH, response_class=HTMLResponse)
async def import_elmo_file(request: Request, access: CaseWorker, person_id: RowId) -> HTMLResponse:
    """Import the uploaded ELMO file into the person's external studies; a page says what came in or why not."""
    lang = language(request)
    data, vouched = await _uploaded(request)
    trusted = trusted_signers(request.app.state.host.settings)

    def imported() -> tuple[str, ElmoImport | None]:
        with access.db.session() as session:  # an exception leaves it rolled back: nothing of a refused file stays
            person = session.get(Person, person_id)
            if person is None:
                raise HTTPException(404, "no such person here")
            if not data:
                return person.name, None
            return person.name, import_elmo(session, person, read_elmo(data, trusted, allow_unsigned=vouched),
                                            data, actor=access.actor, now=now())

    def run() -> tuple[str, ElmoImport | str]:
        try:
            name, done = imported()
        except ElmoRefused as exc:
            with access.db.read_session() as session:
                person = session.get(Person, person_id)
                return (person.name if person else ""), exc.text(lang)
        return name, done if done is not None else ""

    name, outcome = await run_in_threadpool(run)
    refused = outcome if isinstance(outcome, str) else None
    return render_staff(request, access, "casepages/elmo_imported.html", {
        "person_id": person_id, "name": name, "done": None if isinstance(outcome, str) else outcome,
        "refused": refused, "no_file": refused == ""}, status_code=200 if refused is None else 422)
