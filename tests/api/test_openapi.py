"""The OpenAPI document describes routes, security and problems."""

from __future__ import annotations

from tests.api.conftest import ApiRig


async def test_openapi_documents_the_api(rig: ApiRig) -> None:
    spec = (await rig.client.get("/openapi.json")).json()

    paths = spec["paths"]
    assert {
        "/api/sites",
        "/api/sites/{site_id}",
        "/api/stations",
        "/api/stations/{station_id}",
        "/api/stations/{station_id}/status-history",
        "/api/stations/{station_id}/events",
        "/api/stations/{station_id}/evses/{evse_id}/connectors/{connector_id}",
        "/api/stations/{station_id}/evses/{evse_id}/power",
        "/api/stations/{station_id}/commands",
        "/api/commands/{command_id}",
        "/api/tokens",
        "/api/tokens/{value}",
        "/api/transactions",
        "/api/transactions/{transaction_id}",
        "/api/transactions/{transaction_id}/stop",
        "/api/api-keys",
        "/api/api-keys/{key_id}",
    } <= set(paths)
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    put_connector = paths["/api/stations/{station_id}/evses/{evse_id}/connectors/{connector_id}"]
    assert put_connector["put"]["summary"] == "Declare or change a connector (type and rating)"
    assert "application/problem+json" in put_connector["put"]["responses"]["422"]["content"]
    command_body = paths["/api/stations/{station_id}/commands"]["post"]["requestBody"]
    schema = command_body["content"]["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "kind"
    assert len(schema["oneOf"]) == 18
    get_station = paths["/api/stations/{station_id}"]["get"]["responses"]
    assert get_station["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["Problem"]["properties"]["errors"]
