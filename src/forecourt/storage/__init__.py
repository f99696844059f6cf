"""Persistence: SQLAlchemy 2 (async) implementation of ``forecourt.ports.repositories``.

SQLite by default, PostgreSQL when a network outgrows one machine; Alembic migrations.
"""

from forecourt.storage.database import Database, migrate_sync
from forecourt.storage.uow import SqlUnitOfWork

__all__ = ["Database", "SqlUnitOfWork", "migrate_sync"]
