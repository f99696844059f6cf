"""Find a vehicle the way a driver names it: by catalogue id or by words ("2025 Ioniq 5").

Words must all appear in the vehicle's make, model, trim, trim aliases or id; a year
(1990-2099) must lie within its model years (or appear in its id).  Drivers type trims the
way dealers sell them, so ``LR``/``SR``/``ER`` and "long/standard/extended range" are the
same words, and a drivetrain word ("AWD", "RWD", "dual motor") only has to match when the
catalogue entry names a drivetrain (an entry that does not covers every drivetrain with that
pack).  One match wins; several are ambiguous; none lists the closest names so the driver
can pick one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from forecourt.compat.domain import Vehicle
from forecourt.domain.errors import InvalidInput, NotFound

_MAX_SUGGESTIONS = 5
_WORD = re.compile(r"[a-z0-9]+")
#: Abbreviations on window stickers and in catalogue ids, and the words they stand for.
_ABBREVIATIONS = {
    "lr": ("long", "range"),
    "sr": ("standard", "range"),
    "er": ("extended", "range"),
    "4wd": ("awd",),
    "pb": ("performance", "battery"),
}
#: Words that name a drivetrain; only binding where the vehicle names one.
_DRIVETRAIN = frozenset(
    {"awd", "rwd", "fwd", "4wd", "4x4", "dual", "single", "tri", "quad", "motor"}
)


class VehicleNotFound(NotFound):
    """No vehicle matches; ``suggestions`` holds the closest catalogue ids."""

    def __init__(self, query: str, suggestions: list[Vehicle]) -> None:
        super().__init__("vehicle", query)
        self.suggestions = [vehicle.id for vehicle in suggestions]
        hint = "; ".join(f"{v.id} ({v.name})" for v in suggestions)
        close = f"; close matches: {hint}" if hint else ""
        self.args = (f"no vehicle matches {query!r}{close}",)


class AmbiguousVehicle(InvalidInput):
    """Several vehicles match; ``candidates`` holds their ids."""

    def __init__(self, query: str, candidates: list[Vehicle]) -> None:
        self.candidates = [vehicle.id for vehicle in candidates]
        listed = "; ".join(f"{v.id} ({v.name})" for v in candidates[:_MAX_SUGGESTIONS])
        more = len(candidates) - _MAX_SUGGESTIONS
        extra = f" and {more} more" if more > 0 else ""
        super().__init__(
            f"{query!r} matches {len(candidates)} vehicles: {listed}{extra}; "
            "give the id, or add the model year or trim"
        )


def find_vehicle(vehicles: Mapping[str, Vehicle], query: str) -> Vehicle:
    """The one vehicle ``query`` names; raises :class:`VehicleNotFound` or
    :class:`AmbiguousVehicle` with the names a driver can choose from."""
    text = query.strip()
    exact = vehicles.get(text) or vehicles.get(text.lower())
    if exact is not None:
        return exact
    words, years = _parse(text)
    if not words and not years:
        raise VehicleNotFound(query, [])
    found = [v for v in vehicles.values() if _matches(v, words, years)]
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousVehicle(query, found)
    raise VehicleNotFound(query, _closest(vehicles.values(), words, text))


def _parse(text: str) -> tuple[list[str], list[int]]:
    words: list[str] = []
    years: list[int] = []
    for word in _WORD.findall(text.lower()):
        if word.isdigit() and 1990 <= int(word) <= 2099:
            years.append(int(word))
        else:
            words.append(word)
    return words, years


def _vocabulary(vehicle: Vehicle) -> set[str]:
    aliases = " ".join(vehicle.aliases)
    text = f"{vehicle.id} {vehicle.make} {vehicle.model} {vehicle.trim} {aliases}".lower()
    words = set(_WORD.findall(text))
    for short, long in _ABBREVIATIONS.items():
        if short in words:
            words.update(long)
        elif all(word in words for word in long):
            words.add(short)
    return words


def _matches(vehicle: Vehicle, words: list[str], years: list[int]) -> bool:
    vocabulary = _vocabulary(vehicle)
    names_drivetrain = bool(vocabulary & _DRIVETRAIN)
    first, last = vehicle.model_years
    return all(
        _known(word, vocabulary) or (word in _DRIVETRAIN and not names_drivetrain) for word in words
    ) and all(first <= year <= last or str(year) in vocabulary for year in years)


def _known(word: str, vocabulary: set[str]) -> bool:
    # a prefix of three letters or more counts ("chev" for Chevrolet); digits must be exact
    return word in vocabulary or (
        len(word) >= 3 and not word.isdigit() and any(v.startswith(word) for v in vocabulary)
    )


def _closest(vehicles: Iterable[Vehicle], words: list[str], text: str) -> list[Vehicle]:
    """Vehicles sharing the most (near-)words with the query, then by similar spelling."""
    scored: list[tuple[float, Vehicle]] = []
    for vehicle in vehicles:
        vocabulary = _vocabulary(vehicle)
        shared = sum(1 for word in words if difflib.get_close_matches(word, vocabulary, 1, 0.75))
        spelling = difflib.SequenceMatcher(None, text.lower(), vehicle.id).ratio()
        if shared or spelling >= 0.5:
            scored.append((shared + spelling, vehicle))
    scored.sort(key=lambda item: -item[0])
    return [vehicle for _, vehicle in scored[:_MAX_SUGGESTIONS]]
