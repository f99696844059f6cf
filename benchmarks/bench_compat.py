"""Speed of the compatibility engine.  Run: ``python benchmarks/bench_compat.py``.

Prints a table; targets live here, never in timed unit tests.  Target: ranking 10,000
connectors for one vehicle well under 50 ms.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from forecourt.compat.domain import (
    ConnectorOffer,
    ConnectorStatus,
    best_option,
    clear_cache,
    compatibility,
    default_catalogue,
    estimate,
    recommend,
)
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType

DC, AC1 = PowerType.DC, PowerType.AC_1_PHASE
NACS, CCS1, J1772, CHADEMO = (
    ConnectorType.NACS, ConnectorType.CCS1, ConnectorType.J1772, ConnectorType.CHADEMO
)  # fmt: skip

#: 20 hardware classes seen on North American sites: (plug, power type, V, A, kW).
CLASSES: list[tuple[ConnectorType, PowerType, float, float, float]] = [
    (CCS1, DC, 1000, 500, 350), (CCS1, DC, 1000, 350, 350), (CCS1, DC, 920, 375, 150),
    (CCS1, DC, 500, 125, 62.5), (CCS1, DC, 1000, 200, 50), (CCS1, DC, 1000, 400, 180),
    (CCS1, DC, 950, 500, 400), (CHADEMO, DC, 500, 125, 62.5), (CHADEMO, DC, 500, 200, 100),
    (NACS, DC, 500, 700, 250), (NACS, DC, 1000, 615, 325), (NACS, DC, 1000, 615, 500),
    (NACS, DC, 410, 360, 150), (J1772, AC1, 240, 32, 7.7), (J1772, AC1, 240, 48, 11.5),
    (J1772, AC1, 208, 30, 6.2), (J1772, AC1, 240, 80, 19.2), (NACS, AC1, 240, 48, 11.5),
    (NACS, AC1, 240, 32, 7.7), (CCS1, DC, 1000, 250, 100),
]  # fmt: skip
STATUSES = [ConnectorStatus.AVAILABLE] * 8 + [ConnectorStatus.OCCUPIED, ConnectorStatus.FAULTED]


def make_connectors(count: int, seed: int = 7) -> list[ConnectorOffer]:
    rng = random.Random(seed)
    offers = []
    for index in range(count):
        plug, power, volts, amps, kw = rng.choice(CLASSES)
        shared = rng.choice([None, None, None, 100_000.0, 150_000.0]) if power is DC else None
        derated = 50_000.0 if power is DC and rng.random() < 0.02 else None
        offers.append(
            ConnectorOffer(
                f"c{index}",
                plug,
                ConnectorRating(power, volts, amps, kw * 1000),
                status=rng.choice(STATUSES),
                available_power_w=shared,
                derated_power_w=derated,
                built_in_adapter_id="tesla-magic-dock" if plug is NACS and index % 7 == 0 else None,
            )
        )
    return offers


def timed(func: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return samples


def cold(func: Callable[[], object]) -> object:
    clear_cache()
    return func()


def row(name: str, samples: list[float], per: int = 1) -> str:
    median = statistics.median(samples) * 1000
    best = min(samples) * 1000
    return f"| {name:<52} | {median:>9.2f} | {best:>9.2f} | {median * 1000 / per:>10.1f} |"


def recommend_rows() -> list[str]:
    catalogue = default_catalogue()
    connectors = make_connectors(10_000)
    ioniq = catalogue.vehicle("hyundai-ioniq-5-lr-2022")
    mach_e = catalogue.vehicle("ford-mustang-mach-e-er-2021")
    distinct = len({c.class_key() for c in connectors})
    count = len(connectors)
    return [
        row(
            f"recommend Ioniq 5, 10,000 connectors ({distinct} classes), cold",
            timed(lambda: cold(lambda: recommend(ioniq, connectors, 10, 80)), 15),
            count,
        ),
        row(
            "recommend Ioniq 5, 10,000 connectors, warm cache",
            timed(lambda: recommend(ioniq, connectors, 10, 80), 15),
            count,
        ),
        row(
            "recommend Mach-E, 10,000 connectors, cold",
            timed(lambda: cold(lambda: recommend(mach_e, connectors, 10, 80)), 15),
            count,
        ),
    ]


def per_call_rows() -> list[str]:
    vehicles = sorted(default_catalogue().vehicles.values(), key=lambda v: v.id)
    classes = make_connectors(len(CLASSES), seed=1)
    pairs = [(v, c) for v in vehicles for c in classes]
    options = [(v, c, o) for v, c in pairs for o in compatibility(v, c) if o.works]
    return [
        row(
            f"best_option, {len(vehicles)} vehicles x {len(classes)} classes",
            timed(lambda: [best_option(v, c, 10, 80) for v, c in pairs], 5),
            len(pairs),
        ),
        row(
            f"estimate 10->80 %, {len(options)} working (vehicle, class, option)",
            timed(lambda: [estimate(v, c, o, 10, 80) for v, c, o in options], 5),
            len(options),
        ),
        row(
            f"compatibility, {len(vehicles)} vehicles x {len(classes)} classes",
            timed(lambda: [compatibility(v, c) for v, c in pairs], 5),
            len(pairs),
        ),
    ]


def main() -> None:
    header = ["| benchmark | median ms | best ms | µs per item |", "|---|---:|---:|---:|"]
    print("\n".join(header + recommend_rows() + per_call_rows()))


if __name__ == "__main__":
    main()
