"""OCPI 2.2.1 / 2.3.0 object definitions as JSON Schemas, written from the specification
(mod_locations §8.3-8.4, credentials §7.3, transport_and_format §5), independent of the code
under test: every object the CPO sends is checked against them."""

from __future__ import annotations

from typing import Any

import jsonschema

DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$"}


def _string(max_length: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length}


_CONNECTOR_TYPES_221 = [
    "CHADEMO",
    "CHAOJI",
    "DOMESTIC_A",
    "DOMESTIC_B",
    "DOMESTIC_C",
    "DOMESTIC_D",
    "DOMESTIC_E",
    "DOMESTIC_F",
    "DOMESTIC_G",
    "DOMESTIC_H",
    "DOMESTIC_I",
    "DOMESTIC_J",
    "DOMESTIC_K",
    "DOMESTIC_L",
    "DOMESTIC_M",
    "DOMESTIC_N",
    "DOMESTIC_O",
    "GBT_AC",
    "GBT_DC",
    "IEC_60309_2_single_16",
    "IEC_60309_2_three_16",
    "IEC_60309_2_three_32",
    "IEC_60309_2_three_64",
    "IEC_62196_T1",
    "IEC_62196_T1_COMBO",
    "IEC_62196_T2",
    "IEC_62196_T2_COMBO",
    "IEC_62196_T3A",
    "IEC_62196_T3C",
    "NEMA_5_20",
    "NEMA_6_30",
    "NEMA_6_50",
    "NEMA_10_30",
    "NEMA_10_50",
    "NEMA_14_30",
    "NEMA_14_50",
    "PANTOGRAPH_BOTTOM_UP",
    "PANTOGRAPH_TOP_DOWN",
    "TESLA_R",
    "TESLA_S",
]
CONNECTOR_TYPES = {"2.2.1": _CONNECTOR_TYPES_221, "2.3.0": [*_CONNECTOR_TYPES_221, "SAE_J3400"]}
STATUSES = [
    "AVAILABLE",
    "BLOCKED",
    "CHARGING",
    "INOPERATIVE",
    "OUTOFORDER",
    "PLANNED",
    "REMOVED",
    "RESERVED",
    "UNKNOWN",
]
CAPABILITIES = [
    "CHARGING_PROFILE_CAPABLE",
    "CHARGING_PREFERENCES_CAPABLE",
    "CHIP_CARD_SUPPORT",
    "CONTACTLESS_CARD_SUPPORT",
    "CREDIT_CARD_PAYABLE",
    "DEBIT_CARD_PAYABLE",
    "PED_TERMINAL",
    "REMOTE_START_STOP_CAPABLE",
    "RESERVABLE",
    "RFID_READER",
    "START_SESSION_CONNECTOR_REQUIRED",
    "TOKEN_GROUP_CAPABLE",
    "UNLOCK_CAPABLE",
    "ISO_15118_2_PLUG_AND_CHARGE",
    "ISO_15118_20_PLUG_AND_CHARGE",
]


def connector(version: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [
            "id",
            "standard",
            "format",
            "power_type",
            "max_voltage",
            "max_amperage",
            "last_updated",
        ],
        "properties": {
            "id": _string(36),
            "standard": {"enum": CONNECTOR_TYPES[version]},
            "format": {"enum": ["SOCKET", "CABLE"]},
            "power_type": {
                "enum": ["AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC"]
            },
            "max_voltage": {"type": "integer"},
            "max_amperage": {"type": "integer"},
            "max_electric_power": {"type": "integer"},
            "tariff_ids": {"type": "array", "items": _string(36)},
            "last_updated": DATETIME,
        },
    }


def evse(version: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["uid", "status", "connectors", "last_updated"],
        "properties": {
            "uid": _string(36),
            "evse_id": {"type": "string", "maxLength": 48, "pattern": r"^[A-Z]{2}\*?[A-Z0-9]{3}"},
            "status": {"enum": STATUSES},
            "capabilities": {"type": "array", "items": {"enum": CAPABILITIES}},
            "connectors": {"type": "array", "minItems": 1, "items": connector(version)},
            "physical_reference": _string(16),
            "last_updated": DATETIME,
        },
    }


