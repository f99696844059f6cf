"""mod_sessions Session and mod_cdrs CDR objects (2.2.1 and 2.3.0), from the bill.

The one version difference here is the Price type (types §4.x Price):
- 2.2.1: ``{excl_vat, incl_vat}``;
- 2.3.0: ``{before_taxes, taxes: [TaxAmount{name, percentage, amount}]}``, the tax model
  North American sales taxes need (a tax per name, added on top).
Amounts are the bill's (``BilledCost``) to the cent; nothing is priced here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from forecourt.ocpi.domain.parties import PartyRef
from forecourt.ocpi.domain.sessions import PATCHED, AuthMethod, SessionStatus
from forecourt.ocpi.domain.tokens import TokenType
from forecourt.ocpi.domain.versions import Version
from forecourt.ocpi.ports import CdrFacts, SessionFacts
from forecourt.ocpi.schemas.codec import connector, location
from forecourt.ocpi.schemas.common import CiString2, CiString3, OcpiModel, timestamp
from forecourt.ocpi.schemas.locations import GeoLocation
from forecourt.ocpi.schemas.tariffs import Tariff, tariff
from forecourt.ports.session_costs import BilledCost

#: Used when no tariff applies to a session (nothing billed): a CDR still needs a currency.
NO_TARIFF_CURRENCY = "USD"


class TaxAmount(OcpiModel):
    """2.3.0 TaxAmount."""

    name: str = Field(max_length=100)
    account_number: str | None = None
    percentage: float | None = Field(None, ge=0)
    amount: float = Field(ge=0)


class Price(OcpiModel):
    """2.2.1 ``excl_vat``/``incl_vat``; 2.3.0 ``before_taxes``/``taxes``."""

    excl_vat: float | None = Field(None, ge=0)
    incl_vat: float | None = Field(None, ge=0)
    before_taxes: float | None = Field(None, ge=0)
    taxes: list[TaxAmount] | None = None


class CdrToken(OcpiModel):
    country_code: str = CiString2
    party_id: str = CiString3
    uid: str = Field(max_length=36)
    type: TokenType
    contract_id: str = Field(max_length=36)


DimensionType = Literal[
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


class CdrDimension(OcpiModel):
    type: DimensionType
    volume: float = Field(ge=0)


class ChargingPeriod(OcpiModel):
    start_date_time: str
    dimensions: list[CdrDimension] = Field(min_length=1)
    tariff_id: str | None = Field(None, max_length=36)


class Session(OcpiModel):
    """mod_sessions §9.3.1."""

    country_code: str = CiString2
    party_id: str = CiString3
    id: str = Field(max_length=36)
    start_date_time: str
    end_date_time: str | None = None
    kwh: float = Field(ge=0)
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: str | None = Field(None, max_length=36)
    location_id: str = Field(max_length=36)
    evse_uid: str = Field(max_length=36)
    connector_id: str = Field(max_length=36)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus
    last_updated: str


class SignedValue(OcpiModel):
    nature: str = Field(max_length=32)
    plain_data: str = Field(max_length=512)
    signed_data: str = Field(max_length=5000)


class SignedData(OcpiModel):
    encoding_method: str = Field(max_length=36)
    encoding_method_version: int | None = None
    public_key: str | None = Field(None, max_length=512)
    signed_values: list[SignedValue] = Field(min_length=1)
    url: str | None = Field(None, max_length=512)


class CdrLocation(OcpiModel):
    id: str = Field(max_length=36)
    name: str | None = Field(None, max_length=255)
    address: str = Field(max_length=45)
    city: str = Field(max_length=45)
    postal_code: str | None = Field(None, max_length=10)
    country: str = Field(pattern=r"^[A-Z]{3}$")
    coordinates: GeoLocation
    evse_uid: str = Field(max_length=36)
    evse_id: str = Field(max_length=48)
    connector_id: str = Field(max_length=36)
    connector_standard: str
    connector_format: Literal["SOCKET", "CABLE"]
    connector_power_type: str


class Cdr(OcpiModel):
    """mod_cdrs §10.4.1."""

    country_code: str = CiString2
    party_id: str = CiString3
    id: str = Field(max_length=39)
    start_date_time: str
    end_date_time: str
    session_id: str | None = Field(None, max_length=36)
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: str | None = Field(None, max_length=36)
    cdr_location: CdrLocation
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    tariffs: list[Tariff] | None = None
    charging_periods: list[ChargingPeriod] = Field(min_length=1)
    signed_data: SignedData | None = None
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: float = Field(ge=0)
    total_energy_cost: Price | None = None
    total_time: float = Field(ge=0)
    total_parking_time: float | None = Field(None, ge=0)
    total_parking_cost: Price | None = None
    last_updated: str


def total_price(version: Version, cost: BilledCost) -> Price:
    if version is Version.V2_2_1:
        return Price(excl_vat=_money(cost.before_taxes), incl_vat=_money(cost.total))
    taxes = [
        TaxAmount(name=t.name[:100], percentage=float(t.percent), amount=_money(t.amount))
        for t in cost.taxes
    ]
    return Price(before_taxes=_money(cost.before_taxes), taxes=taxes or None)


def part_price(version: Version, amount: Decimal) -> Price:
    """A part of the bill before taxes (taxes are on the total only)."""
    if version is Version.V2_2_1:
        return Price(excl_vat=_money(amount))
    return Price(before_taxes=_money(amount))


def session(version: Version, us: PartyRef, facts: SessionFacts) -> Session:
    record, cost = facts.session, facts.cost
    return Session(
        country_code=us.country_code,
        party_id=us.party_id,
        id=record.session_id,
        start_date_time=timestamp(facts.started_at),
        end_date_time=timestamp(facts.ended_at) if facts.ended_at else None,
        kwh=_kwh(facts),
        cdr_token=CdrToken(**record.token.to_dict()),
        auth_method=record.auth_method,
        authorization_reference=record.authorization_reference,
        location_id=record.location_id,
        evse_uid=record.evse_uid,
        connector_id=record.connector_id,
        currency=cost.currency if cost else NO_TARIFF_CURRENCY,
        charging_periods=_periods(facts) or None,
        total_cost=total_price(version, cost) if cost else None,
        status=facts.status,
        last_updated=timestamp(facts.last_updated),
    )


def session_patch(version: Version, us: PartyRef, facts: SessionFacts) -> dict[str, Any]:
    """The fields a running session changes (a PATCH body)."""
    whole = session(version, us, facts).wire()
    return {name: whole[name] for name in PATCHED if name in whole}


def cdr(version: Version, us: PartyRef, found: CdrFacts, created_at: datetime) -> Cdr:
    facts, record, cost = found.facts, found.facts.session, found.facts.cost
    place = location(version, us, found.location)
    plug = connector(version, found.connector)
    assert plug is not None  # a session's connector was published (its EVSE had one)
    assert facts.ended_at is not None  # a CDR is made when the session ended
    currency = cost.currency if cost else NO_TARIFF_CURRENCY
    parking_h = _parking_hours(facts)
    return Cdr(
        country_code=us.country_code,
        party_id=us.party_id,
        id=record.cdr_id,
        start_date_time=timestamp(facts.started_at),
        end_date_time=timestamp(facts.ended_at),
        session_id=record.session_id,
        cdr_token=CdrToken(**record.token.to_dict()),
        auth_method=record.auth_method,
        authorization_reference=record.authorization_reference,
        cdr_location=CdrLocation(
            id=place.id,
            name=place.name,
            address=place.address,
            city=place.city,
            postal_code=place.postal_code,
            country=place.country,
            coordinates=place.coordinates,
            evse_uid=record.evse_uid,
            evse_id=found.location.evses[0].evse_id,
            connector_id=record.connector_id,
            connector_standard=plug.standard,
            connector_format=plug.format,
            connector_power_type=plug.power_type,
        ),
        currency=currency,
        tariffs=[tariff(version, us, found.tariff)] if found.tariff else None,
        charging_periods=_periods(facts)
        or [_period(facts.started_at, [CdrDimension(type="ENERGY", volume=0.0)], None)],
        signed_data=signed_data(facts),
        total_cost=_total(version, cost),
        total_fixed_cost=part_price(version, cost.fixed) if cost and cost.fixed else None,
        total_energy=_kwh(facts),
        total_energy_cost=part_price(version, cost.energy) if cost else None,
        total_time=_hours(facts.started_at, facts.ended_at),
        total_parking_time=parking_h or None,
        total_parking_cost=part_price(version, cost.parking) if cost and cost.parking else None,
        last_updated=timestamp(created_at),
    )


#: mod_cdrs SignedData.encoding_method when the station did not name it (an OCPP 1.6
#: ``SignedData`` sampled value has no such field, and not every format names itself).
UNNAMED_ENCODING = "OCPP 1.6 SignedData"


def signed_data(facts: SessionFacts) -> SignedData | None:
    """mod_cdrs §10.4.7 SignedData: the meter's signed start and end readings (§10.4.8
    SignedValue, natures ``Start`` and ``End``), as the station sent them. A value too long for
    the object's fields is left out (a CDR is never refused for it); none left: no signed_data.
    """
    readings = [("Start", facts.signed_start), ("End", facts.signed_end)]
    kept = [(nature, r) for nature, r in readings if r is not None and len(r.signed_data) <= 5000]
    if not kept:
        return None
    method = next((r.encoding_method for _, r in kept if r.encoding_method), UNNAMED_ENCODING)
    key = next((r.public_key for _, r in kept if r.public_key), "")
    return SignedData(
        encoding_method=method[:36],
        public_key=key if key and len(key) <= 512 else None,
        signed_values=[
            SignedValue(nature=nature, plain_data=r.plain_data[:512], signed_data=r.signed_data)
            for nature, r in kept
        ],
    )


def _total(version: Version, cost: BilledCost | None) -> Price:
    if cost is not None:
        return total_price(version, cost)
    if version is Version.V2_2_1:
        return Price(excl_vat=0.0, incl_vat=0.0)  # nothing billed
    return Price(before_taxes=0.0)


def _kwh(facts: SessionFacts) -> float:
    """The billed energy once billed; the ledger's while running without a tariff."""
    wh = facts.cost.energy_wh if facts.cost is not None else facts.energy_wh
    return round(max(wh, 0.0) / 1000, 4)


