"""Compatibility rules: which ways (if any) a vehicle can charge at one connector.

Rules, each with a test:

* A plug fits an inlet only as :data:`INLET_ACCEPTS` says (a CCS1 inlet takes a J1772
  plug for AC, a NACS inlet takes NACS for AC and DC, ...).
* At most one adapter in the chain (no stacking).  A dispenser's built-in adapter
  (Magic Dock) counts as that one adapter.
* An adapter must carry the session's power type: an AC-only adapter is never offered
  for a DC session.
* The adapter's current and voltage ratings cap the session (see ``power.py``).
* Non-OEM adapters, undocumented thermal behaviour and voltage-limited adapters are
  flagged with warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from forecourt.compat.domain.catalogue import default_catalogue
from forecourt.compat.domain.model import Adapter, ConnectorOffer, ThermalPolicy, Vehicle
from forecourt.compat.domain.options import ChargePath, Notice, Option
from forecourt.compat.domain.power import PowerModel, peak_power_w
from forecourt.domain.connectors import ConnectorType, PowerType

_AC = frozenset({PowerType.AC_1_PHASE, PowerType.AC_3_PHASE})
_AC1 = frozenset({PowerType.AC_1_PHASE})
_DC = frozenset({PowerType.DC})

#: Vehicle inlet -> plug that fits it -> power types the pair carries.
INLET_ACCEPTS: Final[Mapping[ConnectorType, Mapping[ConnectorType, frozenset[PowerType]]]] = (
    MappingProxyType(
        {
            ConnectorType.NACS: {ConnectorType.NACS: _AC1 | _DC},
            ConnectorType.CCS1: {ConnectorType.CCS1: _DC, ConnectorType.J1772: _AC1},
            ConnectorType.CCS2: {ConnectorType.CCS2: _DC, ConnectorType.TYPE2: _AC},
            ConnectorType.J1772: {ConnectorType.J1772: _AC1},
            ConnectorType.TYPE2: {ConnectorType.TYPE2: _AC},
            ConnectorType.CHADEMO: {ConnectorType.CHADEMO: _DC},
            ConnectorType.GBT_AC: {ConnectorType.GBT_AC: _AC},
            ConnectorType.GBT_DC: {ConnectorType.GBT_DC: _DC},
            ConnectorType.MCS: {ConnectorType.MCS: _DC},
            ConnectorType.UNKNOWN: {},
        }
    )
)


def fits(vehicle: Vehicle, plug: ConnectorType, power: PowerType) -> bool:
    """Whether ``plug`` goes into one of the vehicle's inlets for a ``power`` session."""
    return any(power in INLET_ACCEPTS[inlet].get(plug, frozenset()) for inlet in vehicle.inlets)


def compatibility(
    vehicle: Vehicle,
    connector: ConnectorOffer,
    adapters: Iterable[Adapter] | None = None,
    *,
    ambient_c: float | None = None,
) -> list[Option]:
    """Every way ``vehicle`` could charge at ``connector``; working options first.

    ``adapters`` are the ones the driver may use (default: every adapter in the packaged
    catalogue; pass ``()`` for "no adapter").  Built-in adapters are looked up there too.
    When nothing works the list holds options whose ``reason`` says why (at least one).
    """
    if adapters is None:
        adapters = default_catalogue().adapters.values()
    power = connector.rating.power_type
    path = ChargePath.DC if power is PowerType.DC else ChargePath.AC
    by_id = {adapter.id: adapter for adapter in adapters}
    options = _candidates(vehicle, connector, path, by_id)
    checked = [_check(vehicle, connector, option, ambient_c) for option in options]
    if not checked:
        checked = [Option(path, reason=_no_fit_reason(vehicle, connector, path, by_id))]
    return sorted(checked, key=lambda option: _preference(vehicle, option))


def _candidates(
    vehicle: Vehicle, connector: ConnectorOffer, path: ChargePath, by_id: dict[str, Adapter]
) -> list[Option]:
    power = connector.rating.power_type
    options: list[Option] = []
    built_in = by_id.get(connector.built_in_adapter_id or "")
    if connector.connector_type is ConnectorType.UNKNOWN:
        return [Option(path, reason=Notice("unknown_connector", _UNKNOWN_CONNECTOR))]
    if fits(vehicle, connector.connector_type, power):
        options.append(Option(path))
    if built_in is not None and _fits_any_power(vehicle, built_in):
        options.append(_adapter_option(vehicle, built_in, power, path))
    for adapter in by_id.values():
        if adapter.built_in or adapter.station_plug is not connector.connector_type:
            continue
        if fits(vehicle, adapter.vehicle_plug, power) or _fits_any_power(vehicle, adapter):
            options.append(_adapter_option(vehicle, adapter, power, path))
    return options


def _fits_any_power(vehicle: Vehicle, adapter: Adapter) -> bool:
    return any(fits(vehicle, adapter.vehicle_plug, power) for power in PowerType)


def _adapter_option(
    vehicle: Vehicle, adapter: Adapter, power: PowerType, path: ChargePath
) -> Option:
    carries = adapter.dc if power is PowerType.DC else adapter.ac
    if not carries:
        kind = "AC-only" if adapter.ac else "DC-only"
        message = f"{adapter.name} is {kind} and cannot carry a {path.value.upper()} session."
        return Option(path, (adapter,), reason=Notice("adapter_wrong_power", message))
    if not fits(vehicle, adapter.vehicle_plug, power):
        message = f"{adapter.name} presents a {adapter.vehicle_plug.value} plug that does not fit."
        return Option(path, (adapter,), reason=Notice("adapter_does_not_fit", message))
    return Option(path, (adapter,), warnings=_adapter_warnings(vehicle, adapter))


