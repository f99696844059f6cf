"""Adapters: the OCSP HTTP client, contract pools, the test PKI and its OCSP responder."""
