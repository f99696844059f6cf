"""Forecourt: an open-source CSMS for public EV charging networks."""

__version__ = "0.1.0"
