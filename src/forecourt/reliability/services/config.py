"""Reliability settings kept in the database: thresholds (defaults and per station model),
SLA clocks, the SMTP server and alert pacing. Operators change them at run time (API, CLI);
the monitor picks changes up at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from forecourt.domain.errors import InvalidInput
from forecourt.ports.delivery import SmtpSettings
from forecourt.reliability.domain.model import Severity
from forecourt.reliability.domain.thresholds import Thresholds, checked_overrides, resolve
from forecourt.reliability.domain.tickets import DEFAULT_SLA, SlaPolicy
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.services.context import ServiceContext

_DEFAULTS_KEY = "thresholds:*"
_MODEL_PREFIX = "thresholds:model:"
_SLA_KEY = "sla"
_SMTP_KEY = "smtp"
_ALERTS_KEY = "alerts"


@dataclass(frozen=True, slots=True)
class AlertPacing:
    group_window_s: float = 60.0  # alerts for one route and site within this become one
    backoff_base_s: float = 30.0  # first retry delay after a failed delivery (doubles)
    poll_s: float = 5.0  # how often the outbox is checked (also woken on new alerts)
    timeout_s: float = 10.0  # per delivery attempt


@dataclass(frozen=True, slots=True)
class ReliabilitySettings:
    defaults: Thresholds = field(default_factory=Thresholds)
    per_model: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sla: SlaPolicy = DEFAULT_SLA
    smtp: SmtpSettings | None = None
    pacing: AlertPacing = field(default_factory=AlertPacing)

    def thresholds_for(self, model: str) -> Thresholds:
        return resolve(self.defaults, self.per_model, model)


class ReliabilityConfig:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        policy = ctx.policy
        # Core settings the detectors must agree with: what stations were told, and the
        # drift the core itself alerts on.
        self._base = Thresholds(
            heartbeat_interval_s=float(policy.heartbeat_interval_s),
            clock_drift_s=policy.clock_drift_threshold_s,
        )
        self.current = ReliabilitySettings(defaults=self._base)
        self._listeners: list[Callable[[ReliabilitySettings], None]] = []

    def on_change(self, listener: Callable[[ReliabilitySettings], None]) -> None:
        self._listeners.append(listener)

    async def load(self) -> ReliabilitySettings:
        async with self._ctx.uow() as uow:
            stored = await uow.repository(RELIABILITY_STORE).config.with_prefix("")
        self.current = _settings(self._base, stored)
        self._notify()
        return self.current

    async def set_thresholds(self, model: str | None, overrides: Mapping[str, Any]) -> Thresholds:
        """Merge overrides for a model (None: the defaults of every model); {} resets them."""
        try:
            checked = checked_overrides(overrides)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        key = _DEFAULTS_KEY if model is None else _MODEL_PREFIX + model
        await self._put(key, checked, merge=bool(checked))
        await self.load()
        return self.current.defaults if model is None else self.current.thresholds_for(model)

    async def set_sla(self, severity: Severity, acknowledge_s: float, resolve_s: float) -> None:
        if acknowledge_s <= 0 or resolve_s <= 0:
            raise InvalidInput("SLA times must be positive")
        await self._put(_SLA_KEY, {severity.value: [acknowledge_s, resolve_s]}, merge=True)
        await self.load()

    async def set_smtp(self, smtp: SmtpSettings) -> None:
        if not smtp.host or not 0 < smtp.port < 65536:
            raise InvalidInput("an SMTP server needs a host and a port 1-65535")
        value = {
            "host": smtp.host,
            "port": smtp.port,
            "sender": smtp.sender,
            "username": smtp.username,
            "password": smtp.password,
            "starttls": smtp.starttls,
            "timeout_s": smtp.timeout_s,
        }
        await self._put(_SMTP_KEY, value, merge=False)
        await self.load()

    async def set_pacing(self, **values: float) -> AlertPacing:
        known = set(AlertPacing.__dataclass_fields__)
        if set(values) - known or any(v < 0 for v in values.values()):
            raise InvalidInput(f"alert pacing takes non-negative {', '.join(sorted(known))}")
        await self._put(_ALERTS_KEY, {k: float(v) for k, v in values.items()}, merge=True)
        await self.load()
        return self.current.pacing

    async def _put(self, key: str, value: dict[str, Any], *, merge: bool) -> None:
        async with self._ctx.uow() as uow:
            stored = (
                (await uow.repository(RELIABILITY_STORE).config.get(key) or {}) if merge else {}
            )
            await uow.repository(RELIABILITY_STORE).config.put(
                key, {**stored, **value}, self._ctx.clock.now()
            )
            await uow.commit()

    def _notify(self) -> None:
        for listener in self._listeners:
            listener(self.current)


def _settings(base: Thresholds, stored: Mapping[str, dict[str, Any]]) -> ReliabilitySettings:
    defaults = base.with_overrides(stored.get(_DEFAULTS_KEY, {}))
    per_model = {
        key.removeprefix(_MODEL_PREFIX): value
        for key, value in stored.items()
        if key.startswith(_MODEL_PREFIX)
    }
    smtp = stored.get(_SMTP_KEY)
    return ReliabilitySettings(
        defaults=defaults,
        per_model=per_model,
        sla=_sla(stored.get(_SLA_KEY, {})),
        smtp=SmtpSettings(**smtp) if smtp else None,
        pacing=replace(AlertPacing(), **stored.get(_ALERTS_KEY, {})),
    )


def _sla(stored: Mapping[str, Any]) -> SlaPolicy:
    acknowledge = dict(DEFAULT_SLA.acknowledge_s)
    resolve_s = dict(DEFAULT_SLA.resolve_s)
    for name, (ack, res) in stored.items():
        acknowledge[Severity(name)], resolve_s[Severity(name)] = float(ack), float(res)
    return SlaPolicy(acknowledge, resolve_s)