def _plain_location(version: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [
            "country_code",
            "party_id",
            "id",
            "publish",
            "address",
            "city",
            "country",
            "coordinates",
            "time_zone",
            "last_updated",
        ],
        "properties": {
            "country_code": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "party_id": {"type": "string", "pattern": "^[A-Z0-9]{3}$"},
            "id": _string(36),
            "publish": {"type": "boolean"},
            "name": _string(255),
            "address": _string(45),
            "city": _string(45),
            "postal_code": _string(10),
            "country": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "coordinates": {
                "type": "object",
                "required": ["latitude", "longitude"],
                "properties": {
                    "latitude": {"type": "string", "pattern": r"^-?[0-9]{1,2}\.[0-9]{5,7}$"},
                    "longitude": {"type": "string", "pattern": r"^-?[0-9]{1,3}\.[0-9]{5,7}$"},
                },
            },
            "evses": {"type": "array", "items": evse(version)},
            "time_zone": _string(255),
            "last_updated": DATETIME,
        },
    }


CREDENTIALS = {
    "type": "object",
    "required": ["token", "url", "roles"],
    "properties": {
        "token": {"type": "string", "maxLength": 64, "pattern": r"^[\x21-\x7e]+$"},
        "url": _string(255),
        "roles": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["role", "business_details", "party_id", "country_code"],
                "properties": {
                    "role": {"enum": ["CPO", "EMSP", "HUB", "NAP", "NSP", "OTHER", "SCSP", "PTP"]},
                    "business_details": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": _string(100)},
                    },
                    "party_id": {"type": "string", "pattern": "^[A-Z0-9]{3}$"},
                    "country_code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                },
            },
        },
    },
}

ENVELOPE = {
    "type": "object",
    "required": ["status_code", "timestamp"],
    "properties": {
        "status_code": {"type": "integer"},
        "status_message": {"type": "string"},
        "timestamp": DATETIME,
    },
}

EVSE_PATCH = {
    "type": "object",
    "required": ["last_updated"],
    "properties": {"status": {"enum": STATUSES}, "last_updated": DATETIME},
}


_DISPLAY_TEXT = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["language", "text"],
        "properties": {"language": _string(2), "text": _string(512)},
    },
}

#: mod_commands §13.3.1 CommandResponse and §13.3.2 CommandResult.
COMMAND_RESPONSE = {
    "type": "object",
    "required": ["result", "timeout"],
    "properties": {
        "result": {"enum": ["NOT_SUPPORTED", "REJECTED", "ACCEPTED", "UNKNOWN_SESSION"]},
        "timeout": {"type": "integer"},
        "message": _DISPLAY_TEXT,
    },
}
COMMAND_RESULT = {
    "type": "object",
    "required": ["result"],
    "properties": {
        "result": {
            "enum": [
                "ACCEPTED",
                "CANCELED_RESERVATION",
                "EVSE_OCCUPIED",
                "EVSE_INOPERATIVE",
                "FAILED",
                "NOT_SUPPORTED",
                "REJECTED",
                "TIMEOUT",
                "UNKNOWN_RESERVATION",
            ]
        },
        "message": _DISPLAY_TEXT,
    },
}

_CI36 = _string(36)

#: 2.3.0 mod_payments §Terminal object.
TERMINAL = {
    "type": "object",
    "required": ["terminal_id", "last_updated"],
    "properties": {
        "terminal_id": _CI36,
        "customer_reference": _CI36,
        "party_id": {"type": "string", "pattern": "^[A-Z0-9]{3}$"},
        "country_code": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "address": _string(45),
        "city": _string(45),
        "postal_code": _string(10),
        "state": _string(20),
        "country": {"type": "string", "minLength": 3, "maxLength": 3},
        "invoice_base_url": _string(255),
        "invoice_creator": {"enum": ["CPO", "PTP"]},
        "reference": _CI36,
        "location_ids": {"type": "array", "items": _CI36},
        "evse_uids": {"type": "array", "items": _CI36},
        "last_updated": DATETIME,
    },
}

#: The CPO's PATCH of a Terminal: its location assignment (mod_payments §PATCH Terminal).
TERMINAL_PATCH = {
    "type": "object",
    "required": ["last_updated"],
    "additionalProperties": False,
    "properties": {
        "location_ids": {"type": "array", "items": _CI36},
        "evse_uids": {"type": "array", "items": _CI36},
        "last_updated": DATETIME,
    },
}

#: 2.3.0 mod_payments §Financial Advice Confirmation object.
FINANCIAL_ADVICE = {
    "type": "object",
    "required": [
        "id",
        "authorization_reference",
        "total_costs",
        "currency",
        "eft_data",
        "capture_status_code",
        "last_updated",
    ],
    "properties": {
        "id": _CI36,
        "authorization_reference": _CI36,
        "total_costs": {
            "type": "object",
            "required": ["before_taxes"],
            "properties": {"before_taxes": {"type": "number"}, "taxes": {"type": "array"}},
        },
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "eft_data": {"type": "array", "minItems": 1, "items": _string(255)},
        "capture_status_code": {"enum": ["SUCCESS", "PARTIAL_SUCCESS", "FAILED"]},
        "capture_status_message": _string(255),
        "last_updated": DATETIME,
    },
}


