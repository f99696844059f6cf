"""OCPI slice tests."""
