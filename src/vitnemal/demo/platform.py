"""The demo's recruitment platform ("Jobbnett demo"): a separate small app on its own port with its own SQLite
database, registered as an EMREX 1 client of the portal, so the whole hand-over can be tried in a browser.

A job ad with "apply with your results from Vitnemålsportalen": the applicant types a name and birth date, the
platform makes a random ``sessionId`` and sends the browser to the portal's EMREX entry. The portal's hand-back
arrives at ``/emrex/return``; the platform refuses a ``sessionId`` it did not make, and shows what came back: the
return code, the ELMO's signature checked against the portal's pinned certificate (as EMREG publishes it), the
attached PDF's signature checked against the federation CA, whether the person in the ELMO is the applicant
(name and birth date), and the results.
"""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from cryptography import x509
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.staticfiles import StaticFiles

from vitnemal.config import Settings
from vitnemal.interop.elmo import NS
from vitnemal.interop.elmo_sign import ElmoSignatureInvalid, decode_transfer, verify_elmo
from vitnemal.web.headers import SecurityHeaders, csp

CLIENT_ID = "demo-rekruttering"
NAME = "Jobbnett demo"
CONTACT = "personvern@jobbnett.example.no"
MAX_RETURN_BYTES = 12 * 1024 * 1024  # the ELMO with its PDF, base64: well above a long transcript
MAX_FIELD = 200
_E = f"{{{NS}}}"
TEXTS: dict[str, dict[str, str]] = {
    "nb": {"ad": "Rådgiver i rekruttering", "ad_text": "Vi søker en rådgiver. Søk med resultatene dine fra "
           "Vitnemålsportalen: du velger selv hva som sendes.", "name": "Fullt navn", "bday": "Fødselsdato",
           "apply": "Søk med resultater fra Vitnemålsportalen", "go": "Gå til Vitnemålsportalen",
           "go_text": "Du logger inn i Vitnemålsportalen, velger resultater og bekrefter. Deretter kommer du "
           "tilbake hit.", "received": "Dette kom fra Vitnemålsportalen", "code": "Svarkode",
           "message": "Melding", "signature": "ELMO-signaturen", "pdf": "Den vedlagte PDF-en",
           "person": "Personen", "valid": "gyldig, signert av Vitnemålsportalen", "invalid": "ikke gyldig",
           "match": "samme navn og fødselsdato som søkeren", "mismatch": "stemmer ikke med søkeren",
           "none": "ingen resultater sendt", "unknown": "Ukjent sesjon: svaret er ikke behandlet.",
           "results": "Resultater", "credits": "studiepoeng", "again": "Søk på nytt"},
    "nn": {"ad": "Rådgivar i rekruttering", "ad_text": "Vi søkjer ein rådgivar. Søk med resultata dine frå "
           "Vitnemålsportalen: du vel sjølv kva som blir sendt.", "name": "Fullt namn", "bday": "Fødselsdato",
           "apply": "Søk med resultat frå Vitnemålsportalen", "go": "Gå til Vitnemålsportalen",
           "go_text": "Du loggar inn i Vitnemålsportalen, vel resultat og stadfestar. Deretter kjem du tilbake "
           "hit.", "received": "Dette kom frå Vitnemålsportalen", "code": "Svarkode", "message": "Melding",
           "signature": "ELMO-signaturen", "pdf": "Den vedlagde PDF-en", "person": "Personen",
           "valid": "gyldig, signert av Vitnemålsportalen", "invalid": "ikkje gyldig",
           "match": "same namn og fødselsdato som søkjaren", "mismatch": "stemmer ikkje med søkjaren",
           "none": "ingen resultat sende", "unknown": "Ukjend sesjon: svaret er ikkje handsama.",
           "results": "Resultat", "credits": "studiepoeng", "again": "Søk på nytt"},
    "en": {"ad": "Recruitment adviser", "ad_text": "We are hiring an adviser. Apply with your results from "
           "Vitnemålsportalen: you choose what is sent.", "name": "Full name", "bday": "Date of birth",
           "apply": "Apply with results from Vitnemålsportalen", "go": "Go to Vitnemålsportalen",
           "go_text": "You log in to Vitnemålsportalen, choose results and confirm. Then you come back here.",
           "received": "What came from Vitnemålsportalen", "code": "Return code", "message": "Message",
           "signature": "The ELMO signature", "pdf": "The attached PDF", "person": "The person",
           "valid": "valid, signed by Vitnemålsportalen", "invalid": "not valid",
           "match": "same name and birth date as the applicant", "mismatch": "does not match the applicant",
           "none": "no results sent", "unknown": "Unknown session: the answer was not processed.",
           "results": "Results", "credits": "credits", "again": "Apply again"},
}