def check(schema: dict[str, Any], value: Any) -> None:
    jsonschema.validate(value, schema)


def tariff(version: str) -> dict[str, Any]:
    """mod_tariffs Tariff: 2.3.0 makes ``tax_included`` required."""
    component = {
        "type": "object",
        "required": ["type", "price", "step_size"],
        "properties": {
            "type": {"enum": ["ENERGY", "FLAT", "PARKING_TIME", "TIME"]},
            "price": {"type": "number", "minimum": 0},
            "vat": {"type": "number", "minimum": 0},
            "step_size": {"type": "integer", "minimum": 0},
        },
    }
    hhmm = {"type": "string", "pattern": "^([0-1][0-9]|2[0-3]):[0-5][0-9]$"}
    element = {
        "type": "object",
        "required": ["price_components"],
        "properties": {
            "price_components": {"type": "array", "minItems": 1, "items": component},
            "restrictions": {
                "type": "object",
                "properties": {"start_time": hhmm, "end_time": hhmm},
            },
        },
    }
    required = ["country_code", "party_id", "id", "currency", "elements", "last_updated"]
    schema: dict[str, Any] = {
        "type": "object",
        "required": required + (["tax_included"] if version == "2.3.0" else []),
        "properties": {
            "country_code": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "party_id": {"type": "string", "pattern": "^[A-Z0-9]{3}$"},
            "id": _string(36),
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "elements": {"type": "array", "minItems": 1, "items": element},
            "last_updated": DATETIME,
        },
    }
    if version == "2.3.0":
        schema["properties"]["tax_included"] = {"enum": ["YES", "NO", "N/A"]}
    else:
        schema["not"] = {"required": ["tax_included"]}
    return schema


def _with_amenities(schema: dict[str, Any]) -> dict[str, Any]:
    hhmm = {"type": "string", "pattern": "^([0-1][0-9]|2[0-3]):[0-5][0-9]$"}
    facilities = [
        "HOTEL",
        "RESTAURANT",
        "CAFE",
        "MALL",
        "SUPERMARKET",
        "SPORT",
        "RECREATION_AREA",
        "NATURE",
        "MUSEUM",
        "BIKE_SHARING",
        "BUS_STOP",
        "TAXI_STAND",
        "TRAM_STOP",
        "METRO_STATION",
        "TRAIN_STATION",
        "AIRPORT",
        "PARKING_LOT",
        "CARPOOL_PARKING",
        "FUEL_STATION",
        "WIFI",
    ]
    schema["properties"].update(
        facilities={"type": "array", "items": {"enum": facilities}},
        opening_times={
            "type": "object",
            "required": ["twentyfourseven"],
            "properties": {
                "twentyfourseven": {"type": "boolean"},
                "regular_hours": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["weekday", "period_begin", "period_end"],
                        "properties": {
                            "weekday": {"type": "integer", "minimum": 1, "maximum": 7},
                            "period_begin": hhmm,
                            "period_end": hhmm,
                        },
                    },
                },
            },
        },
        parking_type={
            "enum": [
                "ALONG_MOTORWAY",
                "PARKING_GARAGE",
                "PARKING_LOT",
                "ON_DRIVEWAY",
                "ON_STREET",
                "UNDERGROUND_GARAGE",
            ]
        },
        images={
            "type": "array",
            "items": {
                "type": "object",
                "required": ["url", "category", "type"],
                "properties": {
                    "category": {
                        "enum": [
                            "CHARGER",
                            "ENTRANCE",
                            "LOCATION",
                            "NETWORK",
                            "OPERATOR",
                            "OTHER",
                            "OWNER",
                        ]
                    },
                    "type": {"type": "string", "maxLength": 4},
                },
            },
        },
    )
    schema["properties"]["evses"]["items"]["properties"]["parking_restrictions"] = {
        "type": "array",
        "items": {"enum": ["EV_ONLY", "PLUGGED", "DISABLED", "CUSTOMERS", "MOTORCYCLES"]},
    }
    return schema