def _adapter_warnings(vehicle: Vehicle, adapter: Adapter) -> tuple[Notice, ...]:
    warnings: list[Notice] = []
    if not adapter.oem_approved or (
        adapter.approved_for_makes and vehicle.make not in adapter.approved_for_makes
    ):
        warnings.append(Notice("adapter_not_oem_approved", _NOT_APPROVED.format(adapter.name)))
    if adapter.thermal.policy is ThermalPolicy.UNKNOWN:
        warnings.append(Notice("adapter_thermal_unknown", _THERMAL_UNKNOWN.format(adapter.name)))
    elif adapter.thermal.policy is not ThermalPolicy.NONE:
        message = f"{adapter.name} folds current back when hot ({adapter.thermal.policy.value})."
        warnings.append(Notice("adapter_thermal_foldback", message))
    if adapter.dc and adapter.max_voltage_v.value < 600:
        volts = adapter.max_voltage_v.value
        warnings.append(
            Notice("adapter_voltage_limit", f"{adapter.name} is rated {volts:.0f} V DC.")
        )
    return tuple(warnings)


def _check(
    vehicle: Vehicle, connector: ConnectorOffer, option: Option, ambient_c: float | None
) -> Option:
    """Fill in peak power; turn a path the vehicle cannot use into a reason."""
    if not option.works:
        return option
    if option.path is ChargePath.DC and vehicle.dc is None:
        return _with_reason(option, Notice("no_dc", f"{vehicle.name} cannot DC fast charge."))
    if _no_power_now(connector):  # else a zero cap would read as "voltage too low"
        return _with_reason(option, Notice("no_power_now", _NO_POWER_NOW))
    model = PowerModel(vehicle, connector, option, ambient_c)
    peak = peak_power_w(model)
    if peak <= 0:
        return _with_reason(option, _voltage_reason(vehicle, connector, option))
    return Option(option.path, option.adapters, peak, option.warnings, None)


def _voltage_reason(vehicle: Vehicle, connector: ConnectorOffer, option: Option) -> Notice:
    """Why the pack voltage stops this path: plain too low, or too low for the boost path."""
    assert vehicle.dc is not None
    low = vehicle.dc.low_voltage
    evse_v = connector.rating.max_voltage_v
    if option.adapter is not None:
        evse_v = min(evse_v, option.adapter.max_voltage_v.value)
    if low.boost_unavailable(evse_v) and low.min_evse_voltage_v is not None:
        message = _BOOST_TOO_LOW.format(low.min_evse_voltage_v.value, evse_v)
        return Notice("boost_voltage_too_low", message)
    return Notice("voltage_too_low", _VOLTAGE_TOO_LOW)


def _no_power_now(connector: ConnectorOffer) -> bool:
    limits = (connector.available_power_w, connector.derated_power_w)
    return any(limit is not None and limit <= 0 for limit in limits)


def _with_reason(option: Option, reason: Notice) -> Option:
    return Option(option.path, option.adapters, 0.0, option.warnings, reason)


def _preference(vehicle: Vehicle, option: Option) -> tuple[int, int, float]:
    adapter = option.adapter
    if adapter is None:
        rank = 0
    elif adapter.built_in or adapter.id in vehicle.oem_adapter_ids:
        rank = 1
    elif adapter.oem_approved:
        rank = 2
    else:
        rank = 3
    return (0 if option.works else 1, rank, -option.peak_power_w)


def _no_fit_reason(
    vehicle: Vehicle, connector: ConnectorOffer, path: ChargePath, by_id: dict[str, Adapter]
) -> Notice:
    if _needs_two_adapters(vehicle, connector, by_id):
        return Notice("adapter_stacking", _STACKING)
    inlets = ", ".join(inlet.value for inlet in vehicle.inlets)
    message = (
        f"No way to charge: the {connector.connector_type.value} {path.value.upper()} plug does "
        f"not fit the vehicle's inlet ({inlets}) and no suitable adapter is available."
    )
    return Notice("no_fit", message)


def _needs_two_adapters(
    vehicle: Vehicle, connector: ConnectorOffer, by_id: dict[str, Adapter]
) -> bool:
    power = connector.rating.power_type
    firsts = [a for a in by_id.values() if a.station_plug is connector.connector_type]
    return any(
        second.station_plug is first.vehicle_plug and fits(vehicle, second.vehicle_plug, power)
        for first in firsts
        for second in by_id.values()
        if second is not first
    )


_STACKING = (
    "Only a chain of two adapters would fit; adapters must never be stacked "
    "(each joint adds heat and defeats the latch and thermal signalling)."
)
_UNKNOWN_CONNECTOR = "The connector type is not known; ask the operator to set it."
_NOT_APPROVED = (
    "{} is not approved by the vehicle maker. CharIN advises using only OEM-approved "
    "adapters; tests found many adapters failing J3400/UL 2252 thermal requirements."
)
_THERMAL_UNKNOWN = "{} does not document thermal foldback or shutdown."
_NO_POWER_NOW = "This connector has no power to give right now (shared or derated to zero)."
_BOOST_TOO_LOW = (
    "The pack voltage is above what this EVSE can deliver and the car's boost converter needs "
    "at least {:.0f} V from the charger; this one (with its adapter) reaches {:.0f} V."
)
_VOLTAGE_TOO_LOW = "The pack voltage is above what this EVSE (and adapter) can deliver."
