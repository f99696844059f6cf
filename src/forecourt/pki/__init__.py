"""The station PKI: a CSMS root and station CA, the certificates issued to stations, their
revocation and each station's security profile (docs/security.md, ADR 0014)."""
