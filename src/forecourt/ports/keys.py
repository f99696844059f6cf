"""Typed names for what a feature slice adds to the core's bundles.

The core's unit of work and service bundle know nothing about features; a feature adds its
repositories and services under a ``Key`` it owns, and reads them back with the type intact:
``uow.repository(PAYMENTS)`` is a ``PaymentRepository``, ``services.feature(RELIABILITY)`` a
``Reliability``. A key is compared by identity, so two features cannot clash on a name.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Key(Generic[T]):
    """``PAYMENTS: Key[PaymentRepository] = Key("payments")``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Key({self.name!r})"


class Missing(LookupError):
    """Nothing is installed under a key: a feature is not in ``forecourt.features``."""

    def __init__(self, name: str, where: str) -> None:
        super().__init__(f"no {where} is installed under {name!r}: is its feature installed?")
