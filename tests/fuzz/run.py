"""`make fuzz`: long-running fuzzing of the OCPP edge, bounded by a duration.

Targets (each in its own process, since libFuzzer runs once per process):

- ``frames``: raw bytes -> frame parser -> schema validator, both versions. Only FrameError or
  OcppError may come out (they become CALLERRORs); anything else is a crash.
- ``session``: structured frames (tests/fuzz/ocpp_frames.py) -> OcppSession -> dispatcher -> real
  services on a SQLite file, with the invariants of tests/fuzz/session_rig.py.

With atheris installed (``pip install '.[fuzz]'``, done by `make fuzz`) the runs are
coverage-guided (libFuzzer; the session target drives Hypothesis's strategies with libFuzzer's
bytes). Without it, Hypothesis runs random batches until the time is up. Corpora and crash
inputs live under var/fuzz/.

    python -m tests.fuzz.run all --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import atheris
except ImportError:  # Hypothesis alone, random rather than coverage-guided
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["forecourt"]):
        import forecourt.ocpp.rpc
        import forecourt.ocpp.session
        import forecourt.ocpp.v16
        import forecourt.ocpp.v201
        import forecourt.ocpp.validation
        import forecourt.services.core  # noqa: F401 (instrumented for coverage feedback)

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecourt.ocpp.errors import OcppError
from forecourt.ocpp.rpc import Call, FrameError, parse_frame
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion
from tests.fuzz.ocpp_frames import any_frames
from tests.fuzz.session_rig import CrashLog, open_rig, run_in

TARGETS = ("frames", "session")
WORK = Path("var/fuzz")
#: Hypothesis fallback: examples per batch (a fresh random seed each).
BATCH = 200


def check_frame(data: bytes) -> None:
    """Parse and validate ``data`` as each version would; only protocol errors may escape."""
    for version in OcppVersion:
        try:
            frame = parse_frame(data.decode("utf-8", "surrogateescape"), version)
            if isinstance(frame, Call):
                validator = validator_for(version)
                if frame.action in validator.actions():
                    validator.validate_request(frame.action, frame.payload)
        except (FrameError, OcppError):
            pass


def session_case() -> tuple[Callable[..., None], Callable[[], None]]:
    """A Hypothesis test that sends one structured frame to a station of either version, and
    what closes its stations."""
    loop = asyncio.new_event_loop()
    directory = Path(tempfile.mkdtemp(prefix="session-", dir=WORK))
    for version in OcppVersion:
        (directory / version.name).mkdir()
    rigs = {v: loop.run_until_complete(open_rig(directory / v.name, v))[0] for v in OcppVersion}
    log = CrashLog()
    logger = logging.getLogger("forecourt")
    logger.setLevel(logging.ERROR)  # warnings for each bad frame would drown the fuzzer's output
    logger.addHandler(log)
    frames = st.sampled_from(list(OcppVersion)).flatmap(
        lambda v: st.tuples(st.just(v), any_frames(v))
    )

    @settings(
        database=None, deadline=None, max_examples=BATCH, suppress_health_check=list(HealthCheck)
    )
    @given(case=frames)
    def send(case: tuple[OcppVersion, str]) -> None:
        version, frame_text = case
        run_in(loop, rigs[version], frame_text, log)

    def close() -> None:
        for rig in rigs.values():
            rig.session.close()
        loop.run_until_complete(asyncio.sleep(0.01))  # the sessions' workers end
        loop.close()

    return send, close


def seed(corpus: Path) -> None:
    """Start from one empty-payload CALL per action: libFuzzer mutates from real frames."""
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    for version in OcppVersion:
        for action in sorted(validator_for(version).actions()):
            frame = json.dumps([2, "1", action, {}]).encode()
            (corpus / f"seed-{version.name}-{action}").write_bytes(frame)


def run_atheris(target: str, seconds: int) -> None:
    corpus = WORK / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    if target == "frames":  # the session target's inputs are Hypothesis's choices, not frames
        seed(corpus)
    arguments = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={seconds}",
        f"-artifact_prefix={WORK}/crash-{target}-",
        "-rss_limit_mb=4096",
    ]
    if target == "frames":
        atheris.Setup(arguments, check_frame)
    else:
        send, _ = session_case()  # libFuzzer ends the process itself
        atheris.Setup(arguments, send.hypothesis.fuzz_one_input)
    atheris.Fuzz()


def run_hypothesis(target: str, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    close: Callable[[], None] = lambda: None  # noqa: E731
    if target == "frames":
        raw = st.binary(max_size=2000) | any_frames(OcppVersion.V201).map(str.encode)
        test: Any = settings(
            database=None,
            deadline=None,
            max_examples=BATCH,
            suppress_health_check=list(HealthCheck),
        )(given(data=raw)(check_frame))
    else:
        test, close = session_case()
    batches = 0
    while time.monotonic() < deadline:
        test()
        batches += 1
    close()
    print(f"{target}: {batches * BATCH} examples in {seconds} s, no failure")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=(*TARGETS, "all"))
    parser.add_argument("--seconds", type=int, default=60, help="Total duration (default 60).")
    parser.add_argument(
        "--engine",
        choices=("auto", "hypothesis"),
        default="auto",
        help="auto: atheris if installed",
    )
    options = parser.parse_args()
    guided = atheris is not None and options.engine == "auto"
    WORK.mkdir(parents=True, exist_ok=True)
    if options.target == "all":  # one process per target, the time shared
        share = max(options.seconds // len(TARGETS), 1)
        for target in TARGETS:
            command = [sys.executable, "-m", "tests.fuzz.run", target, f"--seconds={share}"]
            command.append(f"--engine={options.engine}")
            subprocess.run(command, check=True)
        return
    engine = "atheris (coverage-guided)" if guided else "Hypothesis (random)"
    print(f"fuzzing {options.target} for {options.seconds} s with {engine}", flush=True)
    if guided:
        run_atheris(options.target, options.seconds)
    else:
        run_hypothesis(options.target, options.seconds)


if __name__ == "__main__":
    main()
