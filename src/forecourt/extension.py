"""What a feature slice contributes to Forecourt, in one place (docs/extending.md).

A feature (reliability, payments, compat, ...) is one package with its own domain, services,
storage, API, web pages and CLI. Its ``feature.py`` holds one ``Feature`` subclass instance,
and ``forecourt.features.FEATURES`` lists it: that is the only line the core gains. The
composition root (``bootstrap``, ``app``, ``cli``) loops over the list; nothing else wires a
feature's adapters.

``feature.py`` is imported by ``forecourt --help``: it imports nothing heavy at module level.
Each hook imports its parts when called, so a command that never touches a feature never
imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.services.context import ServiceContext
    from forecourt.services.core import Services
    from forecourt.services.remote_control import RemoteControl
    from forecourt.services.throttle import BackOffThrottle
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach

S = TypeVar("S")
T = TypeVar("T")

#: Builds one repository for one unit of work, from that unit's connection.
RepositoryFactory = Callable[["DbContext"], object]


@dataclass(frozen=True, slots=True)
class CliCommand:
    """A top-level command a feature adds: the module whose ``register(app)`` defines it, and
    the one line ``forecourt --help`` shows (without importing that module)."""

    module: str
    short_help: str


@dataclass(frozen=True, slots=True)
class Host:
    """What building a feature's services may use: the core's context and remote control,
    the settings (``None`` when a test builds services without them) and options a caller
    passes in (``build_services(..., options={KEY: value})``), and other features' ports."""

    ctx: ServiceContext
    remote: RemoteControl
    settings: Settings | None
    options: Mapping[Key[Any], object]
    services: Services

    def option(self, key: Key[T]) -> T | None:
        return self.options.get(key)  # type: ignore[return-value]  # keyed by its own type

    def port(self, key: Key[T]) -> T | None:
        """A port another feature provides (``Feature.ports``), or ``None`` without it."""
        return self.services.port(key)


@dataclass(frozen=True)
class Feature(Generic[S]):
    """One feature slice. ``S`` is the type of its services (``services.feature(key)``).

    Subclasses override the hooks they need; every hook has a harmless default.
    """

    name: str
    key: Key[S]
    #: CLI top-level commands, by name.
    commands: Mapping[str, CliCommand] = field(default_factory=dict)
    #: Its Alembic versions directory: a branch off the core's first revision.
    migrations: Path | None = None
    #: API routes that need no API key (``api.deps.PUBLIC_ROUTES`` for the core's).
    public_api_routes: frozenset[str] = frozenset()
    #: Keys of the ports it offers other features (``ports``), known before it is built.
    offers: tuple[Key[Any], ...] = ()

    def page_reach(self) -> Mapping[str, Reach]:
        """Its dashboard and driver routes with their reach (``web.scope``): every page
        declares one (``tests/web/test_route_scopes.py`` holds the app to it)."""
        return {}

    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        """Its repositories, by key; importing them also puts its tables on the metadata."""
        return {}

    def build(self, host: Host) -> S:
        """Its services; called at most once per ``Services``, the first time one is asked."""
        raise NotImplementedError(f"feature {self.name!r} has no services")

    def ports(self, built: S) -> Mapping[Key[Any], object]:
        """Ports it offers other features (keys declared in ``forecourt.ports``)."""
        return {}

    async def start(self, built: S) -> None:
        """Background work for a serving process (``forecourt serve``), e.g. subscriptions."""

    async def stop(self, built: S) -> None:
        """Undo ``start``."""

    def install_api(self, router: APIRouter, services: Services) -> None:
        """Add its routes to the ``/api`` router."""

    def install_web(self, app: FastAPI, services: Services, settings: Settings) -> None:
        """Add its pages, navigation entries and slot templates (``docs/web.md``)."""

    def throttles(self, built: S) -> Mapping[str, BackOffThrottle]:
        """Its rate limiters, exported as metrics."""
        return {}
