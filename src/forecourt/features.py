"""The installed feature slices: one line each (``docs/extending.md``).

Part of the composition root: ``bootstrap``, ``app`` and the CLI loop over :data:`FEATURES`,
so adding a feature is creating its package and adding its line here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from forecourt.accounts.feature import FEATURE as ACCOUNTS
from forecourt.compat.feature import FEATURE as COMPAT
from forecourt.firmware.feature import FEATURE as FIRMWARE
from forecourt.ocpi.feature import FEATURE as OCPI
from forecourt.payments.feature import FEATURE as PAYMENTS
from forecourt.pki.feature import FEATURE as PKI
from forecourt.plug_and_charge.feature import FEATURE as PLUG_AND_CHARGE
from forecourt.reliability.feature import FEATURE as RELIABILITY
from forecourt.smart_charging.feature import FEATURE as SMART_CHARGING

if TYPE_CHECKING:
    from forecourt.extension import Feature
    from forecourt.storage.database import StorageExtensions
    from forecourt.web.scope import Reach

#: The order in which a serving process starts them (and stops them in reverse), and in which
#: their routes and dashboard entries are added. Ports are found whatever the order.
FEATURES: tuple[Feature[Any], ...] = (
    RELIABILITY,
    PAYMENTS,
    COMPAT,
    FIRMWARE,
    SMART_CHARGING,
    PKI,
    PLUG_AND_CHARGE,
    ACCOUNTS,
    OCPI,
)


def storage_extensions(features: Sequence[Feature[Any]] = FEATURES) -> StorageExtensions:
    """Every feature's repositories and migration branch (cheap: nothing is imported yet)."""
    from forecourt.storage.database import StorageExtensions

    repositories: dict[Any, Any] = {}
    for feature in features:
        repositories.update(feature.repositories())
    migrations = tuple(f.migrations for f in features if f.migrations is not None)
    return StorageExtensions(repositories, migrations)


def load_tables() -> None:
    """Put every feature's tables on ``storage.tables.metadata``."""
    for feature in FEATURES:
        feature.load_tables()


def page_reach() -> Mapping[str, Reach]:
    """Every page route's reach: the core's (``web.scope.PAGE_REACH``) and each feature's."""
    from forecourt.web.scope import PAGE_REACH

    merged = dict(PAGE_REACH)
    for feature in FEATURES:
        merged.update(feature.page_reach())
    return merged


def public_api_routes() -> frozenset[str]:
    """API routes that need no key: the core's (``api.deps.PUBLIC_ROUTES``) and features'."""
    from forecourt.api.deps import PUBLIC_ROUTES

    return PUBLIC_ROUTES.union(*(feature.public_api_routes for feature in FEATURES))
