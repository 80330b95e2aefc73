"""schemathesis against the OpenAPI document the whole app serves (real HTTP, uvicorn on a port; the nodes, the case
workers' API, verification, EMREX 2 and the platforms' API): every operation, called with what the document allows
and with what it does not (schemathesis's strategies, driven by Hypothesis), answers without a server error (no
5xx). A few examples per operation keep the run well under a minute; a failing call is shrunk to the smallest one
and named with its operation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from tests.staff_helpers import StaffSite, staff_site

EXAMPLES = 5  # per operation and per generation mode (valid requests, invalid requests)


@schemathesis.serializer("application/jose")
def _compact_jws(ctx, value) -> bytes:  # type: ignore[no-untyped-def]
    # The nodes' requests are compact JWS (a string in the document): sent as the text generated, which the node
    # must refuse in words (it is not a signature of a known requester), never with a 5xx.
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template) -> Iterator[StaffSite]:  # type: ignore[no-untyped-def]
    with staff_site(tmp_path_factory.mktemp("fuzz") / "fed", sqlite_template, ("185", "216")) as s:
        yield s


def test_no_operation_answers_with_a_server_error(site: StaffSite) -> None:
    # schemathesis's own pytest plugin (from_fixture) does not run under pytest 9; its strategies are plain
    # Hypothesis, so each operation is a Hypothesis test here, with valid requests and with invalid ones.
    schema = schemathesis.openapi.from_url(f"{site.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the document lost its operations"
    headers = {"Authorization": f"Bearer {site.fed.tokens['185']}"}  # a case worker of 185: past the 401s
    statuses: Counter[str] = Counter()
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            valid = mode is GenerationMode.POSITIVE
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case) -> None:  # type: ignore[no-untyped-def]
                if "code" in (case.path_parameters or {}) and valid:  # noqa: B023 (call() runs in this pass)
                    case.path_parameters["code"] = "185"  # an institution served here: the handler, not a 404
                answer = case.call_and_validate(checks=[not_a_server_error], headers=headers, timeout=30)
                # A 404 the router gives (no such path) says nothing of the handler; one the handler gives (no such
                # case, person, document) is an answer of the operation.
                routed = answer.status_code == 404 and answer.text in ('{"detail":"Not Found"}', "Not Found")
                statuses["router 404" if routed else str(answer.status_code)] += 1

            try:
                call()
            except Unsatisfiable:
                continue  # nothing invalid can be made of this operation's parameters
            except Exception as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert failures == [], "\n\n".join(failures)
    reached = sum(n for status, n in statuses.items() if status not in ("401", "403", "router 404"))
    # The calls must reach the handlers, or the test tests only the router: most get past 401 and 404.
    print("schemathesis answers:", dict(statuses))
    assert reached >= sum(statuses.values()) // 2, statuses
