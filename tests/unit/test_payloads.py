"""domain/payloads.py: what a record keeps of a station's payload."""

from __future__ import annotations

import hashlib
import json

from forecourt.domain.payloads import bounded_payload


def test_a_payload_that_fits_is_kept_as_sent() -> None:
    payload = {"vendorId": "acme", "data": "x" * 100}
    assert bounded_payload(payload, 1024) is payload


def test_large_values_are_summarised_and_short_ones_kept() -> None:
    blob = {"rows": list(range(2000))}
    bounded = bounded_payload({"requestId": 7, "tbc": False, "reportData": blob}, 1024)
    encoded = json.dumps(blob, separators=(",", ":")).encode()
    assert bounded["requestId"] == 7
    assert bounded["tbc"] is False
    assert bounded["reportData"]["size_bytes"] == len(encoded)
    assert bounded["reportData"]["sha256"] == hashlib.sha256(encoded).hexdigest()
    assert bounded["reportData"]["excerpt"] == encoded[:512].decode()


def test_many_small_extra_fields_are_summarised_as_a_whole() -> None:
    flood = {f"k{n}": "v" * 200 for n in range(100)}
    bounded = bounded_payload(flood, 2048)
    assert list(bounded) == ["truncated"]
    assert len(json.dumps(bounded).encode()) <= 2048
