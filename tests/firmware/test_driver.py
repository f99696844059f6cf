"""Campaigns driven by ``tick(now)`` over real services and SQLite; stations answer from a
script and report progress as firmware-status events."""

from __future__ import annotations

import pytest

from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus, UpdateFirmware
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.maintenance import FirmwareReport, FirmwareState
from forecourt.domain.tokens import IdToken, TokenKind
from forecourt.firmware.domain.campaigns import (
    CampaignStatus,
    NightWindow,
    Selection,
    TargetStatus,
)
from forecourt.firmware.services.campaigns import CampaignSpec
from forecourt.services.transactions import TransactionStart
from tests.firmware.conftest import FirmwareRig

pytestmark = pytest.mark.asyncio


async def _image(fw: FirmwareRig, version: str = "2.0") -> int:
    image = await fw.firmware.images.reference(version, f"https://fw.example/{version}.bin")
    return image.id


async def _campaign(fw: FirmwareRig, **spec: object) -> int:
    image_id = spec.pop("image_id", None) or await _image(fw)
    campaign = await fw.firmware.campaigns.create(CampaignSpec("roll", image_id, **spec))  # type: ignore[arg-type]
    return campaign.id


async def _statuses(fw: FirmwareRig, campaign_id: int) -> dict[str, str]:
    detail = await fw.firmware.campaigns.detail(campaign_id)
    return {t.station_id: t.status.value for t in detail.targets}


async def _campaign_status(fw: FirmwareRig, campaign_id: int) -> CampaignStatus:
    return (await fw.firmware.campaigns.detail(campaign_id)).campaign.status


def _sent_to(fw: FirmwareRig) -> list[str]:
    return [sid for sid, command, _ in fw.gateway.sent if isinstance(command, UpdateFirmware)]


async def test_canary_first_then_the_rest_until_completed(fw: FirmwareRig) -> None:
    for sid in ("A", "B", "C", "D"):
        await fw.station(sid)
    cid = await _campaign(fw, canary_percent=25)
    await fw.tick()
    assert _sent_to(fw) == ["A"]
    await fw.tick(30)
    assert _sent_to(fw) == ["A"]  # the canary has not finished
    await fw.report("A", FirmwareState.DOWNLOADING)
    assert (await _statuses(fw, cid))["A"] == "in_progress"
    await fw.report("A", FirmwareState.INSTALLED)
    await fw.tick(30)
    assert sorted(_sent_to(fw)) == ["A", "B", "C", "D"]
    for sid in ("B", "C", "D"):
        await fw.report(sid, FirmwareState.INSTALLED)
    await fw.tick(30)
    assert set((await _statuses(fw, cid)).values()) == {"succeeded"}
    assert await _campaign_status(fw, cid) is CampaignStatus.COMPLETED


async def test_the_station_is_sent_the_image_location_and_its_previous_version_is_kept(
    fw: FirmwareRig,
) -> None:
    await fw.station("A", version="1.0")
    cid = await _campaign(fw, canary_percent=0)
    await fw.tick()
    _, command, _ = fw.gateway.sent[-1]
    assert isinstance(command, UpdateFirmware)
    assert command.location == "https://fw.example/2.0.bin"
    detail = await fw.firmware.campaigns.detail(cid)
    assert detail.targets[0].previous_version == "1.0"
    assert (await fw.services.core.maintenance.firmware("A")).target_version == "2.0"


async def test_download_failed_is_retried_after_the_delay_then_succeeds(fw: FirmwareRig) -> None:
    await fw.station("A")
    cid = await _campaign(fw, canary_percent=0, retry_delay_s=300, max_attempts=2)
    await fw.tick()
    await fw.report("A", FirmwareState.DOWNLOAD_FAILED)
    assert (await _statuses(fw, cid))["A"] == "retry_wait"
    await fw.tick(299)
    assert len(_sent_to(fw)) == 1
    await fw.tick(1)
    assert len(_sent_to(fw)) == 2
    await fw.report("A", FirmwareState.INSTALLED)
    await fw.tick()
    assert await _campaign_status(fw, cid) is CampaignStatus.COMPLETED


