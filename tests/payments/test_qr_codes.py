"""Every EVSE has a printable QR code that leads to its scan-to-pay page."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.server import running_server


async def test_qr_code_encodes_the_evse_pay_page(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server, httpx.AsyncClient() as http:
        reply = await http.get(f"{server.http_url}/pay/CS-9/2/qr.svg")
        base = server.http_url
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("image/svg+xml")
    svg = reply.text
    assert svg.startswith(("<?xml", "<svg"))
    # segno writes the encoded URL as the SVG title: the sticker leads to the EVSE's page
    assert f"<title>{base}/pay/CS-9/2</title>" in svg
    assert "<path" in svg


async def test_qr_code_needs_a_numeric_evse(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server, httpx.AsyncClient() as http:
        reply = await http.get(f"{server.http_url}/pay/CS-9/first/qr.svg")
    assert reply.status_code == 400
    assert "evse_id" in reply.text
