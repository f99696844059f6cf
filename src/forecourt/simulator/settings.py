"""The station's small configuration store, seen two ways.

OCPP 1.6 addresses settings by key (GetConfiguration / ChangeConfiguration); OCPP 2.0.1
addresses them as component + variable (GetVariables / SetVariables / NotifyReport). Both
views share the same :class:`Setting` objects, so a 1.6 ``HeartbeatInterval`` and a 2.0.1
``OCPPCommCtrlr.HeartbeatInterval`` are one value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from forecourt.simulator.config import ConnectorType, StationConfig

SettingKind = Literal["integer", "decimal", "boolean", "string"]
# (component name, evse id, connector id, variable name); instances are not modelled.
VariableKey = tuple[str, int | None, int | None, str]

# OCPP 2.0.1 ConnectorEnumType spellings; 2.0.1 predates NACS, which reports as cTesla.
CONNECTOR_ENUM: dict[ConnectorType, str] = {
    "nacs": "cTesla",
    "ccs1": "cCCS1",
    "ccs2": "cCCS2",
    "j1772": "cType1",
    "type2": "cType2",
    "chademo": "cG105",
}
MEASURANDS = (
    "Energy.Active.Import.Register,Power.Active.Import,Power.Offered,Current.Import,Voltage,SoC"
)


@dataclass
class Setting:
    value: str
    kind: SettingKind = "string"
    readonly: bool = False
    read: Callable[[], str] | None = None  # live value computed from station state

    def current(self) -> str:
        return self.read() if self.read else self.value

    def accepts(self, value: str) -> bool:
        try:
            if self.kind == "integer":
                return int(value) >= 0
            if self.kind == "decimal":
                return float(value) > 0
        except ValueError:
            return False
        if self.kind == "boolean":
            return value.lower() in ("true", "false")
        return len(value) <= 500


class SettingsStore:
    def __init__(
        self,
        config: StationConfig,
        availability: Callable[[int | None], str],
    ) -> None:
        self.keys: dict[str, Setting] = _v16_keys(config)
        self.variables: dict[VariableKey, Setting] = _v201_variables(
            config, self.keys, availability
        )
        self.listeners: list[Callable[[str], None]] = []

    def number(self, key: str) -> float:
        return float(self.keys[key].current())

    def set_value(self, setting: Setting, value: str, *, name: str, force: bool = False) -> bool:
        """Store ``value`` if the setting is writable and the value fits its type."""
        if not force and (setting.readonly or not setting.accepts(value)):
            return False
        setting.value = value
        for listener in self.listeners:
            listener(name)
        return True

    def set_key(self, key: str, value: str, *, force: bool = False) -> bool:
        return self.set_value(self.keys[key], value, name=key, force=force)

    def component_names(self) -> set[str]:
        return {key[0] for key in self.variables}


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _v16_keys(config: StationConfig) -> dict[str, Setting]:
    return {
        "HeartbeatInterval": Setting(_number_text(config.heartbeat_interval_s), "decimal"),
        "MeterValueSampleInterval": Setting(_number_text(config.meter_interval_s), "decimal"),
        "MeterValuesSampledData": Setting(MEASURANDS),
        "AuthorizeRemoteTxRequests": Setting("false", "boolean"),
        "ConnectionTimeOut": Setting("60", "integer"),
        "WebSocketPingInterval": Setting(_number_text(config.ws_ping_interval_s or 0), "integer"),
        "NumberOfConnectors": Setting(str(len(config.evses)), "integer", readonly=True),
        "SupportedFeatureProfiles": Setting(
            "Core,RemoteTrigger,LocalAuthListManagement,Reservation", readonly=True
        ),
        "AuthorizationCacheEnabled": Setting("true", "boolean"),
        "LocalAuthListEnabled": Setting("true", "boolean"),
        "LocalAuthListMaxLength": Setting("1000", "integer", readonly=True),
        "SendLocalListMaxLength": Setting("100", "integer", readonly=True),
        "ReserveConnectorZeroSupported": Setting("true", "boolean", readonly=True),
    }


def _v201_variables(
    config: StationConfig,
    keys: dict[str, Setting],
    availability: Callable[[int | None], str],
) -> dict[VariableKey, Setting]:
    variables: dict[VariableKey, Setting] = {
        ("OCPPCommCtrlr", None, None, "HeartbeatInterval"): keys["HeartbeatInterval"],
        ("OCPPCommCtrlr", None, None, "WebSocketPingInterval"): keys["WebSocketPingInterval"],
        ("SampledDataCtrlr", None, None, "TxUpdatedInterval"): keys["MeterValueSampleInterval"],
        ("SampledDataCtrlr", None, None, "TxUpdatedMeasurands"): keys["MeterValuesSampledData"],
        ("AuthCtrlr", None, None, "AuthorizeRemoteStart"): keys["AuthorizeRemoteTxRequests"],
        ("TxCtrlr", None, None, "EVConnectionTimeOut"): keys["ConnectionTimeOut"],
        ("AuthCacheCtrlr", None, None, "Enabled"): keys["AuthorizationCacheEnabled"],
        ("LocalAuthListCtrlr", None, None, "Enabled"): keys["LocalAuthListEnabled"],
        ("LocalAuthListCtrlr", None, None, "Entries"): keys["LocalAuthListMaxLength"],
        ("LocalAuthListCtrlr", None, None, "ItemsPerMessage"): keys["SendLocalListMaxLength"],
        ("ChargingStation", None, None, "Model"): Setting(config.model, readonly=True),
        ("ChargingStation", None, None, "VendorName"): Setting(config.vendor, readonly=True),
        ("ChargingStation", None, None, "AvailabilityState"): Setting(
            "", readonly=True, read=partial(availability, None)
        ),
    }
    for evse_id, evse in enumerate(config.evses, start=1):
        power = Setting(_number_text(evse.max_power_w), "decimal", readonly=True)
        state = Setting("", readonly=True, read=partial(availability, evse_id))
        variables[("EVSE", evse_id, None, "Power")] = power
        variables[("EVSE", evse_id, None, "AvailabilityState")] = state
        for connector_id, connector in enumerate(evse.connectors, start=1):
            key: VariableKey = ("Connector", evse_id, connector_id, "ConnectorType")
            variables[key] = Setting(CONNECTOR_ENUM[connector], readonly=True)
    return variables