async def test_installation_failed_on_the_last_attempt_fails_and_pauses(fw: FirmwareRig) -> None:
    await fw.station("A")
    await fw.station("B")
    cid = await _campaign(fw, canary_percent=50, max_attempts=1, failure_threshold=0)
    await fw.tick()
    await fw.report("A", FirmwareState.INSTALLATION_FAILED)
    assert (await _statuses(fw, cid))["A"] == "failed"
    await fw.tick()
    detail = await fw.firmware.campaigns.detail(cid)
    assert detail.campaign.status is CampaignStatus.PAUSED
    assert "1 stations failed" in detail.campaign.status_reason
    assert _sent_to(fw) == ["A"]  # B was never sent: the canary stopped the rollout


async def test_auto_pause_waits_for_the_threshold_then_resume_goes_on(fw: FirmwareRig) -> None:
    for sid in ("A", "B", "C"):
        await fw.station(sid)
    cid = await _campaign(fw, canary_percent=0, max_attempts=1, failure_threshold=1)
    await fw.tick()
    await fw.report("A", FirmwareState.INVALID_SIGNATURE)
    await fw.tick()
    assert await _campaign_status(fw, cid) is CampaignStatus.RUNNING  # 1 is not over 1
    await fw.report("B", FirmwareState.DOWNLOAD_FAILED)
    await fw.tick()
    assert await _campaign_status(fw, cid) is CampaignStatus.PAUSED
    with pytest.raises(Conflict):
        await fw.firmware.campaigns.pause(cid)
    await fw.firmware.campaigns.resume(cid)
    await fw.tick()
    assert await _campaign_status(fw, cid) is CampaignStatus.PAUSED  # still over the threshold


async def test_a_station_that_never_reports_fails_after_the_progress_timeout(
    fw: FirmwareRig,
) -> None:
    await fw.station("A")
    cid = await _campaign(fw, canary_percent=0, max_attempts=2, progress_timeout_s=600)
    await fw.tick()
    await fw.tick(599)
    assert (await _statuses(fw, cid))["A"] == "sent"
    await fw.tick(1)
    detail = await fw.firmware.campaigns.detail(cid)
    assert detail.targets[0].status is TargetStatus.RETRY_WAIT
    assert "no progress reported for 600 s" in detail.targets[0].detail


async def test_a_station_refusing_the_update_counts_as_an_attempt(fw: FirmwareRig) -> None:
    await fw.station("A")
    fw.gateway.answers[CommandKind.UPDATE_FIRMWARE] = CommandResult(CommandStatus.REJECTED)
    cid = await _campaign(fw, canary_percent=0, max_attempts=1, failure_threshold=5)
    await fw.tick()
    detail = await fw.firmware.campaigns.detail(cid)
    assert detail.targets[0].status is TargetStatus.FAILED
    assert "rejected" in detail.targets[0].detail


async def test_offline_stations_wait_without_using_an_attempt(fw: FirmwareRig) -> None:
    await fw.station("A")
    fw.gateway.connected.discard("A")
    cid = await _campaign(fw, canary_percent=0, max_attempts=1)
    await fw.tick()
    detail = await fw.firmware.campaigns.detail(cid)
    assert (detail.targets[0].status, detail.targets[0].attempts) == (TargetStatus.PENDING, 0)
    fw.gateway.connected.add("A")
    await fw.tick(30)
    assert (await _statuses(fw, cid))["A"] == "sent"


async def test_never_during_a_session(fw: FirmwareRig) -> None:
    await fw.station("A")
    tx = await fw.services.core.transactions.start(
        "A",
        TransactionStart(
            evse_id=1,
            connector_id=1,
            timestamp=fw.clock.now(),
            id_token=IdToken("TAG", TokenKind.CENTRAL),
            meter_start_wh=0,
        ),
    )
    assert tx.transaction is not None
    cid = await _campaign(fw, canary_percent=0)
    await fw.tick()
    assert _sent_to(fw) == []
    assert (await _statuses(fw, cid))["A"] == "pending"


