"""Security headers on every answer, an OpenAPI document that says what the routes take and refuse, and /docs
that works with no network (Swagger UI from the package)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import httpx
import pytest
from tests.factories import make_federation

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer, wait_until_healthy
from vitnemal.schema import upgrade
from vitnemal.web.apidocs import ASSETS
from vitnemal.web.app import create_app
from vitnemal.web.headers import STRICT

NODE = "/nodes/216/exchange/v1/results"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    port = free_port()
    fed = make_federation(tmp_path_factory.mktemp("fed"), ["185", "216"], f"http://127.0.0.1:{port}",
                          template=sqlite_template)
    upgrade(fed.settings.url_for("portal"))  # the pages' own database
    with BackgroundServer(create_app(fed.settings, codes=["216"]), port=port) as running:
        yield fed, running


def _answers(fed, url: str) -> dict[str, httpx.Response]:
    token = {"authorization": f"Bearer {fed.tokens['216']}"}
    return {
        "json": httpx.get(f"{url}/healthz"),
        "not found": httpx.get(f"{url}/nowhere"),
        "gate 401": httpx.get(f"{url}/api/institutions/216/orders"),
        "route 404": httpx.get(f"{url}/api/institutions/216/orders/99", headers=token),
        "limit 413": httpx.post(f"{url}{NODE}", content=b"x" * 70_000),
        "node 400": httpx.post(f"{url}{NODE}", content=b"not a jws"),
        "docs page": httpx.get(f"{url}/docs"),
        "docs asset": httpx.get(f"{url}/docs/assets/swagger-ui.css"),
        "openapi": httpx.get(f"{url}/openapi.json"),
        "page": httpx.get(f"{url}/"),
    }


def test_every_answer_carries_the_security_headers(server) -> None:
    fed, running = server
    for what, response in _answers(fed, running.url).items():
        h = response.headers
        assert h["x-content-type-options"] == "nosniff", what
        assert h["x-frame-options"] == "DENY", what
        assert h["referrer-policy"] == "no-referrer", what
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, what
        assert "strict-transport-security" not in h, what  # plain HTTP: no HSTS
    answers = _answers(fed, running.url)
    assert answers["json"].headers["content-security-policy"] == STRICT
    assert answers["page"].headers["content-type"].startswith("text/html")
    assert "style-src 'self'" in answers["page"].headers["content-security-policy"]


def test_hsts_is_sent_behind_tls(server) -> None:
    _, running = server
    # uvicorn trusts X-Forwarded-Proto from the loopback proxy, as it would from a TLS-terminating proxy
    response = httpx.get(f"{running.url}/healthz", headers={"x-forwarded-proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_the_docs_page_loads_only_this_hosts_files(server) -> None:
    _, running = server
    page = httpx.get(f"{running.url}/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "nothing from another host"
    assert "<script>" not in page.text, "no inline script"
    for ref in re.findall(r"(?:src|href)=\"([^\"]+)\"", page.text):
        assert httpx.get(f"{running.url}{ref}").status_code == 200, ref
    assert "Apache License" in (ASSETS / "LICENSE").read_text()
    assert (ASSETS / "NOTICE").exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium on this machine")
def test_the_docs_render_in_a_browser_under_their_csp(server) -> None:
    _, running = server
    done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--virtual-time-budget=15000",
                           "--dump-dom", f"{running.url}/docs"], capture_output=True, text=True, timeout=120)
    # Swagger UI rendered the operations from /openapi.json: it ran, its styles applied, nothing was blocked.
    assert "/api/institutions/{code}/orders" in done.stdout, done.stderr[-2000:]
    assert "Content Security Policy" not in done.stderr


def test_the_openapi_document_declares_bearer_auth_bodies_and_refusals(server) -> None:
    fed, running = server
    doc = httpx.get(f"{running.url}/openapi.json").json()
    assert doc["components"]["securitySchemes"]["caseWorkerToken"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"][
            "caseWorkerToken"]["description"]}
    api = {(m, p): op for p, ops in doc["paths"].items() for m, op in ops.items()}
    for (method, path), op in api.items():
        if path.startswith("/api/institutions/"):
            assert op["security"] == [{"caseWorkerToken": []}], (method, path)
    node = api["post", "/nodes/{code}/exchange/v1/results"]
    assert "application/jose" in node["requestBody"]["content"]
    assert "application/jose" in node["responses"]["200"]["content"]
    # every refusal the routes really gave above is declared for its operation
    answers = _answers(fed, running.url)
    for what, template, method in [("gate 401", "/api/institutions/{code}/orders", "get"),
                                   ("route 404", "/api/institutions/{code}/orders/{order_id}", "get"),
                                   ("limit 413", "/nodes/{code}/exchange/v1/results", "post"),
                                   ("node 400", "/nodes/{code}/exchange/v1/results", "post")]:
        status = str(answers[what].status_code)
        assert status in api[method, template]["responses"], (what, status)
    assert "422" not in node["responses"], "the node route has no parameter that can fail validation"


def test_vitnemal_serve_sends_no_server_banner(tmp_path, sqlite_template) -> None:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185"], f"http://127.0.0.1:{port}", template=sqlite_template)
    env = {**os.environ, "VITNEMAL_HOME": str(fed.settings.home)}
    serve = subprocess.Popen([sys.executable, "-m", "vitnemal", "serve", "--port", str(port), "--no-worker"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", serve, timeout_s=60)
        response = httpx.get(f"http://127.0.0.1:{port}/healthz")
        assert "server" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
    finally:
        serve.terminate()
        serve.wait(timeout=30)
