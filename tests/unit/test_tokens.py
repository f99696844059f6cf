"""The one authorization rule: order of checks and concurrency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecourt.domain.tokens import AuthorizationStatus, TokenRecord, evaluate_token

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def status(record: TokenRecord | None, *, elsewhere: bool = False) -> AuthorizationStatus:
    return evaluate_token(record, NOW, active_elsewhere=elsewhere).status


def test_unknown_token() -> None:
    assert status(None) is AuthorizationStatus.UNKNOWN


def test_blocked_wins_over_expired() -> None:
    record = TokenRecord("A", blocked=True, expires_at=NOW - timedelta(days=1))
    assert status(record) is AuthorizationStatus.BLOCKED


def test_expired_at_the_instant_of_expiry() -> None:
    assert status(TokenRecord("A", expires_at=NOW)) is AuthorizationStatus.EXPIRED
    assert status(TokenRecord("A", expires_at=NOW + timedelta(seconds=1))).value == "accepted"


def test_concurrent_use_needs_permission() -> None:
    assert status(TokenRecord("A"), elsewhere=True) is AuthorizationStatus.CONCURRENT_TX
    assert status(TokenRecord("A", allow_concurrent=True), elsewhere=True).value == "accepted"
