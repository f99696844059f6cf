"""OCPP 2.1 station -> CSMS: the 2.0.1 handlers, plus what 2.1 adds or changes.

``HANDLERS`` is derived, never copied: every 2.0.1 handler serves 2.1 through
:func:`as_201` (2.1-only enum values translated by ``v21.mapping``), then the 2.1 overrides
and additions apply. A 2.0.1 message added tomorrow therefore works on 2.1 the same day.
Requirement ids refer to OCPP 2.1 Part 2 (C18-C22: payment at the station).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from forecourt.domain.errors import InvalidInput
from forecourt.ocpp.adapter import InboundHandler, Link, Payload
from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.timestamps import parse_timestamp
from forecourt.ocpp.v21.connectors import connector_from_ocpp21
from forecourt.ocpp.v21.mapping import (
    DIRECT_PAYMENT,
    NO_CREDIT,
    SETTLEMENT_STATUS,
    STOP_REASON_AS_201,
    TOKEN_TYPE_AS_201,
)
from forecourt.ocpp.v21.tariffs import tariff_type
from forecourt.ocpp.v21.wire_types.payments import (
    NotifySettlementRequest,
    NotifySettlementResponse,
)
from forecourt.ocpp.v21.wire_types.transactions import (
    CostDetailsType,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionLimitType,
)
from forecourt.ocpp.v201 import inbound as v201
from forecourt.ocpp.v201.mapping import lookup
from forecourt.ports.session_costs import StationCost
from forecourt.ports.station_payments import PrepaidLimit, StationSettlement
from forecourt.services.provisioning import ReportedConnector

#: Fields holding an IdTokenType, wherever a 2.0.1 handler reads one.
_TOKEN_FIELDS = ("idToken", "groupIdToken")


def as_201(payload: Payload) -> Payload:
    """A 2.1 payload in the 2.0.1 words the 2.0.1 handlers read (a copy; the rest as is)."""
    out = dict(payload)
    for name in _TOKEN_FIELDS:
        token = out.get(name)
        if isinstance(token, dict) and token.get("type") in TOKEN_TYPE_AS_201:
            out[name] = {**token, "type": TOKEN_TYPE_AS_201[token["type"]]}
    info = out.get("transactionInfo")
    if isinstance(info, dict) and info.get("stoppedReason") in STOP_REASON_AS_201:
        out["transactionInfo"] = {
            **info,
            "stoppedReason": STOP_REASON_AS_201[info["stoppedReason"]],
        }
    return out


def reusing(handler: InboundHandler) -> InboundHandler:
    """A 2.0.1 handler serving 2.1."""

    async def handle(link: Link, p: Payload) -> Mapping[str, object]:
        return await handler(link, as_201(p))

    handle.__doc__ = handler.__doc__
    return handle


# --- C18: a card terminal at the station ----------------------------------------------------


async def _payment_token(link: Link, token: Any, evse_id: int | None) -> bool:
    """Before the token is authorised: open our hold for a DirectPayment reference (C18), or
    set a prepaid card's credit aside (C17). False: a prepaid card with no credit left."""
    if not isinstance(token, dict):
        return True
    payments = link.services.station_payments
    if token.get("type") == DIRECT_PAYMENT:
        await payments.authorize_direct(link.station_id, token["idToken"], evse_id)
        return True
    hold = await payments.authorize_prepaid(link.station_id, token["idToken"], evse_id)
    return hold.accepted


def _no_credit(answer: Mapping[str, Any]) -> dict[str, Any]:
    """An accepted token whose prepaid credit is used up is answered NoCredit (C17)."""
    out = dict(answer)
    info = out.get("idTokenInfo")
    if isinstance(info, dict) and info.get("status") == "Accepted":
        out["idTokenInfo"] = {**info, "status": NO_CREDIT}
    return out


async def authorize(link: Link, p: Payload) -> Mapping[str, object]:
    """C01 with C18 and C17: a DirectPayment reference is held first, a prepaid card's credit
    set aside; then the token is authorised like any other. An accepted token with its own
    tariff gets it in the answer (``tariff``: the station holds it as a DriverTariff)."""
    credit = await _payment_token(link, p["idToken"], None)
    answer = await v201.authorize(link, as_201(p))  # type: ignore[arg-type]  # 2.0.1 shape
    if not credit:
        return _no_credit(answer)
    info = answer.get("idTokenInfo")
    if isinstance(info, dict) and info.get("status") == "Accepted":
        token = p["idToken"]["idToken"]
        driver = await link.services.station_payments.driver_tariff(link.station_id, token)
        if driver is not None:
            return {**answer, "tariff": tariff_type(driver)}
    return answer


async def transaction_event(link: Link, p: TransactionEventRequest) -> TransactionEventResponse:
    """E01-E15 as in 2.0.1; C18 opens the hold for a DirectPayment token, C17 sets a prepaid
    card's credit aside (NoCredit when there is none: the station stops). The answer carries
    the prepaid limit (``transactionLimit``) when the token is a live hold; an Ended event's
    ``totalCost`` (what a terminal settles, C21) is 2.0.1's rule (the session's price). A
    ``LimitSet`` event with a ``maxCost`` is the station's terminal having grown the card's
    authorization (C23): our hold grows to it first."""
    token = p.get("idToken")
    evse = p.get("evse")
    credit = not _authorizes(p) or await _payment_token(
        link, token, None if evse is None else evse["id"]
    )
    raised = p["transactionInfo"].get("transactionLimit", {}).get("maxCost")
    if p["triggerReason"] == "LimitSet" and raised is not None:  # C23 at its own terminal
        await link.services.station_payments.limit_raised(
            link.station_id, p["transactionInfo"]["transactionId"], Decimal(repr(raised))
        )
    answer = await v201.transaction_event(link, as_201(dict(p)))  # type: ignore[arg-type]
    details = p.get("costDetails")
    if details is not None and p["eventType"] != "Started":  # I-block: after our own record
        await link.services.station_cost(station_cost(link.station_id, p, details))
    shaped = dict(answer) if credit else _no_credit(answer)
    response: TransactionEventResponse = shaped  # type: ignore[assignment]  # same shape
    accepted = response.get("idTokenInfo", {}).get("status") == "Accepted"
    if token is not None and accepted:
        limit = await link.services.station_payments.limit_for(link.station_id, token["idToken"])
        if limit is not None:
            response["transactionLimit"] = transaction_limit(limit)
    return response