#: 2.3.0 mod_locations VehicleType, EVSEPosition and ParkingDirection.
VEHICLE_TYPES = [
    "MOTORCYCLE",
    "PERSONAL_VEHICLE",
    "PERSONAL_VEHICLE_WITH_TRAILER",
    "VAN",
    "SEMI_TRACTOR",
    "RIGID",
    "TRUCK_WITH_TRAILER",
    "BUS",
    "DISABLED",
]
_CM = {"type": "number", "minimum": 0}
PARKING = {
    "type": "object",
    "required": ["id", "vehicle_types", "restricted_to_type", "reservation_required"],
    "properties": {
        "id": _string(36),
        "physical_reference": _string(12),
        "vehicle_types": {"type": "array", "minItems": 1, "items": {"enum": VEHICLE_TYPES}},
        "max_vehicle_weight": _CM,
        "max_vehicle_height": _CM,
        "max_vehicle_length": _CM,
        "max_vehicle_width": _CM,
        "parking_space_length": _CM,
        "parking_space_width": _CM,
        "dangerous_goods_allowed": {"type": "boolean"},
        "direction": {"enum": ["PARALLEL", "PERPENDICULAR", "ANGLE"]},
        "drive_through": {"type": "boolean"},
        "restricted_to_type": {"type": "boolean"},
        "reservation_required": {"type": "boolean"},
        "time_limit": _CM,
        "roofed": {"type": "boolean"},
        "lighting": {"type": "boolean"},
        "refrigeration_outlet": {"type": "boolean"},
    },
    "additionalProperties": False,
}
EVSE_PARKING = {
    "type": "object",
    "required": ["parking_id"],
    "properties": {
        "parking_id": _string(36),
        "evse_position": {"enum": ["LEFT", "RIGHT", "CENTER"]},
    },
    "additionalProperties": False,
}


def location(version: str) -> dict[str, Any]:
    """mod_locations Location with its EVSEs, connectors and amenity fields; 2.3.0 adds
    ``parking_places`` (Parking) and each EVSE's ``parking`` (EVSEParking)."""
    schema = _with_amenities(_plain_location(version))
    if version == "2.3.0":
        schema["properties"]["parking_places"] = {"type": "array", "items": PARKING}
        evse_props = schema["properties"]["evses"]["items"]["properties"]
        evse_props["parking"] = {"type": "array", "items": EVSE_PARKING}
    return schema


# -- mod_sessions §9.3 and mod_cdrs §10.4, types §16 --------------------------------------------


def price(version: str) -> dict[str, Any]:
    """types Price: 2.2.1 ``excl_vat`` (+ ``incl_vat``); 2.3.0 ``before_taxes`` (+ ``taxes``,
    TaxAmount ``name``/``amount`` required, ``account_number``/``percentage`` optional)."""
    number = {"type": "number", "minimum": 0}
    if version == "2.2.1":
        return {
            "type": "object",
            "required": ["excl_vat"],
            "properties": {"excl_vat": number, "incl_vat": number},
            "additionalProperties": False,
        }
    tax = {
        "type": "object",
        "required": ["name", "amount"],
        "properties": {
            "name": {"type": "string"},
            "account_number": {"type": "string"},
            "percentage": number,
            "amount": number,
        },
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "required": ["before_taxes"],
        "properties": {"before_taxes": number, "taxes": {"type": "array", "items": tax}},
        "additionalProperties": False,
    }


CDR_TOKEN = {
    "type": "object",
    "required": ["country_code", "party_id", "uid", "type", "contract_id"],
    "properties": {
        "country_code": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "party_id": {"type": "string", "pattern": "^[A-Z0-9]{3}$"},
        "uid": _string(36),
        "type": {"enum": ["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]},
        "contract_id": _string(36),
    },
}
AUTH_METHODS = ["AUTH_REQUEST", "COMMAND", "WHITELIST"]
CHARGING_PERIOD = {
    "type": "object",
    "required": ["start_date_time", "dimensions"],
    "properties": {
        "start_date_time": DATETIME,
        "dimensions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["type", "volume"],
                "properties": {
                    "type": {
                        "enum": [
                            "CURRENT",
                            "ENERGY",
                            "ENERGY_EXPORT",
                            "ENERGY_IMPORT",
                            "MAX_CURRENT",
                            "MIN_CURRENT",
                            "MAX_POWER",
                            "MIN_POWER",
                            "PARKING_TIME",
                            "POWER",
                            "RESERVATION_TIME",
                            "STATE_OF_CHARGE",
                            "TIME",
                        ]
                    },
                    "volume": {"type": "number"},
                },
            },
        },
        "tariff_id": _string(36),
    },
}
SESSION_STATUSES = ["ACTIVE", "COMPLETED", "INVALID", "PENDING", "RESERVATION"]


