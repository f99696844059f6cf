"""Reliability's REST routes (``/api/reliability/...``, ``/api/public/...``) and their schemas."""
