"""Reliability's Alembic revisions, a branch off the core's first (Alembic ignores this)."""
