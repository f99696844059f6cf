"""Rich tables and charts for ``forecourt compat``: answers a driver can read."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from forecourt.cli.render import fields, table
from forecourt.cli.runtime import console, fail
from forecourt.compat.domain import ConnectorOffer, Option, render_power_curve_svg
from forecourt.compat.schemas.catalogue import AdapterOut, VehicleOut
from forecourt.compat.schemas.stalls import StallFitsOut, StallOut
from forecourt.compat.services.compatibility import ChargeAnswer, RankedConnector, SiteAdvice
from forecourt.domain.stations import ConnectorStatus

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "adapters",
    "charge_answer",
    "console",
    "plot",
    "site_advice",
    "stall_fits",
    "stalls",
    "vehicles",
]

MATPLOTLIB_MISSING = (
    "PNG plots need matplotlib, an optional extra: pip install 'forecourt[plots]'"
    " (or write an .svg plot, which needs nothing more)"
)


def vehicles(items: Sequence[VehicleOut]) -> None:
    table(
        f"Vehicles ({len(items)})",
        ("id", "vehicle", "inlets", "usable kWh", "peak DC kW", "on a lower-voltage EVSE", "AC kW"),
        (
            (
                v.id,
                v.name,
                ", ".join(inlet.value for inlet in v.inlets),
                f"{v.usable_kwh:g}",
                "-" if v.peak_dc_power_w is None else f"{v.peak_dc_power_w / 1000:g}",
                v.above_evse_voltage or "-",
                f"{v.ac_power_w / 1000:g}",
            )
            for v in items
        ),
    )


def adapters(items: Sequence[AdapterOut]) -> None:
    table(
        f"Adapters ({len(items)})",
        ("id", "name", "station -> car", "carries", "rating", "OEM approved", "thermal"),
        (
            (
                a.id,
                a.name,
                f"{a.station_plug.value} -> {a.vehicle_plug.value}",
                "/".join(kind for kind, yes in (("AC", a.ac), ("DC", a.dc)) if yes),
                f"{a.max_voltage_v:g} V, {a.max_current_a:g} A",
                _yes(a.oem_approved)
                + (f" ({', '.join(a.approved_for_makes)})" if a.approved_for_makes else ""),
                "built in" if a.built_in else a.thermal_foldback,
            )
            for a in items
        ),
    )


def charge_answer(answer: ChargeAnswer) -> None:
    result = answer.estimate
    fields("Charge estimate", _answer_fields(answer))
    if result is not None:
        table(
            "Why this fast",
            ("SoC", "limited by"),
            ((f"{b.soc_from:g}-{b.soc_to:g} %", b.detail) for b in result.bands),
        )
    notices = [*answer.notes, *(result.warnings if result else answer.option.warnings)]
    if notices:
        table("Warnings and notes", ("code", "message"), ((n.code, n.message) for n in notices))
    table(
        "Ways considered",
        ("way", "works", "peak", "why not / warnings"),
        (
            (
                _way(option),
                _yes(option.works),
                f"{option.peak_power_w / 1000:.0f} kW" if option.works else "-",
                option.reason.message if option.reason else ", ".join(_codes(option)),
            )
            for option in answer.options
        ),
    )


def _answer_fields(answer: ChargeAnswer) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = [
        ("vehicle", answer.vehicle.name),
        ("connector", _connector(answer.connector)),
        ("status", _status(answer.connector)),
        ("way", _way(answer.option)),
    ]
    result = answer.estimate
    if result is not None:
        minutes = result.duration_s / 60
        peak, average = result.peak_power_w / 1000, result.average_power_w / 1000
        pairs += [
            ("time", f"{minutes:.0f} min ({result.soc_from:g} -> {result.reached_soc:g} %)"),
            (
                "energy",
                f"{result.energy_to_battery_kwh:.1f} kWh into the battery, "
                f"{result.energy_from_grid_kwh:.1f} kWh metered",
            ),
            ("power", f"peak {peak:.0f} kW, average {average:.0f} kW"),
        ]
    pairs.append(("answer", Text(answer.summary(), style="bold")))
    return pairs


def _codes(option: Option) -> list[str]:
    return [warning.code for warning in option.warnings]


def site_advice(advice: SiteAdvice) -> None:
    window = f"{advice.window.soc_from:g} -> {advice.window.soc_to:g} %"
    console.print(Text(f"{advice.vehicle.name} at {advice.site.name}, {window}", style="bold"))
    console.print(advice.summary())
    table(
        "Connectors, best first",
        ("#", "connector", "plug", "status", "way", "time", "peak", "notes"),
        (_ranked_row(item) for item in advice.ranked),
    )


def _ranked_row(item: RankedConnector) -> tuple[object, ...]:
    found = item.recommendation
    result = found.estimate
    notes = [note.message for note in item.notes if not note.code.startswith("status_")]
    if result is None and found.option.reason is not None:
        notes.insert(0, found.option.reason.message)
    return (
        found.rank,
        str(item.ref),
        _connector(found.connector),
        _status(found.connector),
        _way(found.option) if result else "-",
        f"{result.duration_s / 60:.0f} min" if result else "-",
        f"{result.peak_power_w / 1000:.0f} kW" if result else "-",
        " ".join(notes) or "-",
    )


def plot(answer: ChargeAnswer, path: Path) -> None:
    """The power curve with its limit bands: SVG from the engine, PNG through matplotlib."""
    result = answer.estimate
    assert result is not None
    title = f"{answer.vehicle.name} at {_connector(answer.connector)}"
    if path.suffix.lower() == ".svg":
        path.write_text(render_power_curve_svg(result, title), encoding="utf-8")
        return
    try:
        from matplotlib import pyplot
    except ImportError:  # an optional extra: a server never needs it
        fail(MATPLOTLIB_MISSING)

    figure = power_figure(answer)
    try:
        figure.savefig(path, format="png")
    finally:
        pyplot.close(figure)


def power_figure(answer: ChargeAnswer) -> Figure:
    """The PNG's figure: the title wraps to the figure's width instead of being cut off."""
    import matplotlib  # only this command needs it: keep CLI start-up fast

    matplotlib.use("Agg")  # files only, never a display
    from matplotlib import pyplot

    result = answer.estimate
    assert result is not None
    title = f"{answer.vehicle.name} at {_connector(answer.connector)}"
    figure, axes = pyplot.subplots(figsize=(8, 4.5), dpi=120)
    for index, band in enumerate(result.bands):
        axes.axvspan(band.soc_from, band.soc_to, alpha=0.15,
                     color=_COLOURS[index % len(_COLOURS)], label=band.detail)  # fmt: skip
    socs = [soc for soc, _ in result.curve]
    axes.plot(socs, [watts / 1000 for _, watts in result.curve], color="#0072b2", linewidth=2)
    axes.set(xlabel="State of charge (%)", ylabel="Power (kW)")
    axes.set_title("\n".join(textwrap.wrap(title, 72)), fontsize="medium")
    axes.set_xlim(0, 100)
    axes.set_ylim(bottom=0)
    axes.legend(loc="lower left", fontsize="small")
    figure.tight_layout()
    return figure


_COLOURS = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00")


def _connector(offer: ConnectorOffer) -> str:
    rating = offer.rating
    kind = "DC" if rating.power_type.value == "dc" else "AC"
    return (
        f"{offer.connector_type.value.upper()} {rating.max_power_w / 1000:g} kW {kind}"
        f" ({rating.max_voltage_v:g} V, {rating.max_current_a:g} A)"
    )


def _status(offer: ConnectorOffer) -> Text:
    style = "green" if offer.status is ConnectorStatus.AVAILABLE else "yellow"
    if offer.status in (ConnectorStatus.FAULTED, ConnectorStatus.UNAVAILABLE):
        style = "red"
    reason = f" ({offer.status_reason})" if offer.status_reason else ""
    return Text(offer.status.value + reason, style=style)


def _way(option: Option) -> str:
    path = option.path.value.upper() if option.path else "-"
    adapter = option.adapter
    return f"{path}, no adapter" if adapter is None else f"{path} via {adapter.name}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def stalls(site: str, items: Sequence[StallOut]) -> None:
    table(
        f"Stalls at {site} ({len(items)})",
        ("stall", "EVSE", "layout", "cable from", "reach m", "accessible", "note"),
        (
            (
                s.stall_id,
                f"{s.station_id}/{s.evse_id}",
                s.layout.value.replace("_", "-"),
                s.post.value.replace("_", " "),
                f"{s.cable_reach_m:g}",
                _yes(s.accessible),
                s.note,
            )
            for s in items
        ),
    )


def stall_fits(answer: StallFitsOut) -> None:
    inlet = answer.inlet or "unknown"
    table(
        f"Stalls at {answer.site_id} for a {answer.vehicle} (inlet {inlet})",
        ("stall", "EVSE", "fits", "needs m", "accessible", "why"),
        (
            (
                fit.stall.stall_id,
                f"{fit.stall.station_id}/{fit.stall.evse_id}",
                "?" if fit.fits is None else _yes(fit.fits),
                "-" if fit.needed_m is None else f"{fit.needed_m:g}",
                _yes(fit.stall.accessible),
                fit.reason,
            )
            for fit in answer.stalls
        ),
    )
