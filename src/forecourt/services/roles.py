"""Roles, in a module of their own: CLI options take them without importing the services."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a caller may do; each role includes the ones below it."""

    ADMIN = "admin"  # everything, including keys and users
    OPERATOR = "operator"  # network changes and commands
    TECHNICIAN = "technician"  # commands and tickets, no network changes
    ATTENDANT = "attendant"  # a site's counter: takes prepayments, starts paid ports
    VIEWER = "viewer"  # read only (site hosts)
