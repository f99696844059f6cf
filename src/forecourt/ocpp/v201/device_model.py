"""OCPP 2.0.1 device model addressing: a neutral ``ConfigKey`` as component and variable."""

from __future__ import annotations

from forecourt.domain.commands import ConfigKey, SetConfiguration
from forecourt.domain.errors import CommandNotSupported
from forecourt.ocpp.v201.wire_types.common import ComponentType, EVSEType, VariableType
from forecourt.ocpp.v201.wire_types.variables import GetVariableDataType, SetVariableDataType


def get_variable_data(keys: tuple[ConfigKey, ...]) -> list[GetVariableDataType]:
    if not keys:
        raise CommandNotSupported("GetVariables needs explicit keys; use GetBaseReport")
    return [
        GetVariableDataType(component=component_of(key), variable=variable_of(key)) for key in keys
    ]


def set_variable_data(command: SetConfiguration) -> SetVariableDataType:
    key = command.key
    return SetVariableDataType(
        component=component_of(key), variable=variable_of(key), attributeValue=command.value
    )


def component_of(key: ConfigKey) -> ComponentType:
    """2.0.1 has no variable without a component."""
    if key.component is None:
        raise CommandNotSupported(
            f"OCPP 2.0.1 variables belong to a component: use Component.Variable, "
            f"e.g. OCPPCommCtrlr.HeartbeatInterval (got {key.variable!r})"
        )
    component = ComponentType(name=key.component)
    if key.evse_id:
        component["evse"] = EVSEType(id=key.evse_id)
    return component


def variable_of(key: ConfigKey) -> VariableType:
    variable = VariableType(name=key.variable)
    if key.instance:
        variable["instance"] = key.instance
    return variable
