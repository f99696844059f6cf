"""Money: integer minor units in one currency, never floats.

Rounding rule (documented in docs/payments.md and tested): an exact ``Decimal`` amount becomes
money by rounding half-up to the currency's minor unit, once, where a line item is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from forecourt.domain.errors import InvalidInput

#: ISO 4217 minor-unit exponents of the currencies Forecourt knows; others are refused.
MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "CAD": 2,
    "MXN": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "AUD": 2,
    "NZD": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "JPY": 0,
    "KRW": 0,
}

_SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def check_currency(code: str) -> str:
    """The upper-case ISO 4217 code, or InvalidInput naming the problem."""
    upper = code.upper()
    if upper not in MINOR_UNITS:
        known = ", ".join(sorted(MINOR_UNITS))
        raise InvalidInput(f"unsupported currency {code!r}; use one of {known}")
    return upper


def parse_decimal(text: str | int | Decimal, what: str = "amount") -> Decimal:
    """A finite Decimal from user text; floats are refused on purpose (they are inexact)."""
    if isinstance(text, float):
        raise InvalidInput(f"{what} must be given as a decimal string, not a float")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what} {text!r} is not a number") from None
    if not value.is_finite():
        raise InvalidInput(f"{what} must be a finite number")
    return value


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in the smallest unit of ``currency`` (cents for USD)."""

    minor: int
    currency: str = "USD"

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, check_currency(currency))

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str) -> Money:
        """Money from a major-unit amount (``"12.345"`` USD -> 1235 cents, half-up)."""
        code = check_currency(currency)
        exact = parse_decimal(amount) if not isinstance(amount, Decimal) else amount
        return cls(round_minor(exact * (10 ** MINOR_UNITS[code])), code)

    @property
    def exponent(self) -> int:
        return MINOR_UNITS[self.currency]

    def to_decimal(self) -> Decimal:
        """Major units, exact (``Money(1234, "USD")`` -> ``Decimal("12.34")``)."""
        return Decimal(self.minor).scaleb(-self.exponent)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def min(self, other: Money) -> Money:
        self._same_currency(other)
        return self if self.minor <= other.minor else other

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidInput(f"cannot combine {self.currency} with {other.currency}")

    def amount_text(self) -> str:
        """``"12.34"``: the major-unit amount with exactly the currency's decimals."""
        return f"{self.to_decimal():.{self.exponent}f}"

    def format(self) -> str:
        """``"$12.34"`` where the symbol is unambiguous, else ``"12.34 SEK"``."""
        symbol = _SYMBOLS.get(self.currency)
        sign = "-" if self.minor < 0 else ""
        amount = Money(abs(self.minor), self.currency).amount_text()
        return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {self.currency}"

    def __str__(self) -> str:
        return self.format()


def round_minor(exact_minor: Decimal) -> int:
    """Round an exact amount of minor units half-up (0.5 cent -> 1 cent)."""
    return int(exact_minor.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money_from_exact(exact_major: Decimal, currency: str) -> Money:
    """The one place an exact major-unit amount becomes money (half-up to the minor unit)."""
    return Money.of(exact_major, currency)


def format_rate(rate: Decimal, currency: str, unit: str) -> str:
    """A unit price for people: ``$0.45/kWh``; keeps extra decimals only when they matter."""
    code = check_currency(currency)
    places = max(MINOR_UNITS[code], -rate.normalize().as_tuple().exponent)  # type: ignore[operator]
    symbol = _SYMBOLS.get(code)
    text = f"{rate:.{places}f}"
    return f"{symbol}{text}/{unit}" if symbol else f"{text} {code}/{unit}"
