"""Alembic migrations, packaged so ``Database.migrate()`` needs no alembic.ini."""
