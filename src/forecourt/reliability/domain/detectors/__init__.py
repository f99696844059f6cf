"""Fault detectors: small state machines fed one observation at a time, never history."""