def station_cost(
    station_id: str, p: TransactionEventRequest, details: CostDetailsType
) -> StationCost:
    """costDetails -> StationCost: the total with taxes (our totals include them); without
    ``inclTax`` the station's net total is compared (and will differ by the tax). An Updated
    event's is the running cost at the event's time."""
    total = details["totalCost"]
    amount = total["total"].get("inclTax", total["total"].get("exclTax"))
    failed = details.get("failureToCalculate", False) or amount is None
    return StationCost(
        station_id=station_id,
        station_tx_id=p["transactionInfo"]["transactionId"],
        currency=total["currency"],
        total=None if failed else Decimal(repr(amount)),
        failure_reason=details.get("failureReason", "no total") if failed else "",
        running=p["eventType"] == "Updated",
        at=parse_timestamp(p["timestamp"]),
    )


def _authorizes(p: TransactionEventRequest) -> bool:
    """An event that (re)authorises its token: a start, or a token presented mid-session. A
    meter value's Updated event costs no payment look-up (the hot path)."""
    return p["eventType"] == "Started" or p["triggerReason"] == "Authorized"


def transaction_limit(limit: PrepaidLimit) -> TransactionLimitType:
    """PrepaidLimit -> TransactionLimitType (money as an exact JSON number)."""
    out = TransactionLimitType()
    if limit.max_cost is not None:
        out["maxCost"] = float(limit.max_cost)
    if limit.max_energy_wh is not None:
        out["maxEnergy"] = limit.max_energy_wh
    if limit.max_time_s is not None:
        out["maxTime"] = limit.max_time_s
    if limit.max_soc is not None:
        out["maxSoC"] = limit.max_soc
    return out


# --- C19-C22: the station settled ------------------------------------------------------------


async def notify_settlement(link: Link, p: NotifySettlementRequest) -> NotifySettlementResponse:
    """C19-C22: recorded exactly once (replays change nothing); our receipt URL returned."""
    try:
        amount = Decimal(repr(p["settlementAmount"]))
    except ArithmeticError:
        raise OcppError(ErrorKind.PROPERTY_CONSTRAINT, "settlementAmount is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise OcppError(ErrorKind.PROPERTY_CONSTRAINT, "settlementAmount must be >= 0")
    settlement = StationSettlement(
        station_id=link.station_id,
        psp_ref=p["pspRef"],
        status=lookup(SETTLEMENT_STATUS, p["status"], "status"),
        amount=amount,
        settled_at=parse_timestamp(p["settlementTime"]),
        station_tx_id=p.get("transactionId") or None,
        status_info=p.get("statusInfo", ""),
        receipt_url=p.get("receiptUrl", ""),
        receipt_id=p.get("receiptId", ""),
    )
    try:
        url = await link.services.station_payments.record_settlement(settlement)
    except InvalidInput as exc:
        raise OcppError(ErrorKind.PROPERTY_CONSTRAINT, str(exc)) from None
    return NotifySettlementResponse(receiptUrl=url) if url else NotifySettlementResponse()


# --- B07/B08 with 2.1 connector types -------------------------------------------------------


async def notify_report(link: Link, p: Payload) -> Mapping[str, object]:
    """As on 2.0.1 (kept for operators), and the ``Connector.ConnectorType`` values read into
    the connector records (2.1 vocabulary: cNACS, cNACS-CCS1, cMCS, sType1, ...)."""
    answer = await v201.notify_report(link, p)  # type: ignore[arg-type]  # 2.0.1 shape
    reported = reported_connectors(p.get("reportData", []))
    if reported:
        await link.services.provisioning.connectors_reported(link.station_id, reported)
    return answer


def reported_connectors(report: list[Any]) -> list[ReportedConnector]:
    """``reportData`` -> the plug of each connector that says its type: the cable's plug and
    the second plug of a dispenser-integrated adapter (``cNACS-CCS1``)."""
    found = []
    for item in report:
        component, variable = item["component"], item["variable"]
        evse = component.get("evse", {})
        if component["name"] != "Connector" or variable["name"] != "ConnectorType":
            continue
        actual = [a for a in item["variableAttribute"] if a.get("type", "Actual") == "Actual"]
        if "id" not in evse or not actual or "value" not in actual[0]:
            continue
        plug, built_in = connector_from_ocpp21(actual[0]["value"])
        found.append(ReportedConnector(evse["id"], evse.get("connectorId", 1), plug, built_in))
    return found


#: What 2.1 adds to, or changes in, the 2.0.1 handlers.
ADDITIONS: Mapping[str, InboundHandler] = {
    "Authorize": authorize,
    "TransactionEvent": transaction_event,
    "NotifySettlement": notify_settlement,
    "NotifyReport": notify_report,
}

HANDLERS: Mapping[str, InboundHandler] = MappingProxyType(
    {**{action: reusing(h) for action, h in v201.HANDLERS.items()}, **ADDITIONS}
)
