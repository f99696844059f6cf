"""What the transaction hot paths cost on a real SQLite database: statements and units of work.

Counted with SQLAlchemy event hooks (``tests/support/statements.py``), so a change that adds a
query or a commit to every message shows up here, not in production.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from forecourt.bootstrap import Services
from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.tokens import IdToken
from forecourt.domain.transactions import Lifecycle, StopReason
from forecourt.services.transactions import TransactionStart, TransactionStop
from forecourt.storage import Database
from tests.support.harness import make_services
from tests.support.statements import recording

T0 = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)
STATION = "CS-1"


def register(minutes: float, wh: float, context: ReadingContext) -> MeterSample:
    at = T0 + timedelta(minutes=minutes)
    return MeterSample(at, Measurand.ENERGY_IMPORT_REGISTER, wh, "Wh", context)


async def ready(tmp_path: Path) -> tuple[Services, Database]:
    services, database = await make_services(tmp_path)
    await services.network.add_station(STATION)
    return services, database


async def test_a_1_6_start_is_one_unit_of_work_with_one_insert(tmp_path: Path) -> None:
    services, database = await ready(tmp_path)
    start = TransactionStart(1, 1, T0, IdToken("CARD-1"), meter_start_wh=1000)
    try:
        with recording(database.engine) as sql:
            outcome = await services.core.transactions.start(STATION, start)
    finally:
        await database.dispose()
    assert outcome.transaction is not None
    assert outcome.transaction.station_tx_id == str(outcome.transaction.id)
    # replay lookup by start key, the token's other sessions, the one INSERT, the EVSE's others
    assert sql.on("transactions") == ["SELECT", "SELECT", "INSERT", "SELECT"], sql.statements
    assert (sql.begins, sql.commits) == (1, 1)


async def test_a_2_0_1_start_with_its_begin_reading_inserts_once(tmp_path: Path) -> None:
    services, database = await ready(tmp_path)
    begin = register(0, 1000, ReadingContext.TRANSACTION_BEGIN)
    start = TransactionStart(1, 1, T0, station_tx_id="TX-1", samples=[begin])
    try:
        with recording(database.engine) as sql:
            await services.core.transactions.start(STATION, start)
    finally:
        await database.dispose()
    # the reading needs the stored id, so the totals it brings are one UPDATE after it
    assert sql.on("transactions") == ["SELECT", "INSERT", "SELECT", "UPDATE"], sql.statements
    assert sql.on("meter_samples") == ["INSERT"], sql.statements
    assert (sql.begins, sql.commits) == (1, 1)


async def test_meter_values_inside_a_transaction_cost_three_statements(tmp_path: Path) -> None:
    services, database = await ready(tmp_path)
    transactions = services.core.transactions
    try:
        started = await transactions.start(STATION, TransactionStart(1, 1, T0, meter_start_wh=0))
        assert started.transaction is not None
        station_tx_id = started.transaction.station_tx_id
        reading = register(5, 1500, ReadingContext.PERIODIC)
        with recording(database.engine) as sql:
            await transactions.meter_values(STATION, 1, station_tx_id, [reading])
    finally:
        await database.dispose()
    # locate-and-lock, store the sample, save the totals
    assert sql.on("transactions") == ["SELECT", "UPDATE"], sql.statements
    assert sql.on("meter_samples") == ["INSERT"], sql.statements
    assert len(sql.statements) == 3, sql.statements
    assert (sql.begins, sql.commits) == (1, 1)


async def test_an_ended_for_an_unknown_transaction_is_one_unit_of_work(tmp_path: Path) -> None:
    services, database = await ready(tmp_path)
    stop = TransactionStop(
        "TX-GHOST", T0 + timedelta(minutes=30), reason=StopReason.REMOTE, evse_id=1,
        connector_id=1, station_assigned_id=True, id_token=IdToken("CARD-1"),
        samples=[register(0, 2000, ReadingContext.TRANSACTION_BEGIN),
                 register(30, 9000, ReadingContext.TRANSACTION_END)],
    )  # fmt: skip
    try:
        with recording(database.engine) as sql:
            outcome = await services.core.transactions.stop(STATION, stop)
    finally:
        await database.dispose()
    assert outcome.orphan
    assert outcome.transaction is not None
    assert outcome.transaction.lifecycle is Lifecycle.ENDED
    assert outcome.transaction.energy_wh == 7000
    assert outcome.transaction.start_missing
    assert (sql.begins, sql.commits) == (1, 1)  # was four, with a recursive stop
    # locate, the token's other sessions, the one INSERT, the EVSE's others, one save
    expected = ["SELECT", "SELECT", "INSERT", "SELECT", "UPDATE"]
    assert sql.on("transactions") == expected, sql.statements
