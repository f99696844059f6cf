"""Storage tests: one repository contract suite on SQLite and PostgreSQL."""
