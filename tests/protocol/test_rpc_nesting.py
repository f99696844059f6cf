"""rpc.py bounds payload nesting (ADR 0002): readable id echoed, FORMAT kind, no recursion."""

from __future__ import annotations

import pytest

from forecourt.ocpp.errors import ErrorKind
from forecourt.ocpp.rpc import MAX_PAYLOAD_DEPTH, CallError, FrameError, MessageType, parse_frame
from forecourt.ocpp.versions import OcppVersion


def nested(levels: int) -> str:
    """A JSON object ``levels`` deep (``{}`` is one level)."""
    return '{"a":' * (levels - 1) + "{}" + "}" * (levels - 1)


def test_the_limit_itself_is_accepted() -> None:
    frame = parse_frame(f'[2,"m1","DataTransfer",{nested(MAX_PAYLOAD_DEPTH)}]', OcppVersion.V16)
    assert frame.message_id == "m1"


@pytest.mark.parametrize("text", [str, str.encode])
def test_one_level_more_is_a_format_error_with_the_id(text: object) -> None:
    raw = f'[2,"m2","DataTransfer",{nested(MAX_PAYLOAD_DEPTH + 1)}]'
    with pytest.raises(FrameError) as error:
        parse_frame(text(raw), OcppVersion.V201)  # type: ignore[operator]
    assert error.value.kind is ErrorKind.FORMAT
    assert error.value.message_id == "m2"
    assert error.value.message_type == MessageType.CALL


def test_arrays_count_as_levels_too() -> None:
    raw = '[2,"m3","DataTransfer",{"a":' + "[" * 80 + "]" * 80 + "}]"
    with pytest.raises(FrameError, match="nested deeper than 64"):
        parse_frame(raw, OcppVersion.V16)


def test_a_too_deep_answer_fails_as_a_malformed_answer() -> None:
    with pytest.raises(FrameError) as error:
        parse_frame(f'[3,"m4",{nested(200)}]', OcppVersion.V16)
    assert error.value.message_type == MessageType.CALLRESULT


def test_too_deep_callerror_details_are_dropped() -> None:
    frame = parse_frame(f'[4,"m5","GenericError","x",{nested(200)}]', OcppVersion.V16)
    assert isinstance(frame, CallError)
    assert frame.details == {}
