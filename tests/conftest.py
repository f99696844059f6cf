"""What every test process shares, the pytest-xdist workers included."""

import os

import httpx
from hypothesis import HealthCheck, settings
from playwright.async_api import expect

# The CLI renders tables and messages with rich at the terminal's width. Test processes have
# no terminal (xdist workers see 80 columns, which wraps paths and ids mid-word), so every one
# gets the same wide console and the assertions read whole lines.
os.environ["COLUMNS"] = "200"

# httpx's default 5 s read timeout is a speed assertion in disguise: CI runs three workers on
# two cores under coverage, where a first request to a just-started server can take longer.
# Tests wait as long as a patient client would; code under test sets its own timeouts.
_PATIENT = httpx.Timeout(60.0, connect=30.0)
for _client in (httpx.AsyncClient, httpx.Client):
    assert _client.__init__.__kwdefaults__ is not None
    _client.__init__.__kwdefaults__["timeout"] = _PATIENT

# The same for Playwright's `expect` (5 s by default): it still fails when the page never shows it.
expect.set_options(timeout=20_000)

# Hypothesis's own speed checks (a 200 ms deadline per example, "input generation is slow")
# are timing assertions too; the properties are what the tests are about.
settings.register_profile("forecourt", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("forecourt")
