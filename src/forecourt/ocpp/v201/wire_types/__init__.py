"""OCPP 2.0.1 payload types (generated; see common.py)."""
