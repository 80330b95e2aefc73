"""The federation operator's pages over real HTTP with real staff logins: only the operator's role opens them, each
form needs its CSRF token, every action changes the registry through the same services as the CLI and lands in the
operator's log, and bad input is refused with what to do."""

from __future__ import annotations

from pathlib import Path

import httpx
from tests.factories import add_course, add_person, add_result, consent
from tests.staff_helpers import csrf, log_in_person, log_in_staff, staff_site

from vitnemal.federation.rules import MAX_KEY_BYTES
from vitnemal.institutions.exchange_keys import generate_key
from vitnemal.institutions.registry import Registry

PERSON = "01039510010"
OPERATOR = "operator@sikt.no"


def _post(client: httpx.Client, path: str, form_page: str, data: dict[str, str]) -> httpx.Response:
    token = csrf(client.get(form_page).text)
    return client.post(path, data={"csrf_token": token, **data})


ROUTES = [("GET", "/federation"), ("GET", "/federation/216"), ("POST", "/federation/register"),
          ("POST", "/federation/216/rotate-key"), ("POST", "/federation/216/retire-key"),
          ("POST", "/federation/216/take-out"), ("POST", "/federation/216/test")]


def test_only_the_operator_opens_the_pages_and_forms_need_csrf(tmp_path: Path, sqlite_template: Path) -> None:
    with staff_site(tmp_path / "fed", sqlite_template) as site:
        before = site.fed.settings.registry_path.read_bytes()
        with httpx.Client(base_url=site.url) as anonymous:
            for method, path in ROUTES:
                answer = anonymous.request(method, path)
                assert answer.status_code in (303, 403), (method, path, answer.status_code)  # login, or no token
                if method == "GET":
                    assert answer.headers["location"].startswith("/staff/login?next="), path
        for user in ("saksbehandler@uio.no", "admin@uio.no", "admin@hisf.no"):
            with site.client() as staff:
                token = csrf(log_in_staff(staff, user).text)
                for method, path in ROUTES:  # a valid CSRF token: what decides is the role
                    answer = staff.request(method, path, data={"csrf_token": token} if method == "POST" else None)
                    assert answer.status_code == 403, (user, method, path, answer.status_code)
        with site.client() as student:
            token = csrf(log_in_person(student, "01536112185").text)
            student.follow_redirects = False
            for method, path in ROUTES:
                answer = student.request(method, path, data={"csrf_token": token} if method == "POST" else None)
                assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login")
        with site.client() as operator:
            log_in_staff(operator, OPERATOR)
            listing = operator.get("/federation")
            assert listing.status_code == 200 and "Universitetet i Oslo" in listing.text
            forged = operator.post("/federation/216/retire-key", data={"csrf_token": "x"})
            assert forged.status_code == 403
            assert operator.get("/federation/999").status_code == 404
        assert site.fed.settings.registry_path.read_bytes() == before


def test_register_rotate_test_and_take_out_from_the_page(tmp_path: Path, sqlite_template: Path) -> None:
    with staff_site(tmp_path / "fed", sqlite_template) as site:
        with site.db("216").session() as s:
            add_result(s, add_person(s, PERSON), add_course(s, "RES-100"), 2014, "VÅR", "B")
        with site.db("185").session() as s:
            consent(s, add_person(s, PERSON))
        registry_path = site.fed.settings.registry_path
        with site.client() as op:
            log_in_staff(op, OPERATOR)
            public = generate_key().as_pem(private=False).decode()
            form = {"code": "300", "name": "Høgskolen i Eksempel", "name_en": "Example University College",
                    "short_name": "HiE", "endpoint": "https://fs.example.no/nodes/300", "key": public}
            done = _post(op, "/federation/register", "/federation", form)
            assert done.url.path == "/federation/300" and done.url.query == b"done=registered"
            assert Registry.load(registry_path).get("300").node_url == "https://fs.example.no/nodes/300"

            # Hostile or mistaken input: refused with the reason, nothing written.
            before = registry_path.read_bytes()
            private = generate_key().as_pem(private=True).decode()
            for changes, said in (({"code": "301", "key": private}, "private key"),
                                  ({"code": "302", "endpoint": "javascript:alert(1)"}, "https or http URL"),
                                  ({"code": "303", "key": "A" * (MAX_KEY_BYTES + 10)}, ""),
                                  ({"code": "300"}, "rotate-key 300")):
                refused = _post(op, "/federation/register", "/federation", {**form, **changes})
                assert refused.status_code == 422 and said in refused.text, (changes, refused.text[:500])
            assert registry_path.read_bytes() == before

            test = _post(op, "/federation/216/test", "/federation/216", {"person": PERSON, "requester": "185"})
            assert test.status_code == 200
            assert test.text.count("<strong>Ja</strong>") == 3 and "Resultater: 1, kvalifikasjoner: 0." in test.text

            rotated = _post(op, "/federation/216/rotate-key", "/federation/216", {"generate": "true",
                                                                                  "overlap": "2h"})
            assert rotated.url.query == b"done=rotated" and len(Registry.load(registry_path).get("216")
                                                                   .previous_keys) == 1
            again = _post(op, "/federation/216/test", "/federation/216", {"person": PERSON, "requester": "185"})
            assert again.text.count("<strong>Ja</strong>") == 3  # the running node signs with its new key
            _post(op, "/federation/216/retire-key", "/federation/216", {})
            assert Registry.load(registry_path).get("216").previous_keys == []

            unconfirmed = _post(op, "/federation/300/take-out", "/federation/300", {"reason": "Nedlagt"})
            assert unconfirmed.status_code == 422
            out = _post(op, "/federation/300/take-out", "/federation/300", {"reason": "Nedlagt", "confirm": "true"})
            assert out.url.query == b"done=taken_out" and Registry.load(registry_path).get("300").withdrawn
            assert "Nedlagt" in op.get("/federation/300").text  # the log on the member's page
        from vitnemal.db import Database
        from vitnemal.federation.membership import operator_log

        db = Database(site.fed.settings.url_for("portal"))
        with db.read_session() as session:
            events = [(e.actor, e.action) for e in operator_log(session)]
        db.dispose()
        assert events == [(OPERATOR, a) for a in (
            "federation.taken_out", "federation.key_retired", "federation.connection_tested",
            "federation.key_rotated", "federation.connection_tested", "federation.registered")]