@dataclass(frozen=True)
class PlatformConfig:
    database: Path
    portal_url: str  # where the portal's EMREX entry is (…/emrex)
    own_url: str  # this platform's address (its return URL is own_url + /emrex/return)
    portal_cert: Path  # the portal's signing certificate, pinned
    ca_cert: Path  # the federation CA, for the attached PDF

    @property
    def return_url(self) -> str:
        return self.own_url.rstrip("/") + "/emrex/return"


@dataclass(frozen=True)
class Applicant:
    name: str
    bday: str
    lang: str
    answered: bool


class Store:
    """The platform's own database: one row per application, with what came back."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("create table if not exists applications (id integer primary key, session_id text "
                             "unique, name text, bday text, lang text, started_at text, answer text)")

    def start(self, name: str, bday: str, lang: str) -> str:
        session_id = secrets.token_hex(16)  # the standard's 32 random characters
        with self._lock, self._db:
            self._db.execute("insert into applications (session_id, name, bday, lang, started_at) "
                             "values (?, ?, ?, ?, ?)", (session_id, name, bday, lang, datetime.now(UTC).isoformat()))
        return session_id

    def applicant(self, session_id: str) -> Applicant | None:
        with self._lock:
            row = self._db.execute("select name, bday, lang, answer from applications where session_id = ?",
                                   (session_id[:64],)).fetchone()
        return None if row is None else Applicant(str(row[0]), str(row[1]), str(row[2]), row[3] is not None)

    def answered(self, session_id: str, answer: Mapping[str, Any]) -> None:
        with self._lock, self._db:
            self._db.execute("update applications set answer = ? where session_id = ?",
                             (json.dumps(answer, ensure_ascii=False), session_id))


def _text(el: Any, name: str) -> str:
    found = el.find(_E + name)
    return (found.text or "").strip() if found is not None else ""


def _title(el: Any, lang: str) -> str:
    titles = {t.get("{http://www.w3.org/XML/1998/namespace}lang"): (t.text or "") for t in el.findall(_E + "title")}
    return titles.get("en" if lang == "en" else "nb") or next(iter(titles.values()), "")


def _results(root: Any, lang: str) -> list[dict[str, Any]]:
    """Each report's issuer and its learning opportunities (degrees with their courses), as the page lists them."""
    def los(el: Any) -> dict[str, Any]:
        loi = el.find(f"{_E}specifies/{_E}learningOpportunityInstance")
        credit = loi.find(_E + "credit") if loi is not None else None
        return {"code": _text(el, "identifier"), "title": _title(el, lang), "type": _text(el, "type"),
                "grade": _text(loi, "resultLabel") if loi is not None else "",
                "credits": _text(credit, "value") if credit is not None else "",
                "parts": [los(p) for h in el.findall(_E + "hasPart")
                          for p in h.findall(_E + "learningOpportunitySpecification")]}
    return [{"issuer": _title(r.find(_E + "issuer"), lang),
             "items": [los(x) for x in r.findall(_E + "learningOpportunitySpecification")]}
            for r in root.findall(_E + "report")]


def check_answer(config: PlatformConfig, fields: Mapping[str, str], name: str, bday: str,
                 lang: str) -> dict[str, Any]:
    """What the platform makes of a hand-back: verified signature, verified PDF, person match, results."""
    from vitnemal.signing.verify import check_pdf

    answer: dict[str, Any] = {"code": fields.get("returnCode", "")[:MAX_FIELD],
                              "message": fields.get("returnMessage", "")[:500], "elmo": "elmo" in fields}
    if "elmo" not in fields:
        return answer
    try:
        xml = decode_transfer(fields["elmo"])
        pinned = x509.load_pem_x509_certificate(config.portal_cert.read_bytes())
        root = verify_elmo(xml, [pinned]).root
    except (ElmoSignatureInvalid, ValueError) as exc:
        return {**answer, "signature": False, "problem": str(exc)}
    learner = root.find(_E + "learner")
    person = f"{_text(learner, 'givenNames')} {_text(learner, 'familyName')}".strip()
    same = " ".join(person.lower().split()) == " ".join(name.lower().split()) and _text(learner, "bday") == bday
    pdf_ok, pdf_problem = False, "no PDF attached"
    for attachment in root.findall(_E + "attachment"):
        content = _text(attachment, "content")
        if content.startswith("data:application/pdf;base64,"):
            checked = check_pdf(base64.b64decode(content.split(",", 1)[1]), [config.ca_cert])
            pdf_ok, pdf_problem = checked.genuine, checked.message
    return {**answer, "signature": True, "person": person, "bday": _text(learner, "bday"), "same": same,
            "pdf": pdf_ok, "pdf_problem": pdf_problem, "results": _results(root, lang)}


