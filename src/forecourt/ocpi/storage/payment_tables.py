"""OCPI payments tables (migration 0053_ocpi_payments): terminals, financial advice
confirmations, card authorizations, what we know each station supports, and the eMSPs'
reservation ids (RESERVE_NOW)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, Table, Text

from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, UtcDateTime

#: Payment terminals a PTP registered (mod_payments Terminal), one per terminal_id.
terminals = Table(
    "ocpi_terminals",
    metadata,
    Column("terminal_id", Text, primary_key=True),
    Column("party_id", Integer, nullable=False),
    Column("location_ids", JSON, nullable=False),
    Column("evse_uids", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("last_updated", UtcDateTime, nullable=False),
    Column("body", JSON, nullable=False),
)

#: Financial Advice Confirmations a PTP sent, one per id.
financial_advice = Table(
    "ocpi_financial_advice",
    metadata,
    Column("id", Text, primary_key=True),
    Column("party_id", Integer, nullable=False),
    Column("authorization_reference", Text, nullable=False, index=True),
    Column("total", Text, nullable=False),  # a decimal, as text (never a float)
    Column("currency", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("transaction_id", BigId),
    Column("last_updated", UtcDateTime, nullable=False),
    Column("body", JSON, nullable=False),
)

#: START_SESSIONs paid at a terminal: the PTP's authorization_reference and where it started.
card_authorizations = Table(
    "ocpi_card_authorizations",
    metadata,
    Column("reference", Text, primary_key=True),
    Column("party_id", Integer, nullable=False),
    Column("station_id", Text, nullable=False),
    Column("evse_number", Integer, nullable=False),
    Column("terminal_id", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

#: What each station supports beyond OCPP's core (domain.capabilities.StationFeatures).
station_features = Table(
    "ocpi_station_features",
    metadata,
    Column("station_id", Text, primary_key=True),
    Column("reservable", Boolean, nullable=False),
    Column("card_reader", Boolean, nullable=False),
    Column("plug_and_charge", Boolean, nullable=False),
    Column("updated_at", UtcDateTime),
)

#: An eMSP's RESERVE_NOW reservation_id and the reservation it became (core reservations).
reservations = Table(
    "ocpi_reservations",
    metadata,
    Column("party_id", Integer, primary_key=True),
    Column("reservation_id", Text, primary_key=True),
    Column("our_id", BigId, nullable=False),
)
