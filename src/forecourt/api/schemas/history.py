"""Transactions and meter samples: response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from forecourt.domain.metering import MeterSample, SignedMeterValue
from forecourt.domain.transactions import (
    PaymentMethod,
    StopReason,
    Transaction,
    TransactionState,
)
from forecourt.services.access import Role, shown_token


# -- transactions ----------------------------------------------------------------------------
class TransactionOut(BaseModel):
    id: int = Field(description="Forecourt's number; use it for detail and remote stop.")
    station_id: str
    evse_id: int
    connector_id: int
    station_tx_id: str = Field(description="The transaction id on the wire.")
    state: TransactionState
    id_token: str | None
    started_at: datetime
    stopped_at: datetime | None
    meter_start_wh: float | None
    meter_stop_wh: float | None
    energy_wh: float
    peak_power_w: float
    last_soc: float | None
    stop_reason: StopReason | None
    payment_method: PaymentMethod | None
    register_resets: int
    seen_offline: bool

    @classmethod
    def from_domain(cls, tx: Transaction, role: Role | None) -> TransactionOut:
        """As ``role`` may see it (viewers: the last 4 characters of the token)."""
        fields = {name: getattr(tx, name) for name in cls.model_fields}
        return cls(**{**fields, "id_token": shown_token(tx.id_token, role)})


class MeterSampleOut(BaseModel):
    timestamp: datetime
    measurand: str
    value: float
    unit: str
    context: str
    phase: str | None
    location: str

    @classmethod
    def from_domain(cls, sample: MeterSample) -> MeterSampleOut:
        return cls(
            timestamp=sample.timestamp,
            measurand=sample.measurand.value,
            value=sample.value,
            unit=sample.unit,
            context=sample.context.value,
            phase=sample.phase,
            location=sample.location,
        )


class SignedReadingOut(BaseModel):
    """A reading as the station's meter signed it (kept for a transaction's start and end)."""

    signed_data: str
    encoding_method: str
    signing_method: str
    public_key: str
    plain_data: str

    @classmethod
    def of(cls, signed: SignedMeterValue | None) -> SignedReadingOut | None:
        return None if signed is None else cls(**signed.to_dict())


class TransactionDetailOut(TransactionOut):
    samples: list[MeterSampleOut]
    signed_start: SignedReadingOut | None = Field(
        None, description="The meter's signed start reading (Eichrecht, OCMF...), as sent."
    )
    signed_end: SignedReadingOut | None = Field(None, description="... and its signed end.")

    @classmethod
    def of(
        cls, tx: Transaction, samples: list[MeterSample], role: Role | None
    ) -> TransactionDetailOut:
        summary = TransactionOut.from_domain(tx, role)
        return cls(
            **summary.model_dump(),
            samples=[MeterSampleOut.from_domain(s) for s in samples],
            signed_start=SignedReadingOut.of(tx.signed_start),
            signed_end=SignedReadingOut.of(tx.signed_end),
        )


class TransactionPage(BaseModel):
    items: list[TransactionOut]
    total: int = Field(description="How many transactions match the filters in all.")
    limit: int
    offset: int
