"""Plug & Charge use cases."""
