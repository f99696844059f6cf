"""Imports every feature's table module so ``tables.metadata`` is complete.

Features (users, reliability, payments...) keep their tables in their own module on the shared
``metadata`` and their own Alembic revision branching from the core ``0001``; ``migrate()``
upgrades all heads. Add one import line here per feature.
"""

import forecourt.storage.payments_tables
import forecourt.storage.reliability_tables
import forecourt.storage.users  # noqa: F401
