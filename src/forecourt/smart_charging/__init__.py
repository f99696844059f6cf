"""Site load management: keep a site under its grid limit, share it fairly (ADR 0009)."""