def _session_properties(version: str) -> dict[str, Any]:
    return {
        "country_code": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "party_id": {"type": "string", "pattern": "^[A-Z0-9]{3}$"},
        "id": _string(36),
        "start_date_time": DATETIME,
        "end_date_time": DATETIME,
        "kwh": {"type": "number", "minimum": 0},
        "cdr_token": CDR_TOKEN,
        "auth_method": {"enum": AUTH_METHODS},
        "authorization_reference": _string(36),
        "location_id": _string(36),
        "evse_uid": _string(36),
        "connector_id": _string(36),
        "meter_id": _string(255),
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "charging_periods": {"type": "array", "items": CHARGING_PERIOD},
        "total_cost": price(version),
        "status": {"enum": SESSION_STATUSES},
        "last_updated": DATETIME,
    }


def session(version: str) -> dict[str, Any]:
    """mod_sessions Session object."""
    return {
        "type": "object",
        "required": [
            "country_code",
            "party_id",
            "id",
            "start_date_time",
            "kwh",
            "cdr_token",
            "auth_method",
            "location_id",
            "evse_uid",
            "connector_id",
            "currency",
            "status",
            "last_updated",
        ],
        "properties": _session_properties(version),
    }


def session_patch(version: str) -> dict[str, Any]:
    """A PATCH of a Session: any of its fields, ``last_updated`` always."""
    return {
        "type": "object",
        "required": ["last_updated"],
        "properties": _session_properties(version),
    }


def cdr(version: str) -> dict[str, Any]:
    """mod_cdrs CDR object, with CdrLocation, and its tariffs as mod_tariffs Tariffs."""
    location = {
        "type": "object",
        "required": [
            "id",
            "address",
            "city",
            "country",
            "coordinates",
            "evse_uid",
            "evse_id",
            "connector_id",
            "connector_standard",
            "connector_format",
            "connector_power_type",
        ],
        "properties": {
            "id": _string(36),
            "name": _string(255),
            "address": _string(45),
            "city": _string(45),
            "postal_code": _string(10),
            "country": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "evse_uid": _string(36),
            "evse_id": _string(48),
            "connector_id": _string(36),
            "connector_standard": {"enum": CONNECTOR_TYPES[version]},
            "connector_format": {"enum": ["SOCKET", "CABLE"]},
            "connector_power_type": {
                "enum": ["AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC"]
            },
        },
    }
    signed = {
        "type": "object",
        "required": ["encoding_method", "signed_values"],
        "properties": {
            "encoding_method": _string(36),
            "encoding_method_version": {"type": "integer"},
            "public_key": _string(512),
            "signed_values": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["nature", "plain_data", "signed_data"],
                    "properties": {
                        "nature": _string(32),
                        "plain_data": _string(512),
                        "signed_data": _string(5000),
                    },
                },
            },
            "url": _string(512),
        },
    }
    number = {"type": "number", "minimum": 0}
    return {
        "type": "object",
        "required": [
            "country_code",
            "party_id",
            "id",
            "start_date_time",
            "end_date_time",
            "cdr_token",
            "auth_method",
            "cdr_location",
            "currency",
            "charging_periods",
            "total_cost",
            "total_energy",
            "total_time",
            "last_updated",
        ],
        "properties": {
            "country_code": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "party_id": {"type": "string", "pattern": "^[A-Z0-9]{3}$"},
            "id": _string(39),
            "start_date_time": DATETIME,
            "end_date_time": DATETIME,
            "session_id": _string(36),
            "cdr_token": CDR_TOKEN,
            "auth_method": {"enum": AUTH_METHODS},
            "authorization_reference": _string(36),
            "cdr_location": location,
            "meter_id": _string(255),
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "tariffs": {"type": "array", "items": tariff(version)},
            "charging_periods": {"type": "array", "minItems": 1, "items": CHARGING_PERIOD},
            "signed_data": signed,
            "total_cost": price(version),
            "total_fixed_cost": price(version),
            "total_energy": number,
            "total_energy_cost": price(version),
            "total_time": number,
            "total_time_cost": price(version),
            "total_parking_time": number,
            "total_parking_cost": price(version),
            "total_reservation_cost": price(version),
            "remark": _string(255),
            "invoice_reference_id": _string(39),
            "credit": {"type": "boolean"},
            "credit_reference_id": _string(39),
            "home_charging_compensation": {"type": "boolean"},
            "last_updated": DATETIME,
        },
    }
