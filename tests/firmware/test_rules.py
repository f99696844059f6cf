"""The pure campaign rules: waves, what is due, night windows, retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forecourt.firmware.domain.campaigns import (
    Campaign,
    CampaignStatus,
    NightWindow,
    Target,
    TargetStatus,
    after_failure,
    assign_waves,
    plan,
)
from forecourt.firmware.domain.images import download_signature, valid_download

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("count", "canary", "wave_size", "expected"),
    [
        (10, 10, 0, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        (10, 20, 3, [0, 0, 1, 1, 1, 2, 2, 2, 3, 3]),
        (3, 1, 0, [0, 1, 1]),  # at least one canary
        (2, 100, 0, [0, 0]),
        (4, 0, 2, [0, 0, 1, 1]),  # no canary: waves from the start
        (0, 10, 0, []),
    ],
)
def test_waves(count: int, canary: int, wave_size: int, expected: list[int]) -> None:
    ids = [f"S{i}" for i in range(count)]
    assert assign_waves(ids, canary, wave_size) == expected


def _campaign(**changes: object) -> Campaign:
    campaign = Campaign("c", 1, NOW, id=1)
    for name, value in changes.items():
        setattr(campaign, name, value)
    return campaign


def test_the_next_wave_waits_for_the_earlier_one_to_finish() -> None:
    targets = [Target(1, "A", 0), Target(1, "B", 1), Target(1, "C", 1)]
    assert plan(_campaign(), targets, NOW).send == ("A",)
    targets[0].status = TargetStatus.IN_PROGRESS
    assert plan(_campaign(), targets, NOW).send == ()
    targets[0].status = TargetStatus.SUCCEEDED
    assert plan(_campaign(), targets, NOW).send == ("B", "C")


def test_failures_past_the_threshold_pause_and_all_done_completes() -> None:
    targets = [Target(1, "A", 0, TargetStatus.FAILED), Target(1, "B", 1)]
    assert plan(_campaign(failure_threshold=1), targets, NOW).send == ("B",)
    assert "1 stations failed" in plan(_campaign(), targets, NOW).pause_reason
    done = [Target(1, "A", 0, TargetStatus.SUCCEEDED), Target(1, "B", 0, TargetStatus.SKIPPED)]
    assert plan(_campaign(), done, NOW).complete


def test_a_sent_station_silent_past_the_timeout_is_reported() -> None:
    campaign = _campaign(progress_timeout_s=600)
    quiet = Target(1, "A", 0, TargetStatus.SENT, updated_at=NOW - timedelta(seconds=600))
    talking = Target(1, "B", 0, TargetStatus.IN_PROGRESS, updated_at=NOW - timedelta(seconds=599))
    assert plan(campaign, [quiet, talking], NOW).silent == ("A",)


def test_a_paused_campaign_does_nothing() -> None:
    assert plan(_campaign(status=CampaignStatus.PAUSED), [Target(1, "A", 0)], NOW).send == ()


def test_retries_wait_then_fail_for_good() -> None:
    campaign = _campaign(max_attempts=2, retry_delay_s=60)
    target = Target(1, "A", 0, attempts=1)
    after_failure(campaign, target, NOW, "download_failed")
    assert target.status is TargetStatus.RETRY_WAIT
    assert plan(campaign, [target], NOW).send == ()
    assert plan(campaign, [target], NOW + timedelta(seconds=60)).send == ("A",)
    target.attempts = 2
    after_failure(campaign, target, NOW, "installation_failed")
    assert target.status is TargetStatus.FAILED


@pytest.mark.parametrize(
    ("start", "end", "inside", "outside"),
    [(22, 5, [22, 23, 0, 4], [5, 12, 21]), (1, 4, [1, 2, 3], [0, 4, 23])],
)
def test_night_windows(start: int, end: int, inside: list[int], outside: list[int]) -> None:
    window = NightWindow(start, end)
    assert all(window.contains(h) for h in inside)
    assert not any(window.contains(h) for h in outside)


def test_download_urls_are_signed_and_expire() -> None:
    signature = download_signature("secret", 7, 1000)
    assert valid_download("secret", 7, 1000, signature, now=999)
    assert not valid_download("secret", 7, 1000, signature, now=1001)  # expired
    assert not valid_download("secret", 8, 1000, signature, now=0)  # another image
    assert not valid_download("secret", 7, 2000, signature, now=0)  # extended by hand
    assert not valid_download("other", 7, 1000, signature, now=0)  # not our secret
