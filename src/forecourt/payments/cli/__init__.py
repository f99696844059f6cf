"""``forecourt tariffs|payments|receipts``: payments' CLI commands (``commands``)."""
