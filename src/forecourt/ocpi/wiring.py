"""Builds OCPI's services from the host (part of the slice's composition root)."""

from __future__ import annotations

from forecourt.extension import Host
from forecourt.ocpi.domain.parties import PartyRef, Us
from forecourt.ocpi.providers.http import HttpOcpiClient
from forecourt.ocpi.schemas.cdrs import cdr, session, session_patch
from forecourt.ocpi.schemas.codec import PydanticCodec
from forecourt.ocpi.schemas.payments import terminal
from forecourt.ocpi.schemas.tariffs import tariff
from forecourt.ocpi.schemas.tokens import parse_answer
from forecourt.ocpi.services.cdrs import RoamingCdrs
from forecourt.ocpi.services.commands import RoamingCommands
from forecourt.ocpi.services.credentials import Credentials
from forecourt.ocpi.services.locations import Locations
from forecourt.ocpi.services.payments import RoamingPayments
from forecourt.ocpi.services.roaming import Roaming
from forecourt.ocpi.services.sessions import RoamingSessions
from forecourt.ocpi.services.stats import OcpiStats
from forecourt.ocpi.services.status_push import StatusPush
from forecourt.ocpi.services.tariffs import Tariffs
from forecourt.ocpi.services.tokens import RoamingTokens
from forecourt.ocpi.web.honest import honest_words
from forecourt.ports.contracts import CONTRACTS
from forecourt.ports.faults import FAULTS
from forecourt.ports.session_costs import SESSION_COSTS
from forecourt.ports.stalls import STALLS
from forecourt.ports.station_payments import STATION_PAYMENTS
from forecourt.ports.tariff_catalogue import TARIFF_CATALOGUE
from forecourt.settings import Settings


def build_roaming(host: Host) -> Roaming:
    settings = host.settings or Settings()
    us = Us(
        PartyRef(settings.ocpi_country_code, settings.ocpi_party_id),
        settings.ocpi_business_name,
        _base_url(settings),
    )
    client = HttpOcpiClient(from_party=(us.ref.country_code, us.ref.party_id))
    codec = PydanticCodec()
    station_payments = host.port(STATION_PAYMENTS)
    cards = station_payments is not None
    pnc = host.port(CONTRACTS) is not None
    catalogue = host.port(TARIFF_CATALOGUE)
    locations = Locations(
        host.ctx,
        us,
        honest_words,
        host.port(FAULTS),
        cards,
        pnc,
        tariffs=catalogue,
        stalls=host.port(STALLS),
    )
    stats = OcpiStats()
    push = StatusPush(host.ctx, locations, client, codec, settings.ocpi_push_retry, stats)
    tariffs = Tariffs(host.ctx, us, catalogue, lambda v, t: tariff(v, us.ref, t).wire(), push.wake)
    tokens = RoamingTokens(host.ctx, client, parse_answer)
    payments = RoamingPayments(host.ctx, station_payments, terminal, push.wake)
    sessions = RoamingSessions(
        host.ctx,
        us,
        locations,
        tokens,
        host.port(SESSION_COSTS),
        lambda v, f: session(v, us.ref, f).wire(),
        lambda v, f: session_patch(v, us.ref, f),
        push.wake,
    )
    cdrs = RoamingCdrs(
        host.ctx,
        locations,
        catalogue,
        sessions.facts,
        lambda v, f, at: cdr(v, us.ref, f, at).wire(),
        push.wake,
    )
    sessions.on_ended = cdrs.create
    reservations = host.services.core.reservations
    commands = RoamingCommands(
        host.ctx, host.remote, reservations, tokens, payments, push.wake, sessions.expect
    )
    credentials = Credentials(host.ctx, client, codec, us)
    return Roaming(
        credentials, locations, push, tariffs, tokens, commands, payments, stats, sessions, cdrs
    )


def _base_url(settings: Settings) -> str:
    root = settings.ocpi_public_url or f"http://{settings.host}:{settings.port}"
    return root.rstrip("/") + "/ocpi"
