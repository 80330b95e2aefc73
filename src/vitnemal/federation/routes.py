"""The federation operator's pages (``/federation``): the members, registering one, rotating and retiring a key,
taking a member out, and testing a node's connection. Only the federation operator's role opens them
(``require_operator``); every form carries the CSRF token (``page_router``) and every change goes through
:mod:`vitnemal.federation.membership`, which records it in the operator's log.

After a change the browser is sent back to the member's page (303) with ``?done=<what>``, so a reload never
repeats it; a refused change shows the form again with what was wrong and what to do.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.federation import membership, rules
from vitnemal.federation.probe import probe_node
from vitnemal.federation.rules import MembershipError
from vitnemal.federation.texts import answer_lines, summary
from vitnemal.i18n import as_language
from vitnemal.institutions.exchange_keys import PublicJwk, generate_key, public_jwk, save_private_key
from vitnemal.institutions.registry import InstitutionEntry, Registry
from vitnemal.staffpages.access import CODE, StaffUser, host_of, require_operator
from vitnemal.staffpages.render import render_staff
from vitnemal.web.context import language, web
from vitnemal.web.routing import page_router
from vitnemal.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
router = page_router(prefix="/federation")

DEMO_TEST_PERSON = "01536112185"  # the seed's Testperson1, consenting at the demo's 185
# What the member's page says after a change (the ?done= of the redirect; anything else is ignored).
DONE = ("registered", "rotated", "retired", "taken_out")
_KEY_FIELD = Form("", max_length=rules.MAX_KEY_BYTES)
_OVERLAP_FIELD = Form("1d", max_length=20)


def _registry(request: Request) -> Registry:
    return host_of(request).registry


def _page(request: Request, user: StaffUser, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    settings = host_of(request).settings
    return render_staff(request, user, name, {"now": datetime.now(UTC), "thumbprint": _thumb,
                                              "parse_time": datetime.fromisoformat,
                                              "generate_allowed": not settings.production, **context},
                        status_code=status_code)


def _log(request: Request, code: str | None = None, limit: int = 30) -> list[dict[str, Any]]:
    """The operator's log as plain values (the rows are read inside their session)."""
    with web(request).db.read_session() as session:
        return [{"at": e.at, "actor": e.actor, "action": e.action,
                 "detail": {k: v for k, v in json.loads(e.detail or "{}").items() if k not in ("institution", "name")}}
                for e in membership.operator_log(session, code=code, limit=limit)]


def _thumb(jwk: PublicJwk | None) -> str:
    return rules.thumbprint(jwk) if jwk else ""


def _lang(request: Request) -> Any:
    """The page's language for the connection test's sentences (nb, nn, en; anything else reads nb)."""
    lang = language(request)
    return as_language(lang) if lang in ("nb", "nn", "en") else "nb"


def _key_from_form(request: Request, key_text: str, generate: bool) -> tuple[PublicJwk, Any]:
    """(public JWK, private key to install here or None): a pasted public key, or one made here (not production)."""
    if generate:
        if host_of(request).settings.production:
            raise MembershipError("keys are not made on the operator's host in production: paste the institution's "
                                  "public key")
        private = generate_key()
        return public_jwk(private), private
    if not key_text.strip():
        raise MembershipError("paste the institution's public key (PEM or JWK), or choose to make one here")
    return rules.parse_public_key(key_text.encode()), None


def _install(request: Request, code: str, private: Any) -> None:
    if private is not None:
        save_private_key(private, host_of(request).settings.keys_dir / f"{code}.pem")


@router.get("", response_class=HTMLResponse)
def members(request: Request, user: StaffUser = Depends(require_operator)) -> Response:
    """Every member of the federation, the register form and the newest entries of the operator's log."""
    return _page(request, user, "federation/members.html", {
        "members": list(_registry(request)), "log": _log(request), "form": {}, "error": None,
        "stopped": host_of(request).is_stopped})


@router.post("/register", response_class=HTMLResponse)
def register(request: Request, user: StaffUser = Depends(require_operator),
             code: str = Form(..., max_length=20), name: str = Form(..., max_length=rules.MAX_NAME_CHARS * 2),
             name_en: str = Form(..., max_length=rules.MAX_NAME_CHARS * 2),
             short_name: str = Form(..., max_length=rules.MAX_SHORT_NAME_CHARS * 2),
             endpoint: str = Form(..., max_length=rules.MAX_ENDPOINT_CHARS * 2), key: str = _KEY_FIELD,
             generate: bool = Form(False)) -> Response:
    settings = host_of(request).settings
    try:
        public, private = _key_from_form(request, key, generate)
        with web(request).db.session() as session:
            entry = membership.register(session, settings.registry_path, code=code, name_nb=name, name_en=name_en,
                                        short_name=short_name, endpoint=endpoint, public_jwk=public,
                                        actor=user.actor, now=datetime.now(UTC),
                                        require_https=settings.production)
            _install(request, entry.code, private)
    except MembershipError as exc:
        form = {"code": code, "name": name, "name_en": name_en, "short_name": short_name, "endpoint": endpoint,
                "key": key if len(key) <= rules.MAX_KEY_BYTES else ""}
        return _page(request, user, "federation/members.html", {
            "members": list(_registry(request)), "log": _log(request), "form": form, "error": str(exc),
            "stopped": host_of(request).is_stopped}, status_code=422)
    return RedirectResponse(f"/federation/{entry.code}?done=registered", status_code=303)


