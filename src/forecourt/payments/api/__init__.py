"""Payments' REST routes (``routes``) and their request/response models (``schemas``)."""