def create_platform(config: PlatformConfig) -> FastAPI:
    """The platform's app (pages only; no API)."""
    from vitnemal.web.templating import STATIC

    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("platform_templates")),
                      autoescape=select_autoescape(["html"]))
    store = Store(config.database)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    policy = csp(default_src="'none'", style_src="'self'", img_src="'self' data:", font_src="'self'",
                 frame_ancestors="'none'", base_uri="'none'",
                 form_action=f"'self' {config.portal_url.rstrip('/')}/emrex")

    def lang_of(request: Request) -> str:
        lang = request.query_params.get("lang", "nb")
        return lang if lang in TEXTS else "nb"

    def page(request: Request, name: str, status_code: int = 200, lang: str | None = None,
             **values: Any) -> HTMLResponse:
        lang = lang or lang_of(request)
        html = env.get_template(name).render(t=TEXTS[lang], lang=lang, platform=NAME, **values)
        return HTMLResponse(html, status_code=status_code, headers={"cache-control": "no-store"})

    @app.get("/", response_class=HTMLResponse)
    def ad(request: Request) -> HTMLResponse:
        return page(request, "ad.html")

    @app.post("/apply", response_class=HTMLResponse)
    async def apply(request: Request) -> HTMLResponse:
        form = await request.form()
        name, bday = str(form.get("name", ""))[:MAX_FIELD], str(form.get("bday", ""))[:10]
        try:
            date.fromisoformat(bday)
        except ValueError:
            return page(request, "ad.html", 400, problem=TEXTS[lang_of(request)]["bday"])
        session_id = store.start(" ".join(name.split()), bday, lang_of(request))
        entry = f"{config.portal_url.rstrip('/')}/emrex?lang={lang_of(request)}"
        return page(request, "go.html", entry=entry, session_id=session_id, return_url=config.return_url)

    @app.post("/emrex/return", response_class=HTMLResponse)
    async def returned(request: Request) -> HTMLResponse:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_RETURN_BYTES:
                raise HTTPException(413)
        fields = dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=10))
        found = store.applicant(fields.get("sessionId", ""))
        if found is None or found.answered:  # a session this platform did not start, or answered already
            return page(request, "received.html", 400, unknown=True)
        # The PDF check runs its own event loop (pyHanko): in a worker thread, not on this one.
        answer = await run_in_threadpool(check_answer, config, fields, found.name, found.bday, found.lang)
        store.answered(fields["sessionId"], answer)
        # Answered here, not redirected: the portal's page allows its form to go to this address only.
        return page(request, "received.html", lang=found.lang, answer=answer)

    return SecurityHeaders(app, pages={"/": policy})  # type: ignore[return-value]


def start_demo_platform(settings: Settings, host: str, port: int) -> str:
    """Register the platform with the demo's portal (once) and serve it on ``port`` in a background thread; its
    address. Its database is in the demo's home, apart from the portal's."""
    import uvicorn

    from vitnemal.db import Database
    from vitnemal.portal.pdf import portal_signer_files

    own_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    _, cert, ca_cert = portal_signer_files(settings)
    config = PlatformConfig(settings.home / "demo-platform" / "platform.sqlite", settings.public_url, own_url, cert,
                            ca_cert)
    db = Database(settings.url_for("portal"))
    try:
        with db.session() as session:
            register_demo_client(session, config)
    finally:
        db.dispose()
    server = uvicorn.Server(uvicorn.Config(create_platform(config), host=host, port=port, log_level="warning",
                                           server_header=False))
    threading.Thread(target=server.run, name="demo-platform", daemon=True).start()
    return own_url


def register_demo_client(session: Any, config: PlatformConfig) -> None:
    """Register the platform with the portal as an EMREX 1 client (once)."""
    from vitnemal.emrex import clients

    if clients.get_client(session, CLIENT_ID) is None:
        clients.add_client(session, client_id=CLIENT_ID, name=NAME, kind="emrex1", urls=[config.return_url],
                           contact_email=CONTACT, website=config.own_url, now=datetime.now(UTC), actor="demo",
                           production=False)