def _periods(facts: SessionFacts) -> list[ChargingPeriod]:
    """Charging, then (when the bill saw one) the time plugged in after charging ended."""
    if facts.energy_wh <= 0 and facts.ended_at is None:
        return []
    end = facts.ended_at or facts.last_updated
    tariff_id = facts.cost.tariff_code[:36] if facts.cost and facts.cost.tariff_code else None
    charging_end = _charging_end(facts) or end
    charging = [
        CdrDimension(type="ENERGY", volume=_kwh(facts)),
        CdrDimension(type="TIME", volume=_hours(facts.started_at, charging_end)),
    ]
    periods = [_period(facts.started_at, charging, tariff_id)]
    parking = _parking_hours(facts)
    if parking > 0:
        parked = [CdrDimension(type="PARKING_TIME", volume=parking)]
        periods.append(_period(charging_end, parked, tariff_id))
    return periods


def _period(
    start: datetime, dimensions: list[CdrDimension], tariff_id: str | None
) -> ChargingPeriod:
    return ChargingPeriod(
        start_date_time=timestamp(start), dimensions=dimensions, tariff_id=tariff_id
    )


def _charging_end(facts: SessionFacts) -> datetime | None:
    ended = facts.cost.charging_ended_at if facts.cost else None
    if ended is None or facts.ended_at is None or ended >= facts.ended_at:
        return None
    return max(ended, facts.started_at)


def _parking_hours(facts: SessionFacts) -> float:
    charging_end = _charging_end(facts)
    if charging_end is None or facts.ended_at is None:
        return 0.0
    return _hours(charging_end, facts.ended_at)


def _hours(start: datetime, end: datetime) -> float:
    return round(max((end - start).total_seconds(), 0.0) / 3600, 4)


def _money(amount: Decimal) -> float:
    return float(amount)
