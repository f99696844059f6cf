"""OCPP 2.1 payload types (generated; see common.py)."""
