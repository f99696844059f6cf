"""Payments, receiver interface (OCPI 2.3.0 mod_payments §Receiver Interface, CPO side):
``POST/GET {payments}/terminals`` and ``POST/GET {payments}/financial-advice-confirmations``.
2.2.1 has no payments module: those paths answer "unknown" there."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import json_body, reply, unknown
from forecourt.ocpi.domain.status import StatusCode
from forecourt.ocpi.domain.versions import Module, Version, offers
from forecourt.ocpi.schemas.payments import advice, parse_advice, parse_terminal, terminal

router = ocpi_router()


def _payments_version(text: str) -> Version:
    chosen = version_of(text)
    if not offers(chosen, Module.PAYMENTS):
        raise unknown(f"module payments in OCPI {chosen.value}", StatusCode.UNSUPPORTED_VERSION)
    return chosen


@router.post("/{version}/payments/terminals")
async def post_terminal(version: str, request: Request) -> JSONResponse:
    _payments_version(version)
    party = await caller(request)
    payments = roaming(request).payments
    payments.check_ptp(party)
    stored = await payments.register(party, parse_terminal(await json_body(request), party.id))
    return reply(request, terminal(stored))


@router.get("/{version}/payments/terminals/{terminal_id}")
async def get_terminal(version: str, terminal_id: str, request: Request) -> JSONResponse:
    _payments_version(version)
    party = await caller(request)
    found = await roaming(request).payments.terminal(terminal_id, party)
    if found is None:
        raise unknown(f"terminal {terminal_id!r}")
    return reply(request, terminal(found))


@router.post("/{version}/payments/financial-advice-confirmations")
async def post_advice(version: str, request: Request) -> JSONResponse:
    _payments_version(version)
    party = await caller(request)
    payments = roaming(request).payments
    payments.check_ptp(party)
    recorded = await payments.receive_advice(
        party, parse_advice(await json_body(request), party.id)
    )
    return reply(request, advice(recorded))


@router.get("/{version}/payments/financial-advice-confirmations/{advice_id}")
async def get_advice(version: str, advice_id: str, request: Request) -> JSONResponse:
    _payments_version(version)
    party = await caller(request)
    found = await roaming(request).payments.advice(advice_id, party)
    if found is None:
        raise unknown(f"financial advice confirmation {advice_id!r}")
    return reply(request, advice(found))
