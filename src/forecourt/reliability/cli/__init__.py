"""Reliability's CLI commands (``Feature.commands`` names their module)."""
