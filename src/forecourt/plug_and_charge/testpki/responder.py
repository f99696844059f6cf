"""A small, real OCSP responder over HTTP for the test V2G PKI (tests and the demo).

It answers for the certificates the CAs listed in the PKI's manifest issued: ``revoked``
when the serial is in ``revoked.txt`` (read on every request, so a test can revoke), else
``good``; a request about any other issuer is ``unauthorized``. Each answer is signed by
the issuing CA itself (RFC 6960 §2.6, the CA as responder).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from forecourt.plug_and_charge.testpki.certificates import Issued, load
from forecourt.plug_and_charge.testpki.generator import MANIFEST, OCSP_ISSUERS, REVOKED

MAX_REQUEST_BYTES = 16 * 1024


class OcspResponder:
    """``with OcspResponder(directory) as responder: responder.url``; port 0 picks one."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = directory
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/ocsp"

    def __enter__(self) -> OcspResponder:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, request_der: bytes) -> bytes:
        """The DER response to one DER request."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        issuer = self._issuer_of(request)
        if issuer is None:
            return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
        now = datetime.now(UTC)
        revoked = f"{request.serial_number:x}" in self._revoked()
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now,
            next_update=now + timedelta(hours=1),
            revocation_time=now - timedelta(days=1) if revoked else None,
            revocation_reason=None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.certificate)
        response = builder.sign(issuer.key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)

    def _issuer_of(self, request: ocsp.OCSPRequest) -> Issued | None:
        for name in self._issuers():
            issuer = load(self.directory, name)
            if _same_issuer(request, issuer, request.hash_algorithm):
                return issuer
        return None

    def _issuers(self) -> list[str]:
        manifest = self.directory / MANIFEST
        if not manifest.exists():
            return []
        names = json.loads(manifest.read_text()).get("ocsp_issuers", list(OCSP_ISSUERS))
        return [str(n) for n in names]

    def _revoked(self) -> set[str]:
        path = self.directory / REVOKED
        text = path.read_text() if path.exists() else ""
        return {line.strip().lower() for line in text.splitlines() if line.strip()}


def _same_issuer(
    request: ocsp.OCSPRequest, issuer: Issued, algorithm: hashes.HashAlgorithm
) -> bool:
    name_hash = hashes.Hash(algorithm)
    name_hash.update(issuer.certificate.subject.public_bytes())
    key_hash = hashes.Hash(algorithm)
    key_hash.update(_public_key_bits(issuer))
    return (request.issuer_name_hash, request.issuer_key_hash) == (
        name_hash.finalize(),
        key_hash.finalize(),
    )


def _public_key_bits(issuer: Issued) -> bytes:
    # RFC 6960: the hash of the subjectPublicKey BIT STRING's value (for EC, the point).
    return issuer.key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    response = ocsp.OCSPResponseBuilder.build_unsuccessful(status)
    return response.public_bytes(serialization.Encoding.DER)


def _handler(responder: OcspResponder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_REQUEST_BYTES:
                self.send_error(400, "an OCSP request of 1-16384 bytes is expected")
                return
            body = responder.answer(self.rfile.read(length))
            self.send_response(200)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: tests and the demo run it in-process

    return Handler
