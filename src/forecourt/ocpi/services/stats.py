"""What OCPI did since start-up, for the metrics (``providers.metrics``) and the roaming page:
pushes by module and outcome, requests we answered by module and status code, and the push
queue's depth by module (read by the push worker after each pass)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class OcpiStats:
    pushes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (module, ok|failed)
    requests: Counter[tuple[str, int]] = field(default_factory=Counter)  # (module, status)
    queue_depth: dict[str, int] = field(default_factory=dict)  # module -> jobs waiting

    def pushed(self, module: str, ok: bool) -> None:
        self.pushes[(module, "ok" if ok else "failed")] += 1

    def answered(self, module: str, status_code: int) -> None:
        self.requests[(module, status_code)] += 1
