"""OCPI status codes (transport_and_format §5, status_codes.asciidoc) and errors carrying them."""

from __future__ import annotations

from enum import IntEnum


class StatusCode(IntEnum):
    SUCCESS = 1000
    CLIENT_ERROR = 2000
    INVALID_PARAMETERS = 2001  # invalid or missing parameters (also: a malformed body)
    NOT_ENOUGH_INFORMATION = 2002
    UNKNOWN_LOCATION = 2003
    UNKNOWN_TOKEN = 2004
    SERVER_ERROR = 3000
    UNABLE_TO_USE_CLIENT_API = 3001  # the other party's versions/endpoints could not be used
    UNSUPPORTED_VERSION = 3002
    NO_MATCHING_ENDPOINTS = 3003


class OcpiError(Exception):
    """A request we refuse: the OCPI status code, the HTTP status and why."""

    def __init__(self, code: StatusCode, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


def unauthorized(message: str = "unknown or missing credentials token") -> OcpiError:
    # transport_and_format §4.1.3: an unknown token is HTTP 401 (status 2001 in the body)
    return OcpiError(StatusCode.INVALID_PARAMETERS, message, 401)


def invalid(message: str) -> OcpiError:
    return OcpiError(StatusCode.INVALID_PARAMETERS, message, 400)


def method_not_allowed(message: str) -> OcpiError:
    # credentials §7.2: POST when registered, PUT/DELETE when not: 405
    return OcpiError(StatusCode.CLIENT_ERROR, message, 405)