def _member_page(request: Request, user: StaffUser, entry: InstitutionEntry, *, done: str | None = None,
                 error: str | None = None, test: Any = None, person: str = DEMO_TEST_PERSON,
                 status_code: int = 200) -> Response:
    host = host_of(request)
    log = _log(request, entry.code, 50)
    lang = _lang(request)
    requesters = [c for c in host.registry.codes()
                  if c != entry.code and (host.settings.keys_dir / f"{c}.pem").exists()]
    return _page(request, user, "federation/member.html", {
        "member": entry, "log": log, "done": done if done in DONE else None, "error": error,
        "test": test, "test_lines": answer_lines(test, lang) if test is not None else [],
        "test_summary": summary(test, entry.name_en if lang == "en" else entry.name_nb, lang) if test else "",
        "requesters": requesters, "test_person": person, "stopped": host.is_stopped(entry.code)},
        status_code=status_code)


def _entry(request: Request, code: str) -> InstitutionEntry:
    from fastapi import HTTPException

    entry = _registry(request).institutions.get(code)
    if entry is None:
        raise HTTPException(404, f"{code!r} is not a member of the federation")
    return entry


@router.get("/{code}", response_class=HTMLResponse)
def member(request: Request, code: str = CODE, user: StaffUser = Depends(require_operator)) -> Response:
    done = request.query_params.get("done", "")[:20]
    return _member_page(request, user, _entry(request, code), done=done)


def _change(request: Request, user: StaffUser, code: str, done: str, do: Any) -> Response:
    entry = _entry(request, code)
    try:
        with web(request).db.session() as session:
            do(session, host_of(request).settings.registry_path, datetime.now(UTC))
    except MembershipError as exc:
        return _member_page(request, user, _entry(request, code), error=str(exc), status_code=422)
    return RedirectResponse(f"/federation/{entry.code}?done={done}", status_code=303)


@router.post("/{code}/rotate-key", response_class=HTMLResponse)
def rotate_key(request: Request, code: str = CODE, user: StaffUser = Depends(require_operator),
               key: str = _KEY_FIELD, generate: bool = Form(False), overlap: str = _OVERLAP_FIELD) -> Response:
    def do(session: Any, registry_path: Path, now: datetime) -> None:
        span = rules.parse_overlap(overlap)
        public, private = _key_from_form(request, key, generate)
        membership.rotate_key(session, registry_path, code=code, public_jwk=public, overlap=span,
                              actor=user.actor, now=now)
        _install(request, code, private)  # only once the registry accepts both keys

    return _change(request, user, code, "rotated", do)


@router.post("/{code}/retire-key", response_class=HTMLResponse)
def retire_key(request: Request, code: str = CODE, user: StaffUser = Depends(require_operator)) -> Response:
    def do(session: Any, registry_path: Path, now: datetime) -> None:
        membership.retire_previous_key(session, registry_path, code=code, actor=user.actor, now=now)

    return _change(request, user, code, "retired", do)


@router.post("/{code}/take-out", response_class=HTMLResponse)
def take_out(request: Request, code: str = CODE, user: StaffUser = Depends(require_operator),
             reason: str = Form("", max_length=rules.MAX_REASON_CHARS * 2),
             confirm: bool = Form(False)) -> Response:
    def do(session: Any, registry_path: Path, now: datetime) -> None:
        if not confirm:
            raise MembershipError("tick the box to confirm: from now on the institution's requests are refused")
        membership.take_out(session, registry_path, code=code, reason=reason, actor=user.actor, now=now)

    return _change(request, user, code, "taken_out", do)


@router.post("/{code}/test", response_class=HTMLResponse)
def test_connection(request: Request, code: str = CODE, user: StaffUser = Depends(require_operator),
                    person: str = Form(DEMO_TEST_PERSON, max_length=20),
                    requester: str = Form("", max_length=20)) -> Response:
    """Ask the node the three questions now (a real signed request over HTTP) and show each answer."""
    entry = _entry(request, code)
    try:
        test, _ = probe_node(host_of(request).settings, code, person, requester or None, user.actor)
    except (LookupError, ValueError) as exc:
        return _member_page(request, user, entry, error=str(exc).strip("'\""), person=person, status_code=422)
    return _member_page(request, user, entry, test=test, person=person)
