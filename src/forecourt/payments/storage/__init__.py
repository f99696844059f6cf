"""Payments' storage adapters: tables, repositories and the Alembic branch (``migrations/``)."""
