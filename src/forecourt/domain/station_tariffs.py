"""Tariffs a station holds and prices with itself (OCPP 2.1 I-block), in neutral terms.

The payments slice decides what a tariff is; this is only what a station is told: price
elements with the local times they apply, fees and taxes. Amounts are decimal strings in the
currency's major units, excluding tax (commands are logged as JSON; never floats). Versions
before 2.1 have no such messages: their adapters refuse these commands.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EnergyPrice:
    """``price_per_kwh`` from local time ``starts`` until ``ends`` ("HH:MM"; wraps at midnight;
    both empty: all day)."""

    price_per_kwh: str
    starts: str = ""
    ends: str = ""


@dataclass(frozen=True, slots=True)
class TaxRate:
    name: str
    percent: str


@dataclass(frozen=True, slots=True)
class StationTariff:
    """One tariff revision as a station computes with it."""

    tariff_id: str  # ours: code and revision, at most 60 characters
    currency: str
    description: str
    energy: tuple[EnergyPrice, ...]
    fixed_fee: str = "0"
    idle_price_per_minute: str = "0"
    idle_grace_s: int = 0
    taxes: tuple[TaxRate, ...] = ()
    valid_from: str = ""  # ISO 8601 instant; empty: at once


@dataclass(frozen=True, slots=True)
class SetDefaultTariff:
    """The tariff for everyone at ``evse_id`` (0: every EVSE) from its ``valid_from`` (I07)."""

    evse_id: int
    tariff: StationTariff


@dataclass(frozen=True, slots=True)
class GetTariffs:
    """Which tariffs the station holds at ``evse_id`` (0: all EVSEs) (I08). Answer data:
    ``tariffs`` = [{"tariff_id", "kind", "evse_ids", "valid_from"}]."""

    evse_id: int = 0


@dataclass(frozen=True, slots=True)
class ClearTariffs:
    """Remove the tariffs named (none named: all) at ``evse_id`` (None: everywhere) (I09).
    Answer data: ``cleared`` = [{"tariff_id", "status"}]."""

    tariff_ids: tuple[str, ...] = ()
    evse_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeTransactionTariff:
    """Price a running transaction with another tariff from now on (I10)."""

    station_tx_id: str
    tariff: StationTariff
