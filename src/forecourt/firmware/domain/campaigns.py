"""Firmware campaigns: which stations get an image, in which wave, and what to do next.

Pure rules: the driver (``services.driver``) reads the state, asks :func:`plan` what to do at
``now``, and carries it out. Every decision is a function of the state and the time, so a
test drives a campaign by calling ``tick(now)`` with the times it chooses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class CampaignStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # by an operator or because failures passed the threshold
    CANCELLED = "cancelled"
    COMPLETED = "completed"

    @property
    def open(self) -> bool:
        return self in (CampaignStatus.RUNNING, CampaignStatus.PAUSED)


class TargetStatus(StrEnum):
    PENDING = "pending"  # not sent yet (its wave has not started, or outside the window)
    SENT = "sent"  # UpdateFirmware accepted; waiting for the station's progress
    IN_PROGRESS = "in_progress"  # downloading, installing...
    RETRY_WAIT = "retry_wait"  # failed, another attempt after ``next_attempt_at``
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # out of attempts
    SKIPPED = "skipped"  # the campaign was cancelled before it was sent

    @property
    def finished(self) -> bool:
        return self in (TargetStatus.SUCCEEDED, TargetStatus.FAILED, TargetStatus.SKIPPED)

    @property
    def waiting_to_send(self) -> bool:
        return self in (TargetStatus.PENDING, TargetStatus.RETRY_WAIT)


@dataclass(frozen=True, slots=True)
class NightWindow:
    """Send only between ``start_hour`` and ``end_hour`` in the site's time zone (may wrap)."""

    start_hour: int
    end_hour: int

    def contains(self, local_hour: int) -> bool:
        if self.start_hour <= self.end_hour:
            return self.start_hour <= local_hour < self.end_hour
        return local_hour >= self.start_hour or local_hour < self.end_hour


@dataclass(frozen=True, slots=True)
class Selection:
    """Which stations a campaign targets; empty fields match everything."""

    model: str = ""
    site_id: str = ""
    current_version: str = ""
    station_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class Campaign:
    name: str
    image_id: int
    created_at: datetime
    selection: Selection = field(default_factory=Selection)
    canary_percent: int = 10
    wave_size: int = 0  # stations per wave after the canary; 0: all the rest at once
    max_attempts: int = 3
    retry_delay_s: int = 600
    failure_threshold: int = 0  # pause once more stations than this have failed
    window: NightWindow | None = None
    progress_timeout_s: int = 7200  # a sent station silent this long counts as failed
    status: CampaignStatus = CampaignStatus.RUNNING
    status_reason: str = ""
    rollback_of: int | None = None
    created_by: str = ""
    id: int = 0


@dataclass(slots=True)
class Target:
    campaign_id: int
    station_id: str
    wave: int
    status: TargetStatus = TargetStatus.PENDING
    attempts: int = 0
    request_id: int = 0
    firmware_state: str = ""  # the station's last reported state, as neutral text
    previous_version: str = ""
    next_attempt_at: datetime | None = None
    updated_at: datetime | None = None
    detail: str = ""


def assign_waves(station_ids: Sequence[str], canary_percent: int, wave_size: int) -> list[int]:
    """Wave of each station, in order: a canary of ``canary_percent`` (at least one), then
    waves of ``wave_size`` (0: the rest together)."""
    count = len(station_ids)
    if count == 0:
        return []
    canary = min(count, max(1, math.ceil(count * canary_percent / 100))) if canary_percent else 0
    waves = [0] * canary
    rest = count - canary
    size = wave_size or rest or 1
    first = 1 if canary else 0
    waves.extend(first + i // size for i in range(rest))
    return waves


@dataclass(frozen=True, slots=True)
class Plan:
    """What the driver does now for one campaign."""

    send: tuple[str, ...] = ()  # station ids to send UpdateFirmware to
    silent: tuple[str, ...] = ()  # sent, but no progress within progress_timeout_s
    pause_reason: str = ""
    complete: bool = False


def plan(campaign: Campaign, targets: Sequence[Target], now: datetime) -> Plan:
    """Wave by wave: the next wave starts once every station of the earlier ones finished."""
    if campaign.status is not CampaignStatus.RUNNING:
        return Plan()
    failed = sum(t.status is TargetStatus.FAILED for t in targets)
    if failed > campaign.failure_threshold:
        return Plan(
            pause_reason=f"{failed} stations failed (threshold {campaign.failure_threshold})"
        )
    open_targets = [t for t in targets if not t.status.finished]
    if not open_targets:
        return Plan(complete=True)
    deadline = now - timedelta(seconds=campaign.progress_timeout_s)
    silent = tuple(
        t.station_id
        for t in open_targets
        if t.status in (TargetStatus.SENT, TargetStatus.IN_PROGRESS)
        and t.updated_at is not None
        and t.updated_at <= deadline
    )
    wave = min(t.wave for t in open_targets)
    due = tuple(
        t.station_id
        for t in open_targets
        if t.wave == wave
        and t.status.waiting_to_send
        and (t.next_attempt_at is None or t.next_attempt_at <= now)
    )
    return Plan(send=due, silent=silent)


def after_failure(campaign: Campaign, target: Target, now: datetime, detail: str) -> None:
    """Another attempt later, or failed for good once the attempts are used up."""
    target.detail = detail
    target.updated_at = now
    if target.attempts >= campaign.max_attempts:
        target.status = TargetStatus.FAILED
        target.next_attempt_at = None
    else:
        target.status = TargetStatus.RETRY_WAIT
        target.next_attempt_at = now + timedelta(seconds=campaign.retry_delay_s)
