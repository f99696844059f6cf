"""Configuration of simulated stations: EVSEs, connectors, fault knobs.

Conventions
-----------
* EVSE ids start at 1. In OCPP 2.0.1 every EVSE reports each of its connectors
  (``evseId`` + ``connectorId``). OCPP 1.6 has no EVSE concept, so the simulator
  models **one 1.6 connector per EVSE**: 1.6 ``connectorId`` N is EVSE N, and a
  dispenser with a NACS and a CCS1 cable is one 1.6 connector (only one cable can
  charge at a time anyway). ``connectorId`` 0 is the station as a whole.
* All powers are in W, energies in Wh, times in seconds.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Literal

ConnectorType = Literal["nacs", "ccs1", "ccs2", "j1772", "type2", "chademo"]
ProtocolVersion = Literal["1.6", "2.0.1", "2.1"]

CONNECTOR_TYPES: tuple[ConnectorType, ...] = ("nacs", "ccs1", "ccs2", "j1772", "type2", "chademo")
PROTOCOL_VERSIONS: tuple[ProtocolVersion, ...] = ("1.6", "2.0.1", "2.1")
DC_CONNECTORS: frozenset[ConnectorType] = frozenset({"nacs", "ccs1", "ccs2", "chademo"})
SUBPROTOCOLS: dict[ProtocolVersion, str] = {
    "1.6": "ocpp1.6",
    "2.0.1": "ocpp2.0.1",
    "2.1": "ocpp2.1",
}


@dataclass
class EvseFaults:
    """Hardware faults of one EVSE, read by the power model on every tick (mutable at runtime).

    * ``derate_factor`` – thermal derating: the EVSE delivers only this fraction of
      min(vehicle request, EVSE rating) and honestly advertises
      ``Power.Offered = rating × factor``.
    * ``power_cap_w`` – a failed power module: delivered power is hard-capped at this value
      while ``Power.Offered`` still claims the full rating (a *silent* fault a detector must
      find from delivered power alone).
    * ``latch_failure`` – the connector latch does not lock: every session ends a couple of
      seconds after it starts, with zero energy (2.0.1 ``EVConnectTimeout``/``Timeout``,
      1.6 reason ``Other``), and the connector goes back to Available with no error code.
    """

    derate_factor: float = 1.0
    power_cap_w: float | None = None
    latch_failure: bool = False


@dataclass
class StationFaults:
    """Station-wide faults (mutable at runtime).

    * ``card_reader_dead`` – local card taps are never read: no Authorize is sent and the
      driver gives up and unplugs. Remote (app) starts still work.
    * ``half_open`` – the station stops answering CSMS calls and websocket pings but keeps
      sending its own Heartbeats (a half-open socket as seen from the CSMS).
    * ``silent`` – the station accepts nothing new: no local or remote sessions, while its
      connectors still say Available.
    * ``firmware_download_fails`` / ``firmware_install_fails`` /
      ``firmware_signature_invalid`` – a firmware update stops at that step (DownloadFailed,
      InstallationFailed, InvalidSignature with a SecurityEventNotification).
    * ``log_upload_refused`` – the station refuses to upload logs (Rejected / no fileName).
    * ``log_size_bytes`` – how big the log it uploads is.
    * ``ignores_profiles`` – charging profiles are Accepted but never applied (the station
      keeps delivering what the car asks: what the CSMS's verification must catch).
    """

    card_reader_dead: bool = False
    half_open: bool = False
    silent: bool = False
    firmware_download_fails: bool = False
    firmware_install_fails: bool = False
    firmware_signature_invalid: bool = False
    log_upload_refused: bool = False
    log_size_bytes: int = 2048
    ignores_profiles: bool = False  # accepts charging profiles, then draws as if it had none


@dataclass
class EvseConfig:
    """One EVSE (a dispenser side / charging port) with one or more connectors."""

    connectors: list[ConnectorType]
    max_power_w: float
    voltage_v: float | None = None  # AC supply voltage; None → 240 V AC (US split phase)
    faults: EvseFaults = field(default_factory=EvseFaults)

    @property
    def is_dc(self) -> bool:
        return any(connector in DC_CONNECTORS for connector in self.connectors)


def dc_dispenser(
    max_power_w: float = 150_000.0, connectors: tuple[ConnectorType, ...] = ("nacs", "ccs1")
) -> EvseConfig:
    """A DC fast-charging dispenser side, by default retrofitted with NACS next to CCS1."""
    return EvseConfig(connectors=list(connectors), max_power_w=max_power_w)


def ac_post(max_power_w: float = 11_520.0) -> EvseConfig:
    """A level-2 AC post with a J1772 cable (48 A at 240 V)."""
    return EvseConfig(connectors=["j1772"], max_power_w=max_power_w, voltage_v=240.0)


def chademo_dispenser(max_power_w: float = 50_000.0) -> EvseConfig:
    return EvseConfig(connectors=["chademo"], max_power_w=max_power_w)


def split_urls(urls: str) -> list[str]:
    """``ws://a/ocpp,ws://b/ocpp`` → both; a single URL → itself."""
    return [url.strip() for url in urls.split(",") if url.strip()] or [urls]


@dataclass
class StationConfig:
    """Everything a simulated station needs to know. ``url`` is the CSMS base URL; the
    station connects to ``{url}/{station_id}``. A comma list names several CSMS nodes: the
    station fails over to the next one when a connection fails or drops."""

    station_id: str
    protocol: ProtocolVersion = "1.6"
    url: str = "ws://127.0.0.1:9000/ocpp"
    password: str | None = None
    vendor: str = "Forecourt"
    model: str = "SimDC-150"
    firmware: str = "1.0.0"
    serial: str | None = None
    evses: list[EvseConfig] = field(default_factory=lambda: [dc_dispenser()])
    id_tags: list[str] = field(default_factory=lambda: ["SIMTAG0001"])
    meter_interval_s: float = 10.0
    heartbeat_interval_s: float = 60.0  # used until the CSMS returns its own interval
    speed: float = 1.0  # vehicle-time seconds per real second (energy only; clocks stay real)
    think_time_s: float = 1.0  # real pause between driver / handshake steps
    call_timeout_s: float = 30.0
    boot_retry_s: float = 30.0  # when the CSMS returns interval 0 or does not answer
    reconnect_delay_s: float = 5.0  # first retry; doubles per failure (max 60 s), ±50 % jitter
    reboot_delay_s: float = 1.0
    ws_ping_interval_s: float | None = 20.0
    initial_register_wh: float | None = None  # None → a stable value derived from station_id
    transaction_attempts: int = 3  # like 1.6 TransactionMessageAttempts
    # Deliberately non-compliant wire behaviour, to exercise a CSMS's lenient paths: no
    # subprotocol in the handshake, 40-character message ids, and (after BootNotification)
    # an undefined payload property plus lower-case status enums. Pair it with model
    # "Simulator-Lenient", the entry in Forecourt's quirk table.
    sloppy: bool = False
    # OCPP 2.1 only: a card terminal at the dispenser (C18). A driver's card is
    # pre-authorised locally and presented as a DirectPayment token; the station settles the
    # CSMS's totalCost with NotifySettlement at the end. ``card_decline_rate`` of the cards
    # (0-1) the terminal declines: nothing reaches the CSMS and the session never charges.
    card_terminal: bool = False
    card_decline_rate: float = 0.0
    # OCPP 2.0.1/2.1: a signing (Eichrecht-style) meter: a transaction's begin and end register
    # readings carry a signedMeterValue (OCMF, simulated signature; ``meter.signed_register``).
    signed_meter: bool = False
    # Security profile 3: the TLS client certificate chain and key files (replaced when the
    # CSMS signs a renewal), the CA file trusted for a wss:// CSMS, the O put in CSRs.
    client_cert: str | None = None
    client_key: str | None = None
    ca_file: str | None = None
    organization: str = ""

    @property
    def endpoint(self) -> str:
        return self.endpoints[0]

    @property
    def endpoints(self) -> list[str]:
        """One websocket URL per configured CSMS, in the order the station tries them."""
        return [f"{url.rstrip('/')}/{self.station_id}" for url in split_urls(self.url)]

    @property
    def subprotocol(self) -> str:
        return SUBPROTOCOLS[self.protocol]

    def starting_register_wh(self, evse_id: int) -> float:
        """Energy registers are lifetime counters; a station never starts at zero."""
        if self.initial_register_wh is not None:
            return self.initial_register_wh
        seed = zlib.crc32(f"{self.station_id}/{evse_id}".encode())
        return float(1_000_000 + seed % 9_000_000)

    def validate(self) -> None:
        if self.protocol not in PROTOCOL_VERSIONS:
            raise ValueError(f"protocol must be one of {PROTOCOL_VERSIONS}, not {self.protocol!r}")
        if not self.evses:
            raise ValueError("a station needs at least one EVSE")
        for evse in self.evses:
            unknown = [c for c in evse.connectors if c not in CONNECTOR_TYPES]
            if unknown or not evse.connectors:
                raise ValueError(f"bad connector list {evse.connectors!r}")
        if not self.id_tags or any(len(tag) > 20 for tag in self.id_tags):
            raise ValueError("id_tags must be 1-20 characters (the OCPP 1.6 idTag limit)")
        if self.speed <= 0 or self.meter_interval_s <= 0:
            raise ValueError("speed and meter_interval_s must be positive")