async def test_night_window_in_the_sites_time_zone(fw: FirmwareRig) -> None:
    await fw.site("LA", "America/Los_Angeles")  # 12:00 UTC is 04:00 in Los Angeles
    await fw.station("A", site="LA")
    await _campaign(fw, canary_percent=0, window=NightWindow(1, 3))
    await fw.tick()
    assert _sent_to(fw) == []  # 04:00 there: outside 01-03
    await fw.tick(22 * 3600)  # 10:00 UTC next day is 02:00 there
    assert _sent_to(fw) == ["A"]


async def test_targets_by_model_site_and_current_version(fw: FirmwareRig) -> None:
    await fw.site("N", "UTC")
    await fw.station("A", model="M1", version="1.0", site="N")
    await fw.station("B", model="M2", version="1.0", site="N")
    await fw.station("C", model="M1", version="1.1", site="N")
    await fw.station("D", model="M1", version="1.0")
    cid = await _campaign(fw, selection=Selection(model="M1", site_id="N", current_version="1.0"))
    assert await _statuses(fw, cid) == {"A": "pending"}
    with pytest.raises(InvalidInput, match="no station matches"):
        await _campaign(fw, selection=Selection(model="NOPE"))


async def test_progress_of_another_request_does_not_move_the_target(fw: FirmwareRig) -> None:
    await fw.station("A")
    cid = await _campaign(fw, canary_percent=0)
    await fw.tick()
    report = FirmwareReport(FirmwareState.INSTALLED, request_id=999)
    await fw.services.core.maintenance.firmware_status("A", report)
    await fw.bus.drain()
    assert (await _statuses(fw, cid))["A"] == "sent"


async def test_cancel_skips_what_was_not_sent(fw: FirmwareRig) -> None:
    await fw.station("A")
    await fw.station("B")
    cid = await _campaign(fw, canary_percent=50)
    await fw.tick()
    await fw.firmware.campaigns.cancel(cid)
    assert await _statuses(fw, cid) == {"A": "sent", "B": "skipped"}
    await fw.tick(3600)
    assert _sent_to(fw) == ["A"]
    with pytest.raises(Conflict):
        await fw.firmware.campaigns.resume(cid)


async def test_rollback_creates_a_campaign_to_the_previous_image(fw: FirmwareRig) -> None:
    await fw.station("A", version="1.0")
    old = await _image(fw, "1.0")
    cid = await _campaign(fw, canary_percent=0)
    await fw.tick()
    await fw.report("A", FirmwareState.INSTALLED)
    [back] = await fw.firmware.campaigns.rollback(cid)
    detail = await fw.firmware.campaigns.detail(back.id)
    assert (detail.image.id, detail.campaign.rollback_of) == (old, cid)
    assert [t.station_id for t in detail.targets] == ["A"]


async def test_rollback_needs_the_old_image(fw: FirmwareRig) -> None:
    await fw.station("A", version="0.9")
    cid = await _campaign(fw, canary_percent=0)
    with pytest.raises(Conflict, match="nothing to roll back"):
        await fw.firmware.campaigns.rollback(cid)
    await fw.tick()
    with pytest.raises(Conflict, match=r"version 0\.9"):
        await fw.firmware.campaigns.rollback(cid)


async def test_bad_specs_are_refused(fw: FirmwareRig) -> None:
    await fw.station("A")
    with pytest.raises(NotFound):
        await fw.firmware.campaigns.create(CampaignSpec("x", 12345))
    image_id = await _image(fw)
    with pytest.raises(InvalidInput, match="canary_percent"):
        await fw.firmware.campaigns.create(CampaignSpec("x", image_id, canary_percent=150))
    with pytest.raises(InvalidInput, match="window"):
        await fw.firmware.campaigns.create(CampaignSpec("x", image_id, window=NightWindow(25, 3)))
