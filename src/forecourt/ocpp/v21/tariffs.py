"""OCPP 2.1 I-block: our tariffs as the station's ``TariffType``, and the answers read back.

Requirement ids refer to OCPP 2.1 Part 2 (I07 SetDefaultTariff, I08 GetTariffs, I09
ClearTariffs, I10 ChangeTransactionTariff). Amounts are exact decimal strings in the neutral
command and JSON numbers on the wire (the float's shortest repr is the decimal text).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, assert_never

from forecourt.domain.commands import CommandResult, CommandStatus
from forecourt.domain.station_tariffs import (
    ChangeTransactionTariff,
    ClearTariffs,
    EnergyPrice,
    GetTariffs,
    SetDefaultTariff,
    StationTariff,
)
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import Rendered, TariffCommand
from forecourt.ocpp.v21.wire_types.common import TaxRateType
from forecourt.ocpp.v21.wire_types.tariffs import (
    ChangeTransactionTariffRequest,
    ClearTariffsRequest,
    GetTariffsRequest,
    SetDefaultTariffRequest,
    TariffConditionsType,
    TariffEnergyPriceType,
    TariffTimePriceType,
    TariffType,
)
from forecourt.ocpp.v201.answers import status_info

#: Tariff{Set,Change,Clear,Get}StatusEnumType -> neutral status; the station's own word is
#: kept in the result's ``status`` (TooManyElements, ConditionNotSupported, ...).
TARIFF_STATUS: Final[Mapping[str, CommandStatus]] = MappingProxyType(
    {
        "Accepted": CommandStatus.ACCEPTED,
        "Rejected": CommandStatus.REJECTED,
        "TooManyElements": CommandStatus.REJECTED,
        "ConditionNotSupported": CommandStatus.NOT_SUPPORTED,
        "DuplicateTariffId": CommandStatus.REJECTED,
        "TxNotFound": CommandStatus.REJECTED,
        "NoCurrencyChange": CommandStatus.REJECTED,
        "NoTariff": CommandStatus.ACCEPTED,  # nothing held (Get) or nothing to clear (Clear)
    }
)


def render(command: TariffCommand) -> Rendered:
    match command:
        case SetDefaultTariff():  # I07
            request = SetDefaultTariffRequest(
                evseId=command.evse_id, tariff=tariff_type(command.tariff)
            )
            return "SetDefaultTariff", request
        case GetTariffs():  # I08
            return "GetTariffs", GetTariffsRequest(evseId=command.evse_id)
        case ClearTariffs():  # I09: no ids clears all; no EVSE clears everywhere
            clear = ClearTariffsRequest()
            if command.tariff_ids:
                clear["tariffIds"] = list(command.tariff_ids)
            if command.evse_id is not None:
                clear["evseId"] = command.evse_id
            return "ClearTariffs", clear
        case ChangeTransactionTariff():  # I10
            change = ChangeTransactionTariffRequest(
                transactionId=command.station_tx_id, tariff=tariff_type(command.tariff)
            )
            return "ChangeTransactionTariff", change
        case _:
            assert_never(command)


def tariff_type(tariff: StationTariff) -> TariffType:
    """StationTariff -> TariffType: energy by time of day, a fixed start fee, idle time."""
    taxes = [_tax(t.name, t.percent) for t in tariff.taxes]
    out = TariffType(tariffId=tariff.tariff_id, currency=tariff.currency)
    out["description"] = [{"format": "UTF8", "language": "en", "content": tariff.description}]
    out["energy"] = {"prices": [_energy(p) for p in tariff.energy]}
    if Decimal(tariff.fixed_fee):
        out["fixedFee"] = {"prices": [{"priceFixed": _number(tariff.fixed_fee)}]}
    if Decimal(tariff.idle_price_per_minute):
        out["idleTime"] = {"prices": [_idle(tariff)]}
    if taxes:  # each tax on every priced element, on the net price (stack 0)
        out["energy"]["taxRates"] = taxes
        if "fixedFee" in out:
            out["fixedFee"]["taxRates"] = taxes
        if "idleTime" in out:
            out["idleTime"]["taxRates"] = taxes
    if tariff.valid_from:
        out["validFrom"] = tariff.valid_from
    return out


def _energy(price: EnergyPrice) -> TariffEnergyPriceType:
    element = TariffEnergyPriceType(priceKwh=_number(price.price_per_kwh))
    if price.starts and price.ends:
        element["conditions"] = TariffConditionsType(
            startTimeOfDay=price.starts, endTimeOfDay=price.ends
        )
    return element


def _idle(tariff: StationTariff) -> TariffTimePriceType:
    element = TariffTimePriceType(priceMinute=_number(tariff.idle_price_per_minute))
    if tariff.idle_grace_s:  # the grace period: idle time is priced once it is longer
        element["conditions"] = TariffConditionsType(minIdleTime=tariff.idle_grace_s)
    return element


def _tax(name: str, percent: str) -> TaxRateType:
    return TaxRateType(type=name[:20], tax=_number(percent))


def _number(text: str) -> float:
    return float(Decimal(text))


def interpret(command: TariffCommand, response: Payload) -> CommandResult:
    """The station's answer -> neutral result (``status``: the station's own word)."""
    match command:
        case SetDefaultTariff() | ChangeTransactionTariff():
            return _status(response)
        case GetTariffs():
            result = _status(response)
            result.data["tariffs"] = [_assignment(a) for a in response.get("tariffAssignments", [])]
            return result
        case ClearTariffs():
            cleared = [
                {"tariff_id": r.get("tariffId", ""), "status": r["status"]}
                for r in response.get("clearTariffsResult", [])
            ]
            worst = [TARIFF_STATUS.get(c["status"], CommandStatus.REJECTED) for c in cleared]
            status = next((s for s in worst if not s.succeeded), CommandStatus.ACCEPTED)
            return CommandResult(status, {"cleared": cleared})
        case _:
            assert_never(command)


def _status(response: Payload) -> CommandResult:
    raw = response.get("status")
    data: dict[str, Any] = {"status": raw, **status_info(response.get("statusInfo"))}
    if not isinstance(raw, str) or raw not in TARIFF_STATUS:
        return CommandResult(CommandStatus.REJECTED, data, f"unexpected status {raw!r}")
    return CommandResult(TARIFF_STATUS[raw], data)


def _assignment(item: Payload) -> dict[str, Any]:
    return {
        "tariff_id": item["tariffId"],
        "kind": item["tariffKind"],
        "evse_ids": list(item.get("evseIds", [])),
        "valid_from": item.get("validFrom", ""),
    }
