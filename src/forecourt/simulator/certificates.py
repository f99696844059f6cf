"""A simulated station's certificates: its TLS client certificate (security profile 3) and the
renewal flow (1.6 security whitepaper, 2.0.1 A02): asked to, it makes a new key and a CSR
(CN = its id), sends SignCertificate, and installs the chain CertificateSigned brings when it
is for that key. The files named by the config are replaced, so the next connection uses it."""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from forecourt.simulator.config import StationConfig
from forecourt.simulator.rpc import Answer, Payload

Call = Callable[[str, Payload], Awaitable[Payload]]


def tls_context(config: StationConfig) -> ssl.SSLContext | None:
    """For a ``wss://`` CSMS: its CA (or the system's), and the client certificate if any."""
    if not config.url.startswith("wss://"):
        return None
    context = ssl.create_default_context(cafile=config.ca_file)
    if config.client_cert:
        context.load_cert_chain(config.client_cert, config.client_key)
    return context


class StationCertificates:
    def __init__(self, config: StationConfig) -> None:
        self._config = config
        self._pending: ec.EllipticCurvePrivateKey | None = None

    async def renew(self, call: Call, extra: Payload | None = None) -> None:
        """Send SignCertificate with a fresh key's CSR (``extra``: 2.0.1's certificateType)."""
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.NameAttribute(NameOID.COMMON_NAME, self._config.station_id)]
        if self._config.organization:
            names.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, self._config.organization))
        csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(names))
        pem = csr.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
        self._pending = key
        await call("SignCertificate", {"csr": pem, **(extra or {})})

    def certificate_signed(self, payload: Payload) -> Answer:
        """Install the chain when its leaf is for the key we asked with (A02.FR.17 checks)."""
        key = self._pending
        try:
            leaf = x509.load_pem_x509_certificates(str(payload["certificateChain"]).encode())[0]
        except (ValueError, IndexError, KeyError):
            return Answer({"status": "Rejected"})
        if key is None or leaf.public_key() != key.public_key() or not self._config.client_cert:
            return Answer({"status": "Rejected"})
        Path(self._config.client_cert).write_text(str(payload["certificateChain"]))
        Path(self._config.client_key or self._config.client_cert).write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self._pending = None
        return Answer({"status": "Accepted"})
