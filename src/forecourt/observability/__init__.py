"""Structured logging and Prometheus metrics."""
