"""ISO 15118 Plug & Charge as a feature slice: contract validation with OCSP, the contract
certificate pool, a test V2G PKI and OCSP responder (docs/plug-and-charge.md)."""
