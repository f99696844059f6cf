"""The operator REST API: FastAPI routers that parse input, call one service, shape output.

Mount it with ``forecourt.api.install.install_api(app, services, live_status=...)``: that adds
the routes under ``/api`` and the problem+json error handlers. This package file stays empty on
purpose: the CLI imports the response schemas (``forecourt.api.schemas``) without paying for
FastAPI and every router.
"""
