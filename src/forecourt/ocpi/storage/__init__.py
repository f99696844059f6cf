"""OCPI."""
