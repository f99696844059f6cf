"""OCPI's repository and outgoing-call protocols, and their keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from forecourt.domain.metering import SignedMeterValue
from forecourt.ocpi.domain.amenities import Amenities
from forecourt.ocpi.domain.capabilities import StationFeatures
from forecourt.ocpi.domain.locations import ConnectorView, EvseView, LocationView
from forecourt.ocpi.domain.parties import Party, PeerCredentials, Us
from forecourt.ocpi.domain.payments import CardAuthorization, FinancialAdvice, Terminal
from forecourt.ocpi.domain.sessions import RoamingSession, SessionStatus, StoredCdr
from forecourt.ocpi.domain.tokens import RoamingToken, TokenType
from forecourt.ocpi.domain.versions import Version
from forecourt.ports.keys import Key
from forecourt.ports.session_costs import BilledCost
from forecourt.ports.tariff_catalogue import PublishedTariff


@dataclass(frozen=True, slots=True)
class PushJob:
    """One object to send to one party, retried with back-off until it lands."""

    party_id: int
    method: str  # PUT or PATCH
    module: str  # the party's endpoint identifier, e.g. "locations"
    path: str  # appended to that endpoint's URL, e.g. "/US/FCT/SITE-1/CS-1*1"
    body: dict[str, Any]
    due_at: datetime
    attempts: int = 0
    last_error: str = ""
    id: int = 0


class OcpiRepository(Protocol):
    async def add_party(self, party: Party) -> Party: ...  # assigns the id
    async def save_party(self, party: Party) -> None: ...
    async def party(self, party_id: int) -> Party | None: ...
    async def party_by_token(self, token: str) -> Party | None: ...
    async def parties(self) -> list[Party]: ...
    async def enqueue(self, job: PushJob) -> None: ...
    async def due_jobs(self, now: datetime, limit: int) -> list[PushJob]: ...
    async def job_done(self, job_id: int) -> None: ...
    async def job_failed(self, job_id: int, error: str, due_at: datetime) -> None: ...
    async def failed_jobs(self, party_id: int | None = None) -> list[PushJob]: ...
    async def job_counts(self) -> dict[str, int]: ...  # waiting jobs by module
    async def amenities(self) -> dict[str, Amenities]: ...  # by site id
    async def save_amenities(self, site_id: str, amenities: Amenities, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class Reply:
    """What the other party answered: HTTP status and the OCPI envelope's parts."""

    http_status: int
    status_code: int | None
    data: Any
    message: str = ""


class OcpiClient(Protocol):
    """Outgoing OCPI calls (httpx in production, ``providers.http``)."""

    async def call(
        self, method: str, url: str, token: str, body: dict[str, Any] | None = None
    ) -> Reply: ...


#: ``uow.repository(OCPI_STORE)``.
OCPI_STORE: Key[OcpiRepository] = Key("ocpi.store")


class Codec(Protocol):
    """OCPI objects per version, both ways (``ocpi.schemas``; services never see pydantic)."""

    def credentials(self, version: Version, us: Us, token: str) -> dict[str, Any]: ...
    def parse_credentials(self, version: Version, data: Any) -> PeerCredentials: ...
    def parse_versions(self, data: Any) -> dict[str, str]: ...  # version -> details URL
    def parse_endpoints(self, version: Version, data: Any) -> dict[str, str]: ...
    def evse(self, version: Version, view: EvseView) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a Session object says: our record, the transaction's ledger and its bill."""

    session: RoamingSession
    started_at: datetime
    ended_at: datetime | None
    energy_wh: float  # the ledger's total
    cost: BilledCost | None  # None: no tariff applies
    last_updated: datetime
    signed_start: SignedMeterValue | None = None  # the meter's signed start reading
    signed_end: SignedMeterValue | None = None  # ... and end reading (CDR signed_data)

    @property
    def status(self) -> SessionStatus:
        return SessionStatus.ACTIVE if self.ended_at is None else SessionStatus.COMPLETED


@dataclass(frozen=True, slots=True)
class CdrFacts:
    """What a CDR says, fixed when the session ended."""

    facts: SessionFacts
    location: LocationView  # the site with the session's EVSE only
    connector: ConnectorView
    tariff: PublishedTariff | None


class SessionRepository(Protocol):
    """Roaming sessions and their CDRs (``ocpi_sessions``, ``ocpi_cdrs``; mod_sessions,
    mod_cdrs), and pushes that replace a pending one for the same object."""

    async def add_session(self, session: RoamingSession) -> None: ...
    async def session(self, transaction_id: int) -> RoamingSession | None: ...
    async def sessions(self, party_id: int | None, limit: int) -> list[RoamingSession]: ...
    async def without_cdr(self, limit: int) -> list[RoamingSession]: ...  # oldest first
    async def add_cdr(self, cdr: StoredCdr) -> bool: ...  # False: the session has one already
    async def cdr(self, cdr_id: str) -> StoredCdr | None: ...
    async def cdr_for(self, transaction_id: int) -> StoredCdr | None: ...
    async def cdrs(self, party_id: int | None, limit: int) -> list[StoredCdr]: ...
    async def enqueue_latest(self, job: PushJob) -> None: ...
    async def queue_depth(self) -> dict[str, tuple[int, int]]: ...  # module -> (queued, failing)


#: ``uow.repository(OCPI_SESSIONS)``.
OCPI_SESSIONS: Key[SessionRepository] = Key("ocpi.sessions")


class TokenRepository(Protocol):
    """Tokens the eMSPs pushed (mod_tokens receiver): one per (country, party, uid, type)."""

    async def put_token(self, token: RoamingToken) -> None: ...
    async def token(
        self, country_code: str, party_id: str, uid: str, token_type: TokenType
    ) -> RoamingToken | None: ...
    async def tokens_with_uid(self, uid: str) -> list[RoamingToken]: ...
    async def all_tokens(self, limit: int) -> list[RoamingToken]: ...  # newest first


#: ``uow.repository(OCPI_TOKENS)``.
OCPI_TOKENS: Key[TokenRepository] = Key("ocpi.tokens")


class PaymentRepository(Protocol):
    """mod_payments (2.3.0): terminals, card authorizations, financial advice; and what each
    station supports (capabilities)."""

    async def put_terminal(self, terminal: Terminal) -> None: ...
    async def terminal(self, terminal_id: str) -> Terminal | None: ...
    async def terminals(self) -> list[Terminal]: ...
    async def add_authorization(self, authorization: CardAuthorization) -> bool: ...
    async def authorization(self, reference: str) -> CardAuthorization | None: ...
    async def put_advice(self, advice: FinancialAdvice) -> None: ...
    async def advice(self, advice_id: str) -> FinancialAdvice | None: ...
    async def all_advice(self, limit: int) -> list[FinancialAdvice]: ...
    async def features(self) -> dict[str, StationFeatures]: ...  # by station id
    async def put_features(self, features: StationFeatures) -> None: ...
    async def link_reservation(self, party_id: int, reservation_id: str, our_id: int) -> None: ...
    async def reservation(self, party_id: int, reservation_id: str) -> int | None: ...


#: ``uow.repository(OCPI_PAYMENTS)``.
OCPI_PAYMENTS: Key[PaymentRepository] = Key("ocpi.payments")
