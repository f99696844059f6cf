"""OCPP 2.1: the connector vocabulary only, ahead of its adapter."""
