"""Reliability, in pure terms: port timelines, NEVI uptime arithmetic, session KPIs, fault
detectors (small state machines fed one observation at a time), tickets and alert rules.

Standard library only; the services in ``forecourt.reliability.services`` feed these from the
event bus and persist what they decide.
"""
