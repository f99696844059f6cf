"""The test V2G PKI toolkit: generator and OCSP responder, for tests, the demo and the CLI
(``forecourt pnc test-pki``, ``forecourt pnc ocsp-responder``). Never used in production."""
