"""OCPI objects as pydantic models, one place per object; version differences are small
mapping functions (``ocpi.schemas.versions``), never copies of a model."""
