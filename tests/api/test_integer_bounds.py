"""Integers beyond what storage binds are a precise 422, never a 500 (issue 9.10).

Every integer path and query parameter of the OpenAPI document is sent a 20-digit number over
HTTP; request bodies are checked through the document (every integer input is bounded) and by
examples.
"""

from __future__ import annotations

import re
from typing import Any

from forecourt.api.bounds import INT32_MAX, INT64_MAX
from tests.api.conftest import ApiRig

HUGE = 99999999999999999999999
#: Values for the other path parameters of an operation under test.
PLAIN_PATH_VALUES = {"station_id": "CS-1", "site_id": "S-1", "value": "TAG-1", "code": "T-1"}


def integer_parameters(spec: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(method, path template, location, name) of every integer path or query parameter."""
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query") and _is_integer(parameter["schema"]):
                    found.append((method, path, parameter["in"], parameter["name"]))
    return found


def _is_integer(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "integer" for option in options)


def _url(path: str, location: str, name: str) -> tuple[str, dict[str, Any]]:
    def fill(match: re.Match[str]) -> str:
        placeholder = match.group(1)
        if location == "path" and placeholder == name:
            return str(HUGE)
        return PLAIN_PATH_VALUES.get(placeholder, "1")

    url = re.sub(r"\{(\w+)\}", fill, path)
    return url, ({name: HUGE} if location == "query" else {})


async def test_every_integer_parameter_rejects_a_huge_number(rig: ApiRig) -> None:
    spec = (await rig.client.get("/openapi.json")).json()
    parameters = integer_parameters(spec)
    assert len(parameters) > 15  # the document really lists them

    for method, path, location, name in parameters:
        url, query = _url(path, location, name)
        response = await rig.client.request(method, url, params=query, headers=rig.auth())

        assert response.status_code == 422, (method, url, query, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert (location, name) in [(e["location"], e["field"]) for e in problem["errors"]]


async def test_the_reported_urls_answer_422_with_the_limit(rig: ApiRig) -> None:
    paged = await rig.client.get(
        "/api/transactions", params={"offset": "99999999999999999999"}, headers=rig.auth()
    )
    detail = await rig.client.get("/api/transactions/99999999999999999999999", headers=rig.auth())

    assert paged.status_code == 422
    assert paged.json()["errors"][0]["field"] == "offset"
    assert paged.json()["errors"][0]["message"] == (
        f"Input should be less than or equal to {INT64_MAX}"
    )
    assert detail.status_code == 422
    assert detail.json()["errors"][0]["field"] == "transaction_id"
    assert detail.json()["errors"][0]["message"] == (
        f"Input should be less than or equal to {INT32_MAX}"
    )


def _integer_properties(schema: Any, components: dict[str, Any], seen: set[str]) -> list[Any]:
    """Every integer (sub)schema reachable from ``schema`` in the document's components."""
    if isinstance(schema, list):
        return [s for item in schema for s in _integer_properties(item, components, seen)]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _integer_properties(components[name], components, seen)
    found = [schema] if schema.get("type") == "integer" else []
    return found + [s for v in schema.values() for s in _integer_properties(v, components, seen)]


async def test_every_integer_in_a_request_body_is_bounded(rig: ApiRig) -> None:
    spec = (await rig.client.get("/openapi.json")).json()
    components = spec["components"]["schemas"]
    bodies = [
        operation["requestBody"]
        for operations in spec["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    ]

    integers = _integer_properties(bodies, components, set())

    assert integers  # commands, connectors, tickets ... carry integers
    # (JSON may render 2**63 - 1 as the float 2**63)
    unbounded = [s for s in integers if float(s.get("maximum", "inf")) > float(INT64_MAX)]
    assert unbounded == []


async def test_huge_numbers_in_a_body_are_named(rig: ApiRig) -> None:
    await rig.services.network.add_station("CS-1")
    start = await rig.client.post(
        "/api/stations/CS-1/commands",
        json={
            "kind": "remote_start",
            "id_token": "TAG-1",
            "evse_id": HUGE,
            "remote_start_id": HUGE,
        },
        headers=rig.auth(),
    )
    connector = await rig.client.post(
        "/api/stations/CS-1/evses/1/connectors",
        json={"connector_id": HUGE, "type": "nacs"},
        headers=rig.auth(),
    )

    assert start.status_code == 422
    assert {e["field"] for e in start.json()["errors"]} == {"evse_id", "remote_start_id"}
    assert connector.status_code == 422
    assert [e["field"] for e in connector.json()["errors"]] == ["connector_id"]


async def test_a_threshold_beyond_any_real_one_is_refused(rig: ApiRig) -> None:
    huge = await rig.client.put(
        "/api/reliability/thresholds",
        json={"overrides": {"short_session_s": 1e300, "visit_gap_s": HUGE}},
        headers=rig.auth(),
    )
    kept = await rig.client.get("/api/reliability/thresholds", headers=rig.auth())

    assert huge.status_code == 422
    assert "must be at most 1000000000000" in huge.json()["detail"]
    assert kept.json()["short_session_s"] == 120.0
