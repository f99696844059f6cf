"""Rank the connectors of a site (or a whole network) for one vehicle and one target SoC.

Ranking: usable connectors first (available, then unknown status, then occupied or
reserved, then unavailable or faulted), each group by expected time to target (to the
minute, then no adapter before an adapter, then the exact time).  Many
connectors share hardware, so the compatibility answer and the estimate are computed once
per connector class (:meth:`ConnectorOffer.class_key`) and reused.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from forecourt.compat.domain.catalogue import default_catalogue
from forecourt.compat.domain.estimate import Estimate, estimate
from forecourt.compat.domain.model import Adapter, ConnectorOffer, Vehicle
from forecourt.compat.domain.options import Notice, Option
from forecourt.compat.domain.rules import compatibility
from forecourt.domain.stations import ConnectorStatus

_TIER = {
    ConnectorStatus.AVAILABLE: 0,
    ConnectorStatus.UNKNOWN: 1,
    ConnectorStatus.OCCUPIED: 2,
    ConnectorStatus.RESERVED: 2,
    ConnectorStatus.UNAVAILABLE: 3,
    ConnectorStatus.FAULTED: 3,
}
_NO_ESTIMATE_TIER = 4  # nothing fits at all: after everything else


class Recommendation(NamedTuple):
    rank: int  # 1 = best
    connector: ConnectorOffer
    option: Option  # the best option (or the first failing one, with its reason)
    estimate: Estimate | None  # None when no option works

    @property
    def notes(self) -> tuple[Notice, ...]:
        """Status, derate and shared-power explanations for this connector."""
        return _notes(self.connector)

    @property
    def duration_s(self) -> float | None:
        return self.estimate.duration_s if self.estimate is not None else None

    @property
    def usable_now(self) -> bool:
        return self.estimate is not None and self.connector.status in (
            ConnectorStatus.AVAILABLE,
            ConnectorStatus.UNKNOWN,
        )


@dataclass(frozen=True, slots=True)
class _Answer:
    option: Option
    estimate: Estimate | None


#: Answers per (connector class, vehicle object, window, ambient and preconditioning,
#: adapter objects).  The
#: objects are kept with the answer and compared by identity on every hit.
_CACHE: OrderedDict[tuple[object, ...], tuple[Vehicle, tuple[Adapter, ...], _Answer]] = (
    OrderedDict()
)
_CACHE_SIZE = 20_000


def best_option(
    vehicle: Vehicle,
    connector: ConnectorOffer,
    soc_from: float,
    soc_to: float,
    adapters: Iterable[Adapter] | None = None,
    ambient_c: float | None = None,
    *,
    preconditioned: bool = False,
) -> tuple[Option, Estimate | None]:
    """The fastest working option and its estimate, or the first option's reason.

    ``adapters`` defaults to what the driver is assumed to have: the vehicle maker's
    adapters plus any built into dispensers.  An approved way to charge always wins over a
    faster one through an adapter the vehicle maker does not approve.
    """
    if adapters is None:
        adapters = drivers_adapters(vehicle)
    options = compatibility(vehicle, connector, adapters, ambient_c=ambient_c)
    working = [option for option in options if option.works]
    if not working:
        return options[0], None
    estimates = [
        estimate(
            vehicle, connector, option, soc_from, soc_to, ambient_c, preconditioned=preconditioned
        )
        for option in working
    ]
    # reach the target, avoid unapproved adapters, then speed; ties keep native first
    best = min(
        range(len(working)),
        key=lambda i: (
            -estimates[i].reached_soc,
            _unapproved(working[i]),
            round(estimates[i].duration_s),
        ),
    )
    return working[best], estimates[best]


def drivers_adapters(vehicle: Vehicle) -> tuple[Adapter, ...]:
    """Adapters a driver of ``vehicle`` can be assumed to have: OEM-supplied and built-in."""
    return tuple(
        adapter
        for adapter in default_catalogue().adapters.values()
        if adapter.built_in or adapter.id in vehicle.oem_adapter_ids
    )


def _unapproved(option: Option) -> bool:
    return any(warning.code == "adapter_not_oem_approved" for warning in option.warnings)


def recommend(
    vehicle: Vehicle,
    connectors: Iterable[ConnectorOffer],
    soc_from: float,
    soc_to: float,
    *,
    adapters: Iterable[Adapter] | None = None,
    ambient_c: float | None = None,
    preconditioned: bool = False,
) -> list[Recommendation]:
    """Every connector ranked for ``vehicle`` charging from ``soc_from`` to ``soc_to`` %.

    ``adapters``: what the driver carries (default :func:`drivers_adapters`).  Connectors
    that tie (same class and status group) keep their input order.
    """
    usable_adapters = tuple(drivers_adapters(vehicle) if adapters is None else adapters)
    climate = (ambient_c, preconditioned)
    context = (id(vehicle), soc_from, soc_to, climate, tuple(map(id, usable_adapters)))
    answers: dict[tuple[object, ...], _Answer] = {}
    groups: dict[tuple[tuple[object, ...], int], list[ConnectorOffer]] = {}
    for connector in connectors:
        key = connector.class_key()
        if key not in answers:
            answers[key] = _answer(
                vehicle, connector, (key, context), (soc_from, soc_to), usable_adapters, climate
            )
        group = groups.setdefault((key, _TIER[connector.status]), [])
        group.append(connector)
    ordered = sorted(groups.items(), key=lambda item: _group_order(answers[item[0][0]], item[0][1]))
    ranked: list[Recommendation] = []
    for (key, _), members in ordered:
        answer = answers[key]
        start = len(ranked) + 1
        ranked.extend(
            Recommendation(rank, connector, answer.option, answer.estimate)
            for rank, connector in enumerate(members, start)
        )
    return ranked


def _answer(
    vehicle: Vehicle,
    connector: ConnectorOffer,
    key: tuple[object, ...],
    window: tuple[float, float],
    adapters: tuple[Adapter, ...],
    climate: tuple[float | None, bool],
) -> _Answer:
    """``best_option`` for a connector class, remembered across calls (bounded, LRU)."""
    cached = _CACHE.get(key)
    if cached is not None and _same(cached[0], vehicle, cached[1], adapters):
        _CACHE.move_to_end(key)
        return cached[2]
    ambient_c, preconditioned = climate
    answer = _Answer(
        *best_option(
            vehicle, connector, *window, adapters, ambient_c, preconditioned=preconditioned
        )
    )
    _CACHE[key] = (vehicle, adapters, answer)
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return answer


def _same(
    vehicle: Vehicle, other: Vehicle, adapters: tuple[Adapter, ...], others: tuple[Adapter, ...]
) -> bool:
    """Identity, not equality: the key holds ``id()``s, which Python may recycle."""
    return (
        vehicle is other
        and len(adapters) == len(others)
        and all(a is b for a, b in zip(adapters, others, strict=True))
    )


def clear_cache() -> None:
    """Forget remembered answers (e.g. after reloading the catalogue; benchmarks)."""
    _CACHE.clear()


def _group_order(answer: _Answer, tier: int) -> tuple[int, float, int, int, float]:
    result = answer.estimate
    if result is None:
        return (_NO_ESTIMATE_TIER, 0.0, 0, 0, 0.0)
    # within the same minute, a plug that needs no adapter is the better advice
    minutes = round(result.duration_s / 60)
    return (tier, -result.reached_soc, minutes, len(answer.option.adapters), result.duration_s)


def _notes(connector: ConnectorOffer) -> tuple[Notice, ...]:
    notes: list[Notice] = []
    if connector.status is not ConnectorStatus.AVAILABLE:
        detail = f": {connector.status_reason}" if connector.status_reason else ""
        message = f"Connector is {connector.status.value}{detail}."
        notes.append(Notice(f"status_{connector.status.value}", message))
    if connector.derated_power_w is not None:
        kw = connector.derated_power_w / 1000
        detail = f" ({connector.derate_reason})" if connector.derate_reason else ""
        notes.append(Notice("derated", f"Derated to {kw:.0f} kW{detail}."))
    if connector.available_power_w is not None:
        kw = connector.available_power_w / 1000
        notes.append(Notice("shared_power", f"Cabinet power shared: {kw:.0f} kW available now."))
    return tuple(notes)
