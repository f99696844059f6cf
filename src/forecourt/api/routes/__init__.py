"""One router per resource; ``forecourt.api.create_api`` includes them all under ``/api``."""
