"""Use cases. The only place business rules live; both OCPP versions call into these."""
