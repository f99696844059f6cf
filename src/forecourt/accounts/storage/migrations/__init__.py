"""The accounts branch of the schema (0041_accounts)."""
