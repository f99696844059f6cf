"""The PKI's settings, as its services see them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PkiConfig:
    passphrase: bytes  # encrypts the CA keys at rest (the server's secret key)
    organization: str = ""  # the O every station certificate must carry ("" : not checked)
    certificate_days: int = 365
    ca_days: int = 3650
    renew_before_days: int = 30
    renewal_interval_s: float = 3600.0  # how often the expiry watch looks
