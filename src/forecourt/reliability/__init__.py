"""Reliability: "up when you arrive" (docs/reliability.md). ``feature.py`` installs it."""
