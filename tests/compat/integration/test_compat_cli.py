"""``forecourt compat`` and ``forecourt connectors add|convert`` through the real entry point."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from forecourt.bootstrap import build_services, open_database
from forecourt.cli import main, retrofit
from forecourt.cli.network import connectors_app
from forecourt.compat.cli import commands as compat
from tests.cli.conftest import Cli
from tests.compat.integration.site import IONIQ_2025, SITE, build_site, start_session
from tests.support.harness import OfflineGateway, SteppingClock


@pytest.fixture(autouse=True, scope="module")
def _registered() -> None:
    """The lead wires these into ``forecourt.cli.main``; until then, tests wire them here."""
    if "compat" not in {group.name for group in main.app.registered_groups}:
        compat.register(main.app)
    if "convert" not in {command.name for command in connectors_app.registered_commands}:
        retrofit.register(connectors_app)


@pytest.fixture
def cli(database_file: Path) -> Cli:
    url = f"sqlite:///{database_file}"

    async def build() -> None:
        database = open_database(url)
        clock = SteppingClock()
        await build_site(build_services(database, OfflineGateway(), clock=clock), clock.now())
        await database.dispose()

    asyncio.run(build())
    return Cli(url)


def usage_error(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    return result.stderr


# -- catalogue --------------------------------------------------------------------------------
def test_vehicles_by_make(cli: Cli) -> None:
    table = cli.ok("compat", "vehicles", "--make", "hyundai").stdout
    listed = cli.json("compat", "vehicles", "--make", "hyundai", "--inlet", "nacs")

    assert "Vehicles (7)" in table  # + the Kona Electric's two generations, the 2026 Ioniq 6
    assert "hyundai-ioniq-5-lr-2025" in table
    assert [v["id"] for v in listed] == [
        IONIQ_2025,
        "hyundai-ioniq-6-lr-2026",
        "hyundai-ioniq-9-2025",
    ]


def test_adapters(cli: Cli) -> None:
    table = cli.ok("compat", "adapters").stdout

    assert "tesla-ccs1-to-nacs" in table
    assert "ccs1 -> nacs" in table


def test_an_operator_catalogue_file_is_merged(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "fleet.json"
    broken.write_text('{"vehicles": [{"id": "acme"}]}', encoding="utf-8")

    stderr = usage_error(cli, "compat", "--catalogue", str(broken), "vehicles")

    assert "fleet.json: vehicles[0] (id 'acme')" in stderr


# -- estimate -------------------------------------------------------------------------------
def test_the_2025_ioniq_5_on_a_nacs_connector(cli: Cli) -> None:
    args = ("compat", "estimate", "--vehicle", "2025 Ioniq 5", "--connector", "nacs")

    table = cli.ok(*args, "--max-voltage-v", "500", "--from", "10", "--to", "80").stdout
    answer = cli.json(*args, "--max-voltage-v", "500")

    assert "Charge estimate" in table
    assert "Why this fast" in table
    assert "vehicle boost converter 126 kW" in table
    assert answer["vehicle"]["id"] == IONIQ_2025
    assert answer["estimate"]["peak_power_w"] == pytest.approx(126_000)
    assert answer["summary"].startswith("About ")


def test_an_estimate_at_a_station_connector(cli: Cli) -> None:
    answer = cli.json("compat", "estimate", "--vehicle", "hyundai-ioniq-5-2025", "--at", "CS-2/1/1")

    assert answer["connector"]["reference"] == "CS-2/1/1"
    assert answer["connector"]["status"] == "faulted"
    assert answer["option"]["adapter"]["id"] == "hmg-ccs1-to-nacs"


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_power_curve_is_plotted(cli: Cli, tmp_path: Path, suffix: str) -> None:
    chart = tmp_path / f"curve{suffix}"

    result = cli.ok(
        "compat", "estimate", "--vehicle", IONIQ_2025, "--connector", "ccs1", "--plot", str(chart)
    )

    data = chart.read_bytes()
    assert f"power curve written to {chart}" in result.stdout
    assert data.startswith(b"\x89PNG") if suffix == ".png" else data.startswith(b"<svg")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--vehicle", "Flying Car", "--connector", "nacs"), "no vehicle matches 'Flying Car'"),
        (("--vehicle", "Ioniq 5", "--connector", "nacs"), "'Ioniq 5' matches 2 vehicles"),
        (("--vehicle", "Ioniq 7 2025", "--connector", "nacs"), IONIQ_2025),
        (("--vehicle", IONIQ_2025, "--connector", "warp"), "'warp' is not one of"),
        (
            ("--vehicle", IONIQ_2025, "--connector", "nacs", "--from", "80", "--to", "10"),
            "soc_from (80 %) must be below soc_to (10 %)",
        ),
        (
            ("--vehicle", IONIQ_2025, "--connector", "nacs", "--max-power-kw", "-5"),
            "must be positive",
        ),
        (
            ("--vehicle", IONIQ_2025, "--connector", "nacs", "--adapter", "nope"),
            "adapter 'nope' not found",
        ),
        (("--vehicle", IONIQ_2025), "give --connector TYPE or --at STATION/EVSE/CONNECTOR"),
        (("--vehicle", IONIQ_2025, "--at", "CS-1"), "'CS-1' is not STATION/EVSE/CONNECTOR"),
        (("--vehicle", IONIQ_2025, "--connector", "nacs", "--plot", "x.pdf"), "must end in .png"),
    ],
)
def test_bad_estimate_input_is_a_usage_error(cli: Cli, args: tuple[str, ...], message: str) -> None:
    stderr = usage_error(cli, "compat", "estimate", *args)

    assert message in " ".join(stderr.split())


# -- recommend ------------------------------------------------------------------------------
def test_recommend_answers_the_drivers_question(cli: Cli) -> None:
    args = ("compat", "recommend", "--site", SITE, "--vehicle", "2025 Ioniq 5")

    table = cli.ok(*args, "--from", "10", "--to", "80").stdout
    advice = cli.json(*args)

    assert "Austin Forecourt" in table
    assert "CS-1 EVSE 1 (CCS1): About" in table
    assert "ConnectorLockFailure" in table
    assert advice["connectors"][0]["connector"]["reference"] == "CS-1/1/1"
    assert advice["connectors"][-1]["usable_now"] is False


def test_recommend_for_an_unknown_site(cli: Cli) -> None:
    result = cli("compat", "recommend", "--site", "NOPE", "--vehicle", IONIQ_2025)

    assert result.exit_code == 1
    assert "site 'NOPE' not found" in result.stderr


# -- retrofits ------------------------------------------------------------------------------
def test_add_and_convert_connectors(cli: Cli) -> None:
    added = cli.ok(
        "connectors",
        "add",
        "CS-1",
        "1",
        "2",
        "--type",
        "nacs",
        "--max-power-kw",
        "250",
        "--note",
        "NACS cable",
    ).stdout
    converted = cli.json("connectors", "convert", "CS-1", "1", "1", "--type", "nacs")
    history = cli.json("connectors", "retrofits", "CS-1")

    assert "Retrofit recorded" in added
    assert "NACS cable" in added
    assert converted["retrofit"]["before"]["type"] == "ccs1"
    assert converted["retrofit"]["after"]["type"] == "nacs"
    assert [r["action"] for r in history] == ["convert", "add"]
    station = cli.json("stations", "show", "CS-1")
    assert [c["type"] for c in station["evses"][0]["connectors"]] == ["nacs", "nacs"]


def test_retrofit_refusals(cli: Cli) -> None:
    async def busy() -> None:
        database = open_database(cli.database_url)
        services = build_services(database, OfflineGateway(), clock=SteppingClock())
        await start_session(services, "CS-2", 1, 1, services.core.clock.now())
        await database.dispose()

    asyncio.run(busy())
    exists = cli("connectors", "add", "CS-1", "1", "1", "--type", "nacs")
    charging = cli("connectors", "convert", "CS-2", "1", "1", "--type", "nacs")
    negative = cli("connectors", "add", "CS-1", "1", "2", "--type", "nacs", "--max-current-a", "-1")

    assert exists.exit_code == 1
    assert "already exists (ccs1 350 kW): convert it instead" in exists.stderr
    assert charging.exit_code == 1
    assert "is running on EVSE CS-2/1" in charging.stderr
    assert negative.exit_code == 2
    assert "must be positive" in negative.stderr


def test_json_output_is_valid_json(cli: Cli) -> None:
    result = cli.ok("compat", "adapters", "--json")

    assert isinstance(json.loads(result.stdout), list)


def test_a_long_plot_title_wraps_inside_the_picture(cli: Cli, tmp_path: Path) -> None:
    """Long vehicle names made the title run off both edges of the PNG."""
    from PIL import Image

    chart = tmp_path / "curve.png"
    cli.ok("compat", "estimate", "--vehicle", IONIQ_2025, "--connector", "ccs1",
           "--max-power-kw", "350", "--plot", str(chart))  # fmt: skip

    with Image.open(chart) as image:
        width, _ = image.size
        top = image.convert("L").crop((0, 0, width, 70))
        edges = [
            top.getpixel((x, y)) for y in range(70) for x in (*range(4), *range(width - 4, width))
        ]
    assert min(edges) == 255  # nothing drawn at the left and right edges of the title band


# -- temperature and drivers' words (issue 19) -----------------------------------------------
def test_cold_and_preconditioned_estimates(cli: Cli) -> None:
    args = ("compat", "estimate", "--vehicle", "hyundai-ioniq-5-lr-2022", "--connector", "ccs1")

    warm = cli.json(*args)["estimate"]["duration_s"]
    cold = cli.json(*args, "--ambient-c", "-10")["estimate"]["duration_s"]
    ready = cli.json(*args, "--ambient-c", "-10", "--preconditioned")["estimate"]["duration_s"]

    assert cold > warm * 1.5
    assert ready == pytest.approx(warm)


def test_a_trim_as_drivers_type_it(cli: Cli) -> None:
    answer = cli.json("compat", "estimate", "--vehicle", "Taycan 4S", "--connector", "ccs1")

    assert answer["vehicle"]["id"] == "porsche-taycan-pbplus-2020"


def test_an_ac_only_adapter_for_dc_is_a_usage_error(cli: Cli) -> None:
    args = ("--vehicle", IONIQ_2025, "--connector", "ccs1", "--adapter", "hmg-j1772-to-nacs")

    stderr = " ".join(usage_error(cli, "compat", "estimate", *args).split())

    assert "adapter 'hmg-j1772-to-nacs'" in stderr
    assert "AC-only" in stderr


# -- stalls ----------------------------------------------------------------------------------
def test_operators_describe_stalls_and_drivers_ask_which_fits(cli: Cli) -> None:
    set_a1 = cli.ok(
        "compat", "stalls", "set", "--site", SITE, "A1", "--station", "CS-1", "--evse", "1",
        "--layout", "back_in", "--post", "head_right", "--reach-m", "2.5",
    )  # fmt: skip
    cli.ok(
        "compat", "stalls", "set", "--site", SITE, "B1", "--station", "CS-2", "--evse", "1",
        "--layout", "pull_in", "--post", "head_left", "--reach-m", "2.5", "--accessible",
    )  # fmt: skip

    table = cli.ok("compat", "stalls", "list", "--site", SITE).stdout
    fit = cli.json("compat", "stalls", "fit", "--site", SITE, "--vehicle", "Mach-E Extended Range")
    fit_table = cli.ok(
        "compat", "stalls", "fit", "--site", SITE, "--vehicle", "Model 3 2020"
    ).stdout

    assert "stall AUS-1/A1 added: back-in, cable from the head right, 2.5 m" in set_a1.stdout
    assert "Stalls at AUS-1 (2)" in table
    assert [(s["stall"]["stall_id"], s["fits"]) for s in fit["stalls"]] == [
        ("B1", True),
        ("A1", False),
    ]
    assert "inlet rear left" in fit_table


def test_bad_stall_input_is_a_usage_error_and_an_unknown_stall_an_error(cli: Cli) -> None:
    args = ("compat", "stalls", "set", "--site", SITE, "A1", "--station", "CS-1")
    stderr = usage_error(
        cli, *args, "--evse", "7", "--layout", "back_in", "--post", "head_right", "--reach-m", "2"
    )
    bad_layout = usage_error(
        cli, *args, "--evse", "1", "--layout", "sideways", "--post", "head_right", "--reach-m", "2"
    )
    missing = cli("compat", "stalls", "remove", "--site", SITE, "Z9")

    assert "has no EVSE 7" in stderr
    assert "sideways" in bad_layout
    assert missing.exit_code == 1
    assert "stall 'AUS-1/Z9' not found" in missing.stderr
    assert cli.json("compat", "stalls", "list", "--site", SITE) == []


# -- my car ---------------------------------------------------------------------------------
def test_my_car_for_a_token(cli: Cli) -> None:
    cli.ok("tokens", "add", "CARD-9")
    assert "'Ioniq 5' matches" in usage_error(cli, "compat", "my-car", "set", "CARD-9", "Ioniq 5")
    chosen = cli.json("compat", "my-car", "set", "CARD-9", "Mach-E Extended Range")
    shown = cli.ok("compat", "my-car", "show", "CARD-9").stdout
    cli.ok("compat", "my-car", "remove", "CARD-9")
    gone = cli("compat", "my-car", "show", "CARD-9")
    unknown = cli("compat", "my-car", "set", "NO-CARD", "Mach-E Extended Range")

    assert (chosen["token"], chosen["vehicle_id"]) == ("CARD-9", "ford-mustang-mach-e-er-2021")
    assert "Ford Mustang Mach-E Extended Range [ford-mustang-mach-e-er-2021]" in shown
    assert gone.exit_code == 1
    assert "car of token 'CARD-9' not found" in gone.stderr
    assert unknown.exit_code == 1
    assert "token 'NO-CARD' not found" in unknown.stderr
