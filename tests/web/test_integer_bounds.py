"""Page and form numbers beyond what storage binds are a 400 page naming the field, never a 500
(issue 9.10, the dashboard's side)."""

from __future__ import annotations

import pytest

from tests.web import test_http
from tests.web.test_http import Rig

rig = test_http.rig  # the same app fixture: real lifespan, SQLite file, users per role

pytestmark = pytest.mark.asyncio(loop_scope="module")

HUGE = "99999999999999999999999"

PAGES = [
    ("GET", f"/dashboard/sessions?page={HUGE}", "page"),
    ("GET", f"/dashboard/sessions/{HUGE}", "transaction_id"),
    ("POST", f"/dashboard/sessions/{HUGE}/stop", "transaction_id"),
    ("POST", f"/dashboard/api-keys/{HUGE}/revoke", "key_id"),
    ("GET", f"/dashboard/reliability/tickets/{HUGE}", "ticket_id"),
    ("POST", f"/dashboard/reliability/tickets/{HUGE}/transition", "ticket_id"),
    ("GET", f"/s/north/evse/N-1/{HUGE}", "evse_id"),
    ("GET", f"/pay/N-1/{HUGE}", "evse_id"),
    ("POST", f"/pay/N-1/{HUGE}", "evse_id"),
]


@pytest.mark.parametrize(("method", "url", "field"), PAGES)
async def test_a_huge_number_is_a_400_page(rig: Rig, method: str, url: str, field: str) -> None:
    async with rig.signed_in("admin") as client:
        form = {"csrf_token": client.headers["X-CSRF-Token"], "state": "acknowledged"}
        answer = await client.request(method, url, data=form if method == "POST" else None)

    assert answer.status_code == 400, answer.text
    assert "Please check" in answer.text
    assert field in answer.text
