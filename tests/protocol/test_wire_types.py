"""The generated payload types (scripts/gen_ocpp_types.py) are current, cover every message
the adapters speak, and are what the inbound handlers are annotated with."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NotRequired, get_args, get_origin, get_type_hints

import pytest

from forecourt.ocpp.v16 import inbound as inbound16
from forecourt.ocpp.v201 import inbound as inbound201

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_ocpp_types.py"
VERSIONS = {"v16": inbound16, "v201": inbound201}


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_ocpp_types", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def wire_type(version: str, name: str) -> Any:
    """The generated class ``name`` of ``version``, from whichever group module has it."""
    package = ROOT / "src" / "forecourt" / "ocpp" / version / "wire_types"
    for path in sorted(package.glob("*.py")):
        module = importlib.import_module(f"forecourt.ocpp.{version}.wire_types.{path.stem}")
        if name in vars(module):
            return vars(module)[name]
    raise AssertionError(f"{version} has no generated {name}")


def generated_actions(version: str) -> set[str]:
    groups: Mapping[str, tuple[str, ...]] = generator().ACTIONS[version]
    return {action for actions in groups.values() for action in actions}


def test_the_committed_types_are_what_the_generator_writes() -> None:
    check = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("version", VERSIONS)
def test_every_handled_and_rendered_action_has_types(version: str) -> None:
    source = "".join(
        path.read_text()
        for path in (ROOT / "src" / "forecourt" / "ocpp" / version).glob("*.py")
        if path.stem in ("outbound", "pricing", "device")
    )
    rendered = set(re.findall(r'return "([A-Z]\w+)",', source))
    assert rendered, "no rendered action found: has the render idiom changed?"
    handled = set(VERSIONS[version].HANDLERS)
    assert handled | rendered <= generated_actions(version)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_inbound_handler_takes_and_returns_its_message_types(version: str) -> None:
    for action, handler in VERSIONS[version].HANDLERS.items():
        hints = get_type_hints(handler)
        # (link, payload): the payload by position, as the adapter passes it (may be `_p`)
        taken = hints[list(inspect.signature(handler).parameters)[1]]
        request, response = (wire_type(version, f"{action}{s}") for s in ("Request", "Response"))
        if taken is request:
            assert hints["return"] is response, action
        else:  # a recorded notification: one handler, typed by the union of what it records
            assert request in get_args(taken), action
            fields = get_type_hints(response, include_extras=True).values()
            assert all(get_origin(t) is NotRequired for t in fields), action  # answered {}
