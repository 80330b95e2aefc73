"""The JSON routes' shared plumbing (issue 12 #6): domain errors answered by app-level handlers, the served
institution and row ids as dependencies, waking the worker."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from vitnemal.web.deps import RowId, ServedHost, answer_errors, wake_worker


class Missing(LookupError):
    pass


class Refused(ValueError):
    pass


class Host:
    def serves(self, code: str) -> bool:
        return code == "185"


def _app() -> tuple[FastAPI, list[str]]:
    app = FastAPI()
    woken: list[str] = []
    app.state.host = Host()
    app.state.worker = SimpleNamespace(wake=lambda code: woken.append(code))  # the institution to look at
    answer_errors(app, {Missing: 404, Refused: 422})

    @app.get("/{code}/things/{thing_id}")
    def thing(code: str, thing_id: RowId, host: ServedHost, request: Request) -> dict[str, int]:
        if thing_id == 1:
            raise Missing(f"No thing {thing_id} at {code}.")
        if thing_id == 2:
            raise Refused("two is refused: ask for another")
        wake_worker(request, code)
        return {"thing": thing_id}

    return app, woken


def test_domain_errors_are_answered_by_the_apps_handlers_as_an_http_exception_would() -> None:
    app, woken = _app()
    client = TestClient(app)
    assert client.get("/185/things/1").status_code == 404
    assert client.get("/185/things/1").json() == {"detail": "No thing 1 at 185."}
    assert client.get("/185/things/2").status_code == 422
    assert client.get("/185/things/2").json() == {"detail": "two is refused: ask for another"}
    assert client.get("/185/things/3").json() == {"thing": 3} and woken == ["185"]


def test_an_institution_not_served_here_is_a_404_and_ids_beyond_64_bits_a_422() -> None:
    client = TestClient(_app()[0])
    assert client.get("/999/things/3").json() == {"detail": "Institution '999' is not served here."}
    assert client.get(f"/185/things/{2**63}").status_code == 422
    assert client.get("/185/things/0").status_code == 422
