"""The PKI slice's tables, on the shared metadata (revisions 0040_pki, 0042)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, Table, Text

from forecourt.domain.certificates import CertificateUse
from forecourt.pki.domain.certificates import AuthorityRole
from forecourt.storage.tables import metadata
from forecourt.storage.types import EnumText, UtcDateTime

pki_authorities = Table(
    "pki_authorities",
    metadata,
    Column("role", EnumText(AuthorityRole), primary_key=True),
    Column("certificate_pem", Text, nullable=False),
    Column("private_key_pem", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

pki_certificates = Table(
    "pki_certificates",
    metadata,
    Column("serial", Text, primary_key=True),
    Column("station_id", Text, nullable=False, index=True),
    Column("use", EnumText(CertificateUse), nullable=False),
    Column("not_before", UtcDateTime, nullable=False),
    Column("not_after", UtcDateTime, nullable=False, index=True),
    Column("certificate_pem", Text, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("revocation_reason", Text, nullable=False),
)

pki_station_profiles = Table(
    "pki_station_profiles",
    metadata,
    Column("station_id", Text, primary_key=True),
    Column("security_profile", Integer, nullable=False),
    Column("target_profile", Integer),  # switch sent, not yet reached (0042)
    Column("updated_at", UtcDateTime, nullable=False),
)
