"""Reconciliation and recovery on real services and storage, with the test provider, plus the
``forecourt tariffs|payments|receipts`` commands."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.money import Money
from forecourt.domain.tokens import IdToken, TokenKind
from forecourt.payments.domain.payments import PaymentFlow, PaymentState
from forecourt.payments.keys import PAYMENT_ADAPTERS, PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE, HoldRequest, ProviderEvent
from forecourt.payments.providers.test_provider import TestProvider
from forecourt.payments.services.policy import PaymentAdapters, PaymentPolicy
from forecourt.payments.services.reconciliation import Action, FindingKind
from forecourt.services.core import Services
from forecourt.services.transactions import TransactionStart, TransactionStop
from tests.payments.conftest import prepare_network
from tests.support.harness import OfflineGateway, SteppingClock

STATION = "REC-1"


@dataclass
class Rig:
    services: Services
    provider: TestProvider
    clock: SteppingClock
    database_url: str


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    database = open_database(url)
    await database.migrate()
    provider = TestProvider(state_file=tmp_path / "provider.json")
    clock = SteppingClock(datetime.now(UTC).replace(microsecond=0))
    adapters = PaymentAdapters(provider, policy=PaymentPolicy(start_timeout_s=60))
    services = build_services(
        database,
        OfflineGateway(),
        clock=clock,
        bus=InProcessBus(),
        options={PAYMENT_ADAPTERS: adapters},
    )
    await prepare_network(services, STATION)
    yield Rig(services, provider, clock, url)
    await database.dispose()


async def dispenser_session(rig: Rig, token: str, kwh: float) -> int:
    """A terminal hold, then a whole 1.6 session paid by it (through the core services)."""
    body, headers = rig.provider.terminal_authorize(
        station_id=STATION, evse_id=1, id_token=token, amount=Money(5000, "USD")
    )
    await rig.services.feature(PAYMENTS).holds.handle_webhook(body, headers)
    core = rig.services.core.transactions
    t0 = rig.clock.now()
    begin = MeterSample(
        t0, Measurand.ENERGY_IMPORT_REGISTER, 0.0, "Wh", ReadingContext.TRANSACTION_BEGIN
    )
    started = await core.start(
        STATION, TransactionStart(1, 1, t0, IdToken(token, TokenKind.RFID), 0.0, samples=[begin])
    )
    assert started.transaction is not None
    assert started.authorization is not None
    assert started.authorization.accepted
    tx = started.transaction
    await rig.services.feature(PAYMENTS).settlement.link(tx.id)
    rig.clock.advance(1800)
    await core.stop(STATION, TransactionStop(tx.station_tx_id, rig.clock.now(), kwh * 1000))
    return tx.id


async def test_a_lost_event_is_finished_by_the_sweep(rig: Rig) -> None:
    tx_id = await dispenser_session(rig, "TERMREC001", 10.0)  # no bus subscription: no event
    async with rig.services.ctx.uow() as uow:
        payment = await uow.repository(PAYMENT_STORE).by_transaction(tx_id)
    assert payment is not None
    assert payment.state is PaymentState.IN_SESSION
    report = await rig.services.feature(PAYMENTS).recovery.sweep()
    assert report.settled == 1
    async with rig.services.ctx.uow() as uow:
        paid = await uow.repository(PAYMENT_STORE).by_transaction(tx_id)
        token = await uow.tokens.get("TERMREC001")
    assert paid is not None
    assert paid.state is PaymentState.CAPTURED
    assert paid.captured_minor == 595  # 10 kWh x 0.45 + 1.00 = 5.50; tax 0.45375 -> 0.45
    assert token is not None
    assert token.blocked


async def test_unused_holds_are_released_after_the_start_window(rig: Rig) -> None:
    body, headers = rig.provider.terminal_authorize(
        station_id=STATION, evse_id=2, id_token="TERMUNUSED", amount=Money(5000, "USD")
    )
    payment = await rig.services.feature(PAYMENTS).holds.handle_webhook(body, headers)
    assert payment is not None
    assert payment.state is PaymentState.AUTHORIZED
    assert (await rig.services.feature(PAYMENTS).recovery.sweep()).released == 0
    rig.clock.advance(61)
    assert (await rig.services.feature(PAYMENTS).recovery.sweep()).released == 1
    released = await rig.services.feature(PAYMENTS).holds.get(payment.public_id)
    assert released.state is PaymentState.RELEASED
    assert "released" in released.message
    assert rig.provider.holds()[0].status.value == "canceled"


async def test_reconcile_fixes_open_and_unknown_holds_and_escalates_mismatches(rig: Rig) -> None:
    tx_id = await dispenser_session(rig, "TERMREC002", 5.0)
    await rig.services.feature(PAYMENTS).recovery.sweep()
    # Someone captured at the provider outside Forecourt; a hold nobody owns; one captured twice.
    stray = await rig.provider.create_hold(
        HoldRequest(Money(3000, "USD"), "", PaymentFlow.DISPENSER_TERMINAL), idempotency_key="stray"
    )
    rig.provider.present_card(stray.provider_ref, "4242424242424242")
    foreign = await rig.provider.create_hold(
        HoldRequest(Money(2000, "USD"), "", PaymentFlow.DISPENSER_TERMINAL),
        idempotency_key="foreign",
    )
    rig.provider.present_card(foreign.provider_ref, "4242424242424242")
    await rig.provider.capture(foreign.provider_ref, Money(2000, "USD"), idempotency_key="x")
    async with rig.services.ctx.uow() as uow:
        paid = await uow.repository(PAYMENT_STORE).by_transaction(tx_id)
        assert paid is not None
        paid.captured_minor += 1  # our record disagrees with the provider by a cent
        await uow.repository(PAYMENT_STORE).save(paid)
        await uow.commit()

    findings = await rig.services.feature(PAYMENTS).reconciliation.run(fix=True)
    by_kind = {f.kind: f for f in findings}
    assert by_kind[FindingKind.UNKNOWN_HOLD].action is Action.FIXED
    assert by_kind[FindingKind.CAPTURE_WITHOUT_SESSION].action is Action.ESCALATED
    assert by_kind[FindingKind.AMOUNT_MISMATCH].action is Action.ESCALATED
    assert rig.provider.holds()[1].status.value == "canceled"  # the stray hold, released
    again = await rig.services.feature(PAYMENTS).reconciliation.run(fix=False)
    assert FindingKind.UNKNOWN_HOLD not in {f.kind for f in again}
    assert FindingKind.ESCALATED in {f.kind for f in again}


def test_cli_tariffs_payments_receipts(rig: Rig, tmp_path: Path) -> None:
    from forecourt.cli.main import app
    from forecourt.payments.cli import commands as payment_cli

    if not any(group.name == "tariffs" for group in app.registered_groups):
        payment_cli.register(app)
    env = {
        "FORECOURT_DATABASE_URL": rig.database_url,
        "FORECOURT_TEST_PROVIDER_STATE_FILE": str(tmp_path / "provider.json"),
        "COLUMNS": "200",
    }

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    bands = ["--band", "00:00=0.30", "--band", "16:00=0.55"]
    extras = ["--session-fee", "0.50", "--tax", "VAT=5", "--timezone", "America/Chicago"]
    out = run("tariffs", "publish", "TOU", *bands, *extras)
    assert "tariff TOU revision 1" in out
    assert json.loads(run("tariffs", "list", "--json"))[0]["code"] in ("STD", "TOU")
    assert "binding" in run("tariffs", "bind", "TOU", "--station", STATION)
    assert "TOU" in run("tariffs", "bindings")
    listed = json.loads(run("payments", "list", "--json"))
    assert isinstance(listed, list)
    assert "nothing to show" in run("payments", "reconcile")
    # A driver's own tariff (OCPP 2.1 DriverTariff)
    run("tokens", "add", "VIP-CARD")
    assert "VIP-CARD: billed by TOU (revision 1 now)" in run(
        "tariffs", "driver-set", "VIP-CARD", "TOU"
    )
    assert json.loads(run("tariffs", "drivers", "--json")) == [
        {"token": "VIP-CARD", "tariff": "TOU"}
    ]
    unknown = CliRunner().invoke(app, ["tariffs", "driver-set", "NOBODY", "TOU"], env=env)
    assert unknown.exit_code != 0
    assert "no tariff of its own" in run("tariffs", "driver-clear", "VIP-CARD")
    assert json.loads(run("tariffs", "drivers", "--json")) == []
    bad = CliRunner().invoke(
        app, ["tariffs", "publish", "X", "--band", "00:00=0.1", "--currency", "XXX"], env=env
    )
    assert bad.exit_code != 0
    assert "currency" in bad.output


def test_backoff_grows_and_is_capped() -> None:
    policy = PaymentPolicy(retry_base_s=5, retry_max_s=60)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    delays = [(policy.next_attempt(now, n) - now).total_seconds() for n in (1, 2, 3, 4, 5, 9)]
    assert delays == [5, 10, 20, 40, 60, 60]
    assert timedelta(seconds=delays[0]) == timedelta(seconds=5)


async def test_a_provider_event_for_nobody_is_ignored(rig: Rig) -> None:
    hold = await rig.provider.create_hold(
        HoldRequest(Money(100, "USD"), "", PaymentFlow.SCAN_TO_PAY), idempotency_key="nobody"
    )
    assert await rig.services.feature(PAYMENTS).holds.apply(ProviderEvent("evt-x", hold)) is None
