"""The one place that makes log text safe: credentials redacted, control characters escaped.

Applied by the log formatters to every field of every record, whatever logger wrote it
(ours, uvicorn's, the websockets library's DEBUG frame and header dumps), so no call site
can forget. Redaction works on text because library messages arrive already formatted.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

#: Frame fields and settings that carry credentials or tokens (case-insensitive).
SECRET_KEYS = (
    "idTag",
    "parentIdTag",
    "idToken",
    "password",
    "passwd",
    "basicAuthPassword",
    "authorizationKey",
    "secret",
    "apiKey",
    "api_key",
    "token",
    "certificate",
    "certificateChain",
    "csr",
    "exiRequest",
    "exiResponse",
)
#: Configuration keys / device-model variables whose *value* is a credential.
SECRET_SETTINGS = ("AuthorizationKey", "BasicAuthPassword")

_KEYS = "|".join(SECRET_KEYS)
# Unambiguous alternatives only: every rule must stay linear on hostile text.
_QUOTED = r'"(?:\\.|[^"\\])*"' + r"|'(?:\\.|[^'\\])*'"
_BARE = r"[^\s,;&'\"}\]\)]+"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Websocket frame dumps (websockets' "< TEXT '...' [81 bytes]"): never show a payload.
    (
        re.compile(r"^([<>] )(TEXT|BINARY|CONT) .*\[((?:text, |binary, )?\d+ bytes?[^\]]*)\]$"),
        rf"\1\2 {REDACTED} [\3]",
    ),
    # HTTP credentials: "authorization: Basic …", "Bearer …", cookies, API key headers.
    (
        re.compile(r"(?i)\b((?:proxy-)?authorization|(?:set-)?cookie|x-api-key)(\s*[:=]\s*)\S.*"),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(?i)\b(Basic|Bearer|Digest)\s+[A-Za-z0-9+/=._~-]{6,}"), rf"\1 {REDACTED}"),
    # Certificates and keys in PEM, wherever they appear.
    (
        re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|$)", re.S),
        f"[PEM {REDACTED}]",
    ),
    # user:password@ in URLs (database URLs, webhooks).
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,30}://[^\s:/@]{1,256}:)[^\s@/]+@"), rf"\1{REDACTED}@"),
    # "idTag": "…", 'password': '…', password=…, in JSON, reprs and key=value text.
    (
        re.compile(rf"(?i)([\"']?\b(?:{_KEYS})\b[\"']?\s*[:=]\s*)(?:{_QUOTED}|{_BARE})"),
        rf'\1"{REDACTED}"',
    ),
)
# A message naming a credential setting (ChangeConfiguration AuthorizationKey, SetVariables
# BasicAuthPassword) has every value in it redacted: the pairing is not reliable in text.
_NAMES_A_SECRET = re.compile(rf"(?i)\b(?:{'|'.join(SECRET_SETTINGS)})\b")
_ANY_VALUE = re.compile(rf"(?i)([\"']?\b(?:value|attributeValue)\b[\"']?\s*[:=]\s*)(?:{_QUOTED})")

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators some viewers break on.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def redact(text: str) -> str:
    """``text`` with credentials replaced by ``[redacted]``."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    if _NAMES_A_SECRET.search(text):
        text = _ANY_VALUE.sub(rf'\1"{REDACTED}"', text)
    return text


def escape_controls(text: str) -> str:
    """Control characters as visible escapes (``\\r``, ``\\x00``...): one record, one line."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def safe_text(text: str) -> str:
    """What a log line may show of ``text``: redacted, then escaped."""
    return escape_controls(redact(text))
