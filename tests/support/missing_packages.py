"""The real ``forecourt`` command in a fresh interpreter where some packages cannot be
imported, as on an install without an optional extra (even though the test venv has them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Runs before anything imports forecourt: a finder first on sys.meta_path answers "not
# installed" for the blocked top-level packages, the way a missing distribution does.
_PROGRAM = """
import sys
from importlib.abc import MetaPathFinder

BLOCKED = frozenset(sys.argv.pop(1).split(","))

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
sys.argv[0] = "forecourt"
from forecourt.cli.main import app
app()
"""


def forecourt_without(
    packages: tuple[str, ...], *args: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``forecourt ARGS`` with ``packages`` unimportable; the environment is inherited
    (PYTHONPATH for this tree, coverage's subprocess settings)."""
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, ",".join(packages), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
    )
