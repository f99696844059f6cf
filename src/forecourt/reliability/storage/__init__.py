"""Reliability's storage adapters: tables, repositories and its Alembic branch."""
