"""OCPI 2.2.1 and 2.3.0, CPO role, as a feature slice (docs/ocpi.md, ADR 0018)."""
