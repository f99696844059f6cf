"""OCPP 1.6J payload types (generated; see common.py)."""
