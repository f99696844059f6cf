"""All configuration in one place: environment variables ``FORECOURT_*`` and CLI flags."""

from __future__ import annotations

import ipaddress
import os
import socket
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from forecourt.domain.stations import RegistrationPolicy

#: The shipped secret key: ``forecourt serve`` refuses it (anyone could forge sessions).
DEFAULT_SECRET_KEY = "change-me-in-production"
MIN_SECRET_KEY_LENGTH = 16
#: The OCPP-J subprotocols Forecourt speaks, in the default order of preference.
OCPP_PROTOCOLS = ("ocpp2.1", "ocpp2.0.1", "ocpp1.6")


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class PaymentProviderName(StrEnum):
    TEST = "test"
    STRIPE = "stripe"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FORECOURT_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address to bind (HTTP API and OCPP websocket).")
    port: int = Field(9000, ge=0, le=65535, description="Port to bind.")
    database_url: str = Field(
        "sqlite:///./forecourt.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+asyncpg://user@host/db.",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        "FULL",
        description="SQLite PRAGMA synchronous: FULL keeps every acknowledged commit through a "
        "power loss; NORMAL is faster and may lose the last ones (see SQLite durability).",
    )
    group_commit_max_delay: float = Field(
        0.002,
        ge=0,
        le=1,
        description="SQLite group commit: the longest a committed unit of work waits for "
        "others to share its database transaction (s); see ADR 0008.",
    )
    group_commit_max_units: int = Field(
        200,
        ge=1,
        description="SQLite group commit: units of work per shared transaction at most; "
        "1 turns grouping off (one transaction and fsync per unit of work).",
    )
    heartbeat_interval: int = Field(300, ge=10, description="Heartbeat interval given at boot (s).")
    pending_retry_interval: int = Field(60, ge=5, description="Boot retry interval when Pending.")
    boot_interval_jitter: float = Field(
        0.2,
        ge=0.0,
        lt=1.0,
        description="Right after start-up, the interval given at boot is cut by a random share "
        "of up to this fraction (0: never), so stations that all rebooted together spread out.",
    )
    boot_interval_jitter_window: float = Field(
        300.0, ge=0.0, description="How long after start-up boots get a jittered interval (s)."
    )
    registration_policy: RegistrationPolicy = Field(
        RegistrationPolicy.STRICT,
        description="Unknown stations: strict (refuse), pending (await approval), auto (accept).",
    )
    require_station_password: bool = Field(
        False, description="Refuse stations that have no password set (security profile 1+)."
    )
    max_pending_stations: int = Field(
        1000,
        ge=0,
        description="Policy pending: self-registered stations awaiting approval at most; "
        "further unknown stations are refused (503) until an operator decides.",
    )
    max_stored_payload_bytes: int = Field(
        16384,
        ge=1024,
        description="Station payloads kept as records (DataTransfer, NotifyReport...): larger "
        "values are cut, with their size and SHA-256 kept.",
    )
    protocols: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(OCPP_PROTOCOLS),
        description="Offered OCPP subprotocols in order of preference (ocpp2.1, ocpp2.0.1, "
        "ocpp1.6; any subset, any order).",
    )
    ws_ping_interval: float = Field(
        30.0, gt=0, description="WebSocket ping interval (s), independent of OCPP Heartbeat."
    )
    ws_ping_timeout: float = Field(30.0, gt=0, description="Close a socket whose pong is late (s).")
    ws_max_message_size: int = Field(
        1 << 20,
        ge=4096,
        description="Largest inbound websocket message (bytes); bigger ones close with 1009.",
    )
    call_timeout: float = Field(30.0, gt=0, description="Timeout of a CSMS-initiated call (s).")
    local_auth_sweep_interval: float = Field(
        30.0,
        gt=0,
        description="How often reservations are expired and missed local-list updates retried (s).",
    )
    handler_timeout: float = Field(
        60.0,
        gt=0,
        description="Longest a station's message may take to handle before InternalError.",
    )
    max_concurrent_handshakes: int = Field(
        32,
        ge=1,
        description="Admission control: handshakes (and connect/disconnect bookkeeping) at once.",
    )
    max_queued_handshakes: int = Field(
        500,
        ge=0,
        description="Handshakes waiting for their turn; beyond it, refused with 503 at once.",
    )
    max_handshakes_per_second: float = Field(
        100.0,
        ge=0,
        description="New handshakes started per second; the rest wait their turn (0: no pace).",
    )
    handshake_max_loop_lag: float = Field(
        0.02,
        ge=0,
        description="New handshakes wait while one turn of the event loop takes longer (s; "
        "0: never), so connected stations keep their latency during churn.",
    )
    handshake_timeout: float = Field(
        10.0,
        gt=0,
        description="A socket must send its request head, and be admitted, within this (s).",
    )
    first_message_timeout: float | None = Field(
        None,
        gt=0,
        description="A station silent this long after its handshake is closed (s); "
        "default heartbeat_interval + 60, as a reconnected station may wait for its Heartbeat.",
    )
    connected_write_grace: float = Field(
        2.0,
        ge=0,
        description="How long a new connection's stored \"connected\" waits for the station's "
        "BootNotification to write it in the same unit of work (s; 0: at the handshake).",
    )
    max_sockets_per_address: int = Field(
        500, ge=0, description="Open sockets allowed per source address (0: no cap)."
    )
    login_failures_before_backoff: int = Field(
        5, ge=1, description="Failed station logins (per address, per station id) before back-off."
    )
    login_backoff_initial: float = Field(
        2.0, gt=0, description="First login back-off (s); it doubles with each further failure."
    )
    login_backoff_max: float = Field(
        300.0,
        gt=0,
        description="Longest login back-off (s); quiet this long, failures are forgotten.",
    )
    station_reconnects_per_minute: int = Field(
        30, ge=1, description="Logins per station id per minute; more wait (429)."
    )
    ws_per_message_deflate: bool = Field(
        True,
        description="Offer permessage-deflate (OCPP 2.0.1 Part 4), without context takeover.",
    )
    gc_freeze: bool = Field(
        True,
        description="Move start-up objects out of the garbage collector's reach (shorter pauses).",
    )
    clock_drift_threshold: float = Field(60.0, gt=0, description="Station clock drift alert (s).")
    tls_certfile: Path | None = Field(None, description="TLS certificate (security profile 2).")
    tls_keyfile: Path | None = Field(None, description="TLS private key (security profile 2).")
    tls_second_certfile: Path | None = Field(
        None,
        description="A second TLS certificate of the other key type (ECDSA + RSA), so both"
        " TLS 1.2 cipher families of OCPP 2.0.1 A00.FR.318 work.",
    )
    tls_second_keyfile: Path | None = Field(None, description="The second certificate's key.")
    tls_client_ca_file: Path | None = Field(
        None,
        description="CA bundle (PEM) station client certificates are verified with: set, the"
        " OCPP endpoint asks for client certificates (security profile 3). `forecourt pki init`"
        " writes one.",
    )
    pki_organization: str = Field(
        "", description="The O station certificates must carry (OCPP A00.FR.413); empty: any."
    )
    pki_certificate_days: int = Field(365, ge=1, description="Validity of station certificates.")
    pki_renew_before_days: int = Field(
        30, ge=1, description="Ask a station for a new certificate this long before expiry."
    )
    pki_renewal_interval: float = Field(
        3600.0, gt=0, description="How often the certificate expiry watch looks (s)."
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING, ERROR.")
    log_format: LogFormat = Field(LogFormat.TEXT, description="text or json (one object per line).")
    secret_key: str = Field(
        DEFAULT_SECRET_KEY,
        description="Signs dashboard sessions and CSRF tokens; at least 16 characters. "
        "`forecourt serve` refuses the default; `forecourt demo` makes one.",
    )
    metrics_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1/128"],
        description="Networks (CIDR, comma-separated) that may read /metrics without a token.",
    )
    metrics_token: str | None = Field(
        None, description="Bearer token that lets any address read /metrics (Prometheus)."
    )

    # -- firmware and logs (docs/firmware.md) ---------------------------------------------------
    maintenance_public_url: str | None = Field(
        None,
        description="Base URL stations download firmware from and upload logs to "
        "(default http://HOST:PORT).",
    )
    data_dir: Path = Field(
        Path("./forecourt-data"), description="Where uploaded logs and firmware images are kept."
    )
    max_log_upload_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="Largest log file a station may upload (bytes)."
    )
    log_upload_ttl: float = Field(
        86400.0, gt=0, description="How long a log upload URL stays valid (s)."
    )
    max_firmware_image_bytes: int = Field(
        512 * 1024 * 1024, ge=1, description="Largest firmware image an operator may upload."
    )
    firmware_url_ttl: float = Field(
        86400.0, gt=0, description="How long a signed firmware download URL stays valid (s)."
    )
    firmware_campaign_interval: float = Field(
        30.0, gt=0, description="How often running firmware campaigns send what is due (s)."
    )

    # -- OCPI roaming (docs/ocpi.md) -------------------------------------------------------------
    ocpi_public_url: str | None = Field(
        None, description="Public base URL of the OCPI endpoints (default http://HOST:PORT)."
    )
    ocpi_country_code: str = Field(
        "US", pattern=r"^[A-Z]{2}$", description="Our OCPI country code (ISO 3166 alpha-2)."
    )
    ocpi_party_id: str = Field(
        "FCT", pattern=r"^[A-Z0-9]{3}$", description="Our OCPI party id (3 characters)."
    )
    ocpi_business_name: str = Field("Forecourt", description="Our name in OCPI credentials.")
    ocpi_push_retry: float = Field(
        5.0, gt=0, description="First retry of a failed OCPI push; doubles up to an hour (s)."
    )
    ocpi_feed_rate: float = Field(
        2.0, gt=0, description="Public OCPI locations feed: requests per second per client."
    )

    # -- payments (docs/payments.md) ------------------------------------------------------------
    payment_provider: PaymentProviderName = Field(
        PaymentProviderName.TEST,
        description="test (built-in, no real money) or stripe (set the FORECOURT_STRIPE_* keys).",
    )
    payments_public_url: str | None = Field(
        None,
        description="Public base URL of QR codes, receipts and card-page returns "
        "(default http://HOST:PORT).",
    )
    payments_start_timeout: float = Field(
        300.0, gt=0, description="An approved card hold with no session by then is released (s)."
    )
    payments_card_page_timeout: float = Field(
        900.0, gt=0, description="A scan-to-pay hold still waiting for the card is dropped (s)."
    )
    payments_station_settlement_timeout: float = Field(
        3600.0,
        gt=0,
        description="An OCPP 2.1 direct payment whose station has not reported its settlement "
        "(NotifySettlement) this long after the session's cost was fixed is escalated (s).",
    )
    payments_sweep_interval: float = Field(
        15.0, gt=0, description="How often the payment recovery pass runs (s)."
    )
    payments_running_cost_interval: float = Field(
        60.0, gt=0, description="Running cost sent to stations at most this often (s)."
    )
    payments_dynamic_qr_ttl: float = Field(
        120.0, gt=0, le=86_400, description="A dynamic QR code (OCPP 2.1 C25) expires after (s)."
    )
    payments_push_prices: bool = Field(
        True, description="Send prices and costs to stations that can display them."
    )
    stripe_api_key: str | None = Field(None, description="Stripe secret API key (sk_...).")
    stripe_webhook_secret: str | None = Field(
        None, description="Signing secret of the Stripe webhook endpoint (whsec_...)."
    )
    stripe_api_base: str | None = Field(
        None, description="Stripe API base URL override (tests, proxies); default Stripe's."
    )
    stripe_terminal_readers: dict[str, str] = Field(
        default_factory=dict,
        description='Card readers at dispensers, JSON {"STATION/EVSE": "tmr_..."}.',
    )
    test_provider_webhook_secret: str = Field(
        "whsec_forecourt_test", description="Signs the test provider's notifications."
    )
    test_provider_state_file: Path | None = Field(
        None, description="Keep the test provider's holds in this JSON file (survive restarts)."
    )
    test_provider_faults: str = Field(
        "", description="Test provider fault injection, e.g. capture=down*2 (docs/payments.md)."
    )
    smtp_host: str | None = Field(
        None, description="SMTP server for emailed receipts (off if unset)."
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port.")
    smtp_sender: str = Field("receipts@forecourt.invalid", description="From: of emailed receipts.")
    smtp_username: str | None = Field(None, description="SMTP login (optional).")
    smtp_password: str | None = Field(None, description="SMTP password (optional).")
    smtp_starttls: bool = Field(False, description="Use STARTTLS with the SMTP server.")
    operator_contact: str = Field(
        "", description="How drivers reach the operator, shown on receipts (phone, e-mail, URL)."
    )
    nats_url: str | None = Field(
        None,
        description="Cluster mode: the NATS server(s) (JetStream), e.g. nats://10.0.0.5:4222 "
        "(comma list for several). Unset: one process, in-memory presence. Needs PostgreSQL.",
    )
    node_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        description="This node's name in the cluster (default: host name and process id); "
        "give each node a stable one so a restart finds its own stale stations.",
    )
    cluster_name: str = Field(
        "forecourt",
        pattern=r"^[A-Za-z0-9_-]{1,32}$",
        description="Prefix of the cluster's NATS subjects and buckets: clusters sharing one "
        "NATS server keep apart by name.",
    )
    presence_lease: float = Field(
        15.0,
        ge=1.0,
        le=300.0,
        description="Cluster mode: how long a node's hold on a station (and the node's own "
        "heartbeat) lasts without renewal (s); a dead node's stations are free after this.",
    )
    outbox_orphan_after: float = Field(
        30.0,
        ge=1.0,
        le=3600.0,
        description="Cluster mode: a committed event still in the outbox this long after a "
        "node first saw it is delivered by that node (its own node died before publishing).",
    )
    v2g_root_certificates: Path | None = Field(
        None,
        description="Plug & Charge: PEM file of the trusted V2G and MO root certificates that "
        "contract certificates must chain to (none: every presented contract is Invalid).",
    )
    contract_pool_dir: Path | None = Field(
        None,
        description="Plug & Charge: a test V2G PKI directory (forecourt pnc test-pki) whose MO "
        "sub-CA the built-in contract pool issues from (Get15118EVCertificate).",
    )
    contract_pool_url: str | None = Field(
        None,
        description="Plug & Charge: an external contract-certificate pool's endpoint "
        "(docs/plug-and-charge.md); takes precedence over contract_pool_dir.",
    )
    ocsp_timeout: float = Field(
        5.0, gt=0, le=30, description="Plug & Charge: seconds to wait for an OCSP responder."
    )

    @field_validator("protocols", "metrics_allow", mode="before")
    @classmethod
    def _split_protocols(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("protocols")
    @classmethod
    def _known_protocols(cls, value: list[str]) -> list[str]:
        unknown = [p for p in value if p not in OCPP_PROTOCOLS]
        if unknown or not value or len(set(value)) != len(value):
            raise ValueError(
                f"protocols must be distinct values of {', '.join(OCPP_PROTOCOLS)}, got {value}"
            )
        return value

    @field_validator("metrics_allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError says what is wrong
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"unknown log level {value!r}")
        return value.upper()

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _upper_mode(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _cluster_needs_postgresql(self) -> Settings:
        if self.nats_url and not self.database_url.startswith("postgresql"):
            raise ValueError(
                "cluster mode (FORECOURT_NATS_URL) needs a shared PostgreSQL database: set "
                "FORECOURT_DATABASE_URL=postgresql+asyncpg://... (SQLite is one process only)"
            )
        return self

    @property
    def cluster_mode(self) -> bool:
        return bool(self.nats_url)

    @model_validator(mode="after")
    def _stripe_needs_keys(self) -> Settings:
        stripe = self.payment_provider is PaymentProviderName.STRIPE
        if stripe and not (self.stripe_api_key and self.stripe_webhook_secret):
            raise ValueError(
                "payment_provider stripe needs stripe_api_key and stripe_webhook_secret"
            )
        return self

    @model_validator(mode="after")
    def _second_certificate_in_pairs(self) -> Settings:
        second = (self.tls_second_certfile, self.tls_second_keyfile)
        if any(second) and not all(second):
            raise ValueError("tls_second_certfile and tls_second_keyfile go together")
        if any(second) and not self.tls_enabled:
            raise ValueError("a second TLS certificate needs tls_certfile and tls_keyfile")
        if self.tls_client_ca_file is not None and not self.tls_enabled:
            raise ValueError("tls_client_ca_file (profile 3) needs tls_certfile and tls_keyfile")
        return self

    @property
    def uses_default_secret_key(self) -> bool:
        return self.secret_key == DEFAULT_SECRET_KEY

    @property
    def effective_first_message_timeout(self) -> float:
        if self.first_message_timeout is not None:
            return self.first_message_timeout
        return self.heartbeat_interval + 60.0

    @property
    def tls_enabled(self) -> bool:
        return self.tls_certfile is not None and self.tls_keyfile is not None
