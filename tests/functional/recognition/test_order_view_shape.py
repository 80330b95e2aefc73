"""The order and Person eksternstudium as the case workers' API answers them have one declared shape each (issue
12 #4): exchange.views.OrderView and ExternalRecordView.
The API's answers carry exactly its keys, FastAPI checks them against it (its response model), and the OpenAPI
document describes it, so a client reads the same fields the CLI and the case pages do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.factories import MiniFederation
from tests.functional.recognition.conftest import STUDENT

from vitnemal.exchange.views import (
    AuditEntryView,
    ChangeView,
    ExternalQualificationView,
    ExternalRecordView,
    ExternalResultView,
    OrderView,
    OutcomeView,
)
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.routes import NodeDescription
from vitnemal.recognition.local_exchange import run_order_now
from vitnemal.web.app import create_app


@pytest.fixture
def client(fed: MiniFederation) -> Iterator[TestClient]:
    with TestClient(create_app(fed.settings)) as c:
        yield c


def test_the_order_api_answers_the_declared_order_view(client: TestClient, fed: MiniFederation) -> None:
    headers = {"authorization": f"Bearer {fed.tokens['185']}"}
    placed = client.post("/api/institutions/185/orders", json={"national_id": STUDENT}, headers=headers)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert set(order) == set(OrderView.__required_keys__)
    assert order["outcomes"] and all(set(o) == set(OutcomeView.__required_keys__) for o in order["outcomes"])
    again = client.get(f"/api/institutions/185/orders/{order['order_id']}", headers=headers).json()
    listed = client.get("/api/institutions/185/orders", headers=headers).json()
    assert set(again) == set(order) and [o["order_id"] for o in listed] == [order["order_id"]]

    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    answered = doc["paths"]["/api/institutions/{code}/orders"]["post"]["responses"]["201"]
    assert answered["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/OrderView"}
    assert set(schemas["OrderView"]["properties"]) == set(OrderView.__required_keys__)
    assert set(schemas["OutcomeView"]["properties"]) == set(OutcomeView.__required_keys__)
    assert set(schemas["ChangeView"]["properties"]) == set(ChangeView.__required_keys__)


def test_person_eksternstudium_is_the_declared_external_record_view(client: TestClient, fed: MiniFederation) -> None:
    headers = {"authorization": f"Bearer {fed.tokens['185']}"}
    order = client.post("/api/institutions/185/orders", json={"national_id": STUDENT}, headers=headers).json()
    host = LocalInstitutions.open(fed.settings)
    try:
        run_order_now(host, "185", order["order_id"])
    finally:
        host.close()
    records = client.get(f"/api/institutions/185/people/{STUDENT}/external-records", headers=headers)
    assert records.status_code == 200, records.text
    [hisf] = [r for r in records.json() if r["institution"] == "216"]
    assert set(hisf) == set(ExternalRecordView.__required_keys__)
    assert hisf["results"] and all(set(r) == set(ExternalResultView.__required_keys__) for r in hisf["results"])
    assert all(set(q) == set(ExternalQualificationView.__required_keys__) for q in hisf["qualifications"])

    doc = client.get("/openapi.json").json()
    answered = doc["paths"]["/api/institutions/{code}/people/{national_id}/external-records"]["get"]["responses"]
    assert answered["200"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/ExternalRecordView"}
    assert set(doc["components"]["schemas"]["ExternalResultView"]["properties"]) == set(
        ExternalResultView.__required_keys__)


def test_the_audit_log_and_the_node_description_are_declared(client: TestClient, fed: MiniFederation) -> None:
    headers = {"authorization": f"Bearer {fed.tokens['185']}"}
    client.post("/api/institutions/185/orders", json={"national_id": STUDENT}, headers=headers)
    log = client.get(f"/api/institutions/185/people/{STUDENT}/audit", headers=headers).json()
    assert "place_order" in {e["action"] for e in log}
    assert all(set(e) == set(AuditEntryView.__required_keys__) for e in log)
    node = client.get("/nodes/185").json()
    assert set(node) == set(NodeDescription.__required_keys__) and node["code"] == "185"
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["AuditEntryView"]["properties"]) == set(AuditEntryView.__required_keys__)
    assert set(schemas["NodeDescription"]["properties"]) == set(NodeDescription.__required_keys__)
