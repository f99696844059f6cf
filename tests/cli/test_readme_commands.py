"""Every command in README.md runs as written.

The README's ``sh`` blocks are read from the file itself, so a changed example is tested the
day it changes. The tour's commands run against a real ``forecourt demo`` (as ``make demo``
starts it) in a temporary directory; the "Running it for real" block runs on a fresh database.
Three substitutions keep the run on this machine and parallel-safe: port 9000 becomes a free
port (also as ``FORECOURT_SERVER``), ``0.0.0.0`` becomes 127.0.0.1, and the demo's printed API
key replaces its placeholder. Commands run in a scratch directory holding a copy of
``docs/examples`` (the CSV files the README imports). ``make`` lines are not run (this test
runs inside ``make test``).
Long-running commands (``serve``, ``simulate`` without ``--duration``) must start and keep
running for a few seconds.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.server import free_port

README = Path(__file__).resolve().parents[2] / "README.md"
FORECOURT = [sys.executable, "-m", "forecourt.cli.main"]
KEY_PLACEHOLDER = "<the key the demo printed>"
STARTS_FOR_S = 4.0


def readme_blocks() -> list[tuple[str, list[str]]]:
    """(heading, logical command lines) of each ``sh`` block, continuation lines joined."""
    blocks: list[tuple[str, list[str]]] = []
    heading = ""
    for match in re.finditer(r"^(## [^\n]*)$|^```sh\n(.*?)^```", README.read_text(), re.M | re.S):
        if match.group(1):
            heading = match.group(1)
            continue
        text = match.group(2).replace("\\\n", " ")
        lines = [line for line in text.splitlines() if shlex.split(line, comments=True)]
        blocks.append((heading, lines))
    return blocks


@dataclass
class Shell:
    """Runs README lines the way a reader's shell would, with the substitutions above."""

    cwd: Path
    port: int
    api_key: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        keep = ("PATH", "PYTHONPATH", "HOME", "LANG")
        self.env = {k: os.environ[k] for k in keep if k in os.environ}
        self.env.update(COLUMNS="120", FORECOURT_SERVER=f"http://127.0.0.1:{self.port}")

    def args(self, line: str) -> list[str]:
        line = line.replace(KEY_PLACEHOLDER, self.api_key).replace("0.0.0.0", "127.0.0.1")
        line = line.replace("127.0.0.1:9000", f"127.0.0.1:{self.port}")
        line = line.replace("--port 9000", f"--port {self.port}")
        line = re.sub(r"\$(\w+)", lambda m: self.env.get(m.group(1), ""), line)
        return shlex.split(line, comments=True)

    def run(self, line: str) -> None:
        args = self.args(line)
        if args[0] == "make":
            return
        if args[0] == "export":
            name, _, value = args[1].partition("=")
            self.env[name] = value
            return
        if args[0] == "forecourt":
            args = FORECOURT + args[1:]
        elif args[0] != "curl":
            pytest.fail(f"README runs {args[0]!r}: teach this test what it means")
        if _long_running(args):
            self._starts(args, line)
            return
        done = subprocess.run(
            args, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{line}\n-> exit {done.returncode}\n{done.stderr[-3000:]}"

    def _starts(self, args: list[str], line: str) -> None:
        process = subprocess.Popen(
            args, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            process.wait(STARTS_FOR_S)
        except subprocess.TimeoutExpired:
            return  # still running, as it should
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0, f"{line}\n-> exit {process.returncode}\n{stderr!r}"


def _long_running(args: list[str]) -> bool:
    command = args[len(FORECOURT)] if args[: len(FORECOURT)] == FORECOURT else ""
    return command in ("serve", "demo") or (command == "simulate" and "--duration" not in args)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shell]:
    """``forecourt demo`` (what ``make demo`` runs), with its fleet connected."""
    cwd = tmp_path_factory.mktemp("readme-demo")
    shell = Shell(cwd, free_port())
    log = (cwd / "demo.log").open("w+")
    process = subprocess.Popen(
        [*FORECOURT, "demo", "--port", str(shell.port)],
        cwd=cwd,
        env=shell.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        shell.api_key = _wait_for_demo(process, cwd / "demo.log", shell.port)
        yield shell
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def _wait_for_demo(process: subprocess.Popen[bytes], log: Path, port: int) -> str:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        key = re.search(r"API key: (\S+?)\)", log.read_text())
        if key and _connected(port) >= 4:
            return key.group(1)
        time.sleep(0.3)
    pytest.fail(f"the demo did not start with its fleet:\n{log.read_text()}")


def _connected(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return int(json.load(answer)["connected_stations"])
    except OSError:
        return 0


def test_readme_has_the_blocks_this_test_runs() -> None:
    headings = [heading for heading, _ in readme_blocks()]
    assert "## A five-minute tour" in headings
    assert "## Running it for real" in headings


@pytest.mark.slow
def test_tour_commands_run_against_the_demo(demo: Shell) -> None:
    for heading, lines in readme_blocks():
        if heading == "## A five-minute tour":
            for line in lines:
                demo.run(line)


@pytest.mark.slow
def test_running_it_for_real_commands_run_on_a_fresh_database(tmp_path: Path) -> None:
    shutil.copytree(README.parent / "docs" / "examples", tmp_path / "docs" / "examples")
    shell = Shell(tmp_path, free_port())
    shell.env["FORECOURT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'real.db'}"
    for heading, lines in readme_blocks():
        if heading == "## Running it for real":
            for line in lines:
                shell.run(line)
