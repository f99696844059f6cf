"""Version-neutral domain model. Standard library only: no I/O, no OCPP, no ORM."""
