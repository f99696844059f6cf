"""Accounts tests reuse the Plug & Charge PKI fixtures and the web suite's one Chromium."""

from tests.plug_and_charge.conftest import pki, responder  # noqa: F401
from tests.web.conftest import browser  # noqa: F401
