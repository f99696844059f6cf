"""Payments (OCPI 2.3.0 mod_payments), CPO side, mapped onto the payments slice through the
core's STATION_PAYMENTS port (the same rule as a station's own card terminal, OCPP 2.1 C18).

- A Payment Terminal Provider (a party with the PTP role) POSTs its Terminals; the locations
  and EVSEs they name must be ours, else nothing is stored. The operator assigns locations
  and EVSEs (pushed to the PTP as a PATCH through the durable queue), and activates or
  deactivates a terminal (POSTed to the PTP the same way).
- A START_SESSION with an ``authorization_reference`` from that PTP, on an EVSE one of its
  active terminals serves, opens a hold for the reference (``authorize_direct``: a payment of
  flow ``direct_payment``) and starts the station with the reference as the session's token,
  so the session is priced and settled like every card session.
- The FinancialAdviceConfirmation (what the PTP captured at its PSP) is the settlement:
  ``record_settlement`` records it exactly once and escalates a capture that disagrees with
  the session's cost or failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from forecourt.domain.errors import ForecourtError, NotFound
from forecourt.domain.transactions import Transaction
from forecourt.ocpi.domain.capabilities import StationFeatures
from forecourt.ocpi.domain.locations import parse_evse_uid
from forecourt.ocpi.domain.parties import Party, Role
from forecourt.ocpi.domain.payments import (
    CaptureStatus,
    CardAuthorization,
    FinancialAdvice,
    Terminal,
)
from forecourt.ocpi.domain.status import OcpiError, StatusCode, invalid
from forecourt.ocpi.ports import OCPI_PAYMENTS, OCPI_STORE, PushJob
from forecourt.ports.repositories import TransactionFilter, UnitOfWork
from forecourt.ports.station_payments import (
    SettlementStatus,
    StationPaymentPort,
    StationSettlement,
)
from forecourt.services.context import ServiceContext

MODULE = "payments"

_SETTLEMENT = {
    CaptureStatus.SUCCESS: SettlementStatus.SETTLED,
    CaptureStatus.PARTIAL_SUCCESS: SettlementStatus.SETTLED,  # less than owed: escalated
    CaptureStatus.FAILED: SettlementStatus.FAILED,
}


def unknown_location(what: str) -> OcpiError:
    """status_codes §2003: a location (or EVSE) that is not ours; nothing is stored."""
    return OcpiError(StatusCode.UNKNOWN_LOCATION, what, 404)


class RoamingPayments:
    def __init__(
        self,
        ctx: ServiceContext,
        port: StationPaymentPort | None,
        wire: Callable[[Terminal], dict[str, Any]],
        wake: Callable[[], None],
    ) -> None:
        self._ctx = ctx
        self._port = port  # None without the payments slice: card sessions are refused
        self._wire = wire  # the Terminal object we send the PTP (schemas.payments.terminal)
        self._wake = wake  # StatusPush.wake: sends what was queued
        self.advice_received = 0

    # -- terminals (receiver: the PTP creates them; the operator assigns) ---------------------
    def check_ptp(self, party: Party) -> None:
        if not party.has_role(Role.PTP):
            raise OcpiError(StatusCode.CLIENT_ERROR, "only a PTP party sends terminals", 403)

    async def register(self, party: Party, terminal: Terminal) -> Terminal:
        """POST Terminal: a new (or re-sent) terminal of this PTP."""
        self.check_ptp(party)
        async with self._ctx.uow() as uow:
            try:
                await self._check_places(uow, terminal.location_ids, terminal.evse_uids)
            except NotFound as exc:
                raise unknown_location(str(exc)) from exc
            store = uow.repository(OCPI_PAYMENTS)
            known = await store.terminal(terminal.terminal_id)
            if known is not None and known.party_id != party.id:
                raise invalid(f"terminal {terminal.terminal_id} belongs to another PTP")
            active = known.active if known is not None else True
            stored = replace(terminal, party_id=party.id, active=active)
            await store.put_terminal(stored)
            self._ctx.stage_event(uow, "ocpi.terminal", "", terminal_id=terminal.terminal_id)
            await uow.commit()
        return stored

    async def terminal(self, terminal_id: str, party: Party | None = None) -> Terminal | None:
        async with self._ctx.uow() as uow:
            found = await uow.repository(OCPI_PAYMENTS).terminal(terminal_id)
        if found is None or (party is not None and found.party_id != party.id):
            return None
        return found

    async def terminals(self) -> list[Terminal]:
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_PAYMENTS).terminals()

    async def assign(
        self, terminal_id: str, location_ids: list[str], evse_uids: list[str]
    ) -> Terminal:
        """The operator assigns locations/EVSEs; the PTP is told (PATCH, durable queue)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            terminal = await self._require(uow, terminal_id)
            await self._check_places(uow, tuple(location_ids), tuple(evse_uids))
            changed = replace(
                terminal,
                location_ids=tuple(location_ids),
                evse_uids=tuple(evse_uids),
                last_updated=now,
            )
            await uow.repository(OCPI_PAYMENTS).put_terminal(changed)
            wire = self._wire(changed)
            patch = {k: wire[k] for k in ("location_ids", "evse_uids", "last_updated")}
            await self._to_ptp(uow, terminal, "PATCH", f"/terminals/{terminal_id}", patch, now)
            await uow.commit()
        self._notify()
        return changed

    async def set_active(self, terminal_id: str, active: bool) -> Terminal:
        """Activate (POST {terminals}/activate with the Terminal) or deactivate (POST
        {terminals}/{id}/deactivate) at the PTP; a deactivated terminal serves nothing."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            terminal = await self._require(uow, terminal_id)
            changed = replace(terminal, active=active, last_updated=now)
            await uow.repository(OCPI_PAYMENTS).put_terminal(changed)
            if active:
                body = self._wire(changed)
                await self._to_ptp(uow, terminal, "POST", "/terminals/activate", body, now)
            else:
                path = f"/terminals/{terminal_id}/deactivate"
                await self._to_ptp(uow, terminal, "POST", path, {}, now)
            await uow.commit()
        self._notify()
        return changed

    async def serving(
        self, party: Party, location_id: str, evse_uid: str | None
    ) -> Terminal | None:
        """An active terminal of this PTP that serves the EVSE (or its location)."""
        async with self._ctx.uow() as uow:
            terminals = await uow.repository(OCPI_PAYMENTS).terminals()
        return next(
            (t for t in terminals if t.party_id == party.id and t.serves(location_id, evse_uid)),
            None,
        )

    # -- a START_SESSION paid at a terminal ----------------------------------------------------
    async def authorize(
        self, party: Party, reference: str, terminal: Terminal, station_id: str, evse: int
    ) -> str:
        """Opens the hold for ``reference``; '' when accepted, else why not."""
        if self._port is None:
            return "card payments need the payments feature"
        hold = await self._port.authorize_direct(station_id, reference, evse)
        if not hold.accepted:
            return hold.reason or "no hold"
        now = self._ctx.clock.now()
        card = CardAuthorization(reference, party.id, station_id, evse, terminal.terminal_id, now)
        async with self._ctx.uow() as uow:
            await uow.repository(OCPI_PAYMENTS).add_authorization(card)
            await uow.commit()
        return ""

    # -- FinancialAdviceConfirmation ------------------------------------------------------------
    async def receive_advice(self, party: Party, advice: FinancialAdvice) -> FinancialAdvice:
        """POST FinancialAdviceConfirmation: recorded and settled once; an unknown reference or
        another PTP's is refused and nothing is stored."""
        self.check_ptp(party)
        async with self._ctx.uow() as uow:
            store = uow.repository(OCPI_PAYMENTS)
            card = await store.authorization(advice.authorization_reference)
            if card is None or card.party_id != party.id:
                raise invalid(f"unknown authorization_reference {advice.authorization_reference}")
            known = await store.advice(advice.id)
            if known is not None:
                if known.party_id != party.id or known.body != advice.body:
                    raise invalid(f"financial advice {advice.id} was already recorded")
                return known  # a replay: recorded once
            tx = await _session_of(uow, card)
        recorded = replace(advice, party_id=party.id, transaction_id=tx.id if tx else None)
        if self._port is not None:
            settlement = StationSettlement(
                station_id=card.station_id,
                psp_ref=card.reference,
                status=_SETTLEMENT[advice.status],
                amount=advice.total,
                settled_at=advice.last_updated,
                station_tx_id=tx.station_tx_id if tx else None,
                status_info=f"OCPI financial advice {advice.id}: {advice.status.value}",
            )
            try:
                await self._port.record_settlement(settlement)
            except ForecourtError as exc:  # refused by the payments rule: nothing stored
                raise invalid(f"financial advice {advice.id}: {exc}") from exc
        async with self._ctx.uow() as uow:
            await uow.repository(OCPI_PAYMENTS).put_advice(recorded)
            await uow.commit()
        self.advice_received += 1
        return recorded

    async def advice(self, advice_id: str, party: Party | None = None) -> FinancialAdvice | None:
        async with self._ctx.uow() as uow:
            found = await uow.repository(OCPI_PAYMENTS).advice(advice_id)
        if found is None or (party is not None and found.party_id != party.id):
            return None
        return found

    async def all_advice(self, limit: int = 100) -> list[FinancialAdvice]:
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_PAYMENTS).all_advice(limit)

    # -- what each station supports (capabilities) ----------------------------------------------
    async def features(self) -> dict[str, StationFeatures]:
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_PAYMENTS).features()

    async def set_features(self, features: StationFeatures) -> StationFeatures:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(features.station_id) is None:
                raise NotFound("station", features.station_id)
            stamped = replace(features, updated_at=self._ctx.clock.now())
            await uow.repository(OCPI_PAYMENTS).put_features(stamped)
            await uow.commit()
        return stamped

    # -- helpers -----------------------------------------------------------------------------
    async def _require(self, uow: UnitOfWork, terminal_id: str) -> Terminal:
        found = await uow.repository(OCPI_PAYMENTS).terminal(terminal_id)
        if found is None:
            raise NotFound("terminal", terminal_id)
        return found

    async def _check_places(
        self, uow: UnitOfWork, location_ids: tuple[str, ...], evse_uids: tuple[str, ...]
    ) -> None:
        """NotFound unless every location and EVSE is ours (an EVSE on a site)."""
        for location_id in location_ids:
            if await uow.sites.get(location_id) is None:
                raise NotFound("location", location_id)
        for uid in evse_uids:
            parsed = parse_evse_uid(uid)
            station = await uow.stations.get(parsed[0]) if parsed else None
            if parsed is None or station is None or station.site_id is None:
                raise NotFound("EVSE", uid)
            if station.evse(parsed[1]) is None:
                raise NotFound("EVSE", uid)

    async def _to_ptp(
        self,
        uow: UnitOfWork,
        terminal: Terminal,
        method: str,
        path: str,
        body: dict[str, Any],
        now: datetime,
    ) -> None:
        job = PushJob(terminal.party_id, method, MODULE, path, dict(body), now)
        await uow.repository(OCPI_STORE).enqueue(job)

    def _notify(self) -> None:
        self._wake()


async def _session_of(uow: UnitOfWork, card: CardAuthorization) -> Transaction | None:
    """The session the reference paid for: the newest at that station with it as the token."""
    found = await uow.transactions.list(
        TransactionFilter(station_id=card.station_id, id_token=card.reference, limit=1)
    )
    return found[0] if found else None
