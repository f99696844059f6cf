"""Generate TypedDicts for OCPP payloads from the OCA JSON schemas the ``ocpp`` package ships.

    python scripts/gen_ocpp_types.py          # (re)write src/forecourt/ocpp/*/wire_types.py
    python scripts/gen_ocpp_types.py --check  # exit 1 when a committed file is stale

Only the messages our adapters speak are generated (``ACTIONS``), request and response of
each; a test checks that every handled or rendered action has its types. Objects become
``TypedDict`` classes (optional properties ``NotRequired``), enums ``Literal`` aliases. OCPP
2.0.1 names its shared types (``definitions``); OCPP 1.6 nests them inline, so an inline object
is named after its property and reused wherever the same structure appears again.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import ocpp

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(ocpp.__file__).resolve().parent

#: The messages our adapters speak, per version, grouped as the OCPP 2.0.1 functional blocks
#: are (one generated module per group keeps each module small).
ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "v16": {
        "core": ("BootNotification", "Heartbeat", "StatusNotification", "ChangeAvailability"),
        "authorization": ("Authorize", "ClearCache"),
        "transactions": (
            *("StartTransaction", "StopTransaction", "MeterValues", "RemoteStartTransaction"),
            *("RemoteStopTransaction", "UnlockConnector"),
        ),
        "configuration": ("GetConfiguration", "ChangeConfiguration", "Reset"),
        "diagnostics": (
            *("DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification"),
            *("LogStatusNotification", "SecurityEventNotification"),
            *("SignedFirmwareStatusNotification", "TriggerMessage", "ExtendedTriggerMessage"),
        ),
        "firmware": ("UpdateFirmware", "SignedUpdateFirmware", "GetDiagnostics", "GetLog"),
        "local_auth": ("SendLocalList", "GetLocalListVersion", "ReserveNow", "CancelReservation"),
        "smart_charging": ("SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule"),
        "certificates": (
            *("SignCertificate", "CertificateSigned", "InstallCertificate", "DeleteCertificate"),
            "GetInstalledCertificateIds",
        ),
    },
    "v201": {
        "provisioning": ("BootNotification", "Heartbeat", "Reset"),
        "variables": ("GetVariables", "SetVariables", "GetBaseReport", "NotifyReport"),
        "availability": ("StatusNotification", "ChangeAvailability"),
        "authorization": ("Authorize", "ClearCache"),
        "transactions": ("TransactionEvent", "MeterValues"),
        "remote_control": (
            *("RequestStartTransaction", "RequestStopTransaction", "UnlockConnector"),
            "TriggerMessage",
        ),
        "display": ("SetDisplayMessage", "CostUpdated"),
        "diagnostics": (
            *("DataTransfer", "FirmwareStatusNotification", "LogStatusNotification"),
            *("NotifyEvent", "SecurityEventNotification"),
        ),
        "firmware": (
            *("UpdateFirmware", "GetLog", "PublishFirmware", "UnpublishFirmware"),
            "PublishFirmwareStatusNotification",
        ),
        "local_auth": (
            *("SendLocalList", "GetLocalListVersion", "ReserveNow", "CancelReservation"),
            "ReservationStatusUpdate",
        ),
        "monitoring": (
            *("SetVariableMonitoring", "SetMonitoringBase", "SetMonitoringLevel"),
            *("ClearVariableMonitoring", "GetMonitoringReport", "NotifyMonitoringReport"),
        ),
        "device_messages": (
            *("GetDisplayMessages", "NotifyDisplayMessages", "ClearDisplayMessage"),
            *("CustomerInformation", "NotifyCustomerInformation"),
        ),
        "administration": ("GetReport", "SetNetworkProfile", "GetTransactionStatus"),
        "smart_charging": (
            *("SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule"),
            *("GetChargingProfiles", "ReportChargingProfiles", "NotifyChargingLimit"),
            *("NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "ClearedChargingLimit"),
        ),
        "certificates": (
            *("SignCertificate", "CertificateSigned", "InstallCertificate", "DeleteCertificate"),
            "GetInstalledCertificateIds",
        ),
        "iso15118": ("Get15118EVCertificate", "GetCertificateStatus"),
    },
    # 2.1 reuses the 2.0.1 types; only what 2.1 adds or changes that the adapter reads.
    "v21": {
        "payments": ("NotifySettlement", "NotifyWebPaymentStarted"),
        "tariffs": ("SetDefaultTariff", "GetTariffs", "ClearTariffs", "ChangeTransactionTariff"),
        "transactions": ("TransactionEvent",),
    },
}
TITLES = {"v16": "OCPP 1.6J", "v201": "OCPP 2.0.1", "v21": "OCPP 2.1"}
PACKAGE = ROOT / "src" / "forecourt" / "ocpp"
MAX_LINES = 400  # the project's module limit: regroup ACTIONS when a module outgrows it
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def schema_file(version: str, action: str, response: bool) -> Path:
    if version == "v16":
        return SCHEMAS / "v16" / "schemas" / f"{action}{'Response' if response else ''}.json"
    return SCHEMAS / version / "schemas" / f"{action}{'Response' if response else 'Request'}.json"


@dataclass
class Generator:
    """Every declaration of one version, and which groups use it."""

    version: str
    blocks: dict[str, str] = field(default_factory=dict)
    users: dict[str, set[str]] = field(default_factory=dict)
    shapes: dict[str, str] = field(default_factory=dict)  # structure -> name (1.6 reuse)
    definitions: dict[str, Any] = field(default_factory=dict)
    group: str = ""
    parent: str = ""

    def use(self, name: str) -> str:
        self.users.setdefault(name, set()).add(self.group)
        return name

    def type_of(self, schema: dict[str, Any], name: str) -> str:
        """The Python type for ``schema``; ``name`` names it if it needs a declaration."""
        if "$ref" in schema:
            ref = schema["$ref"].rsplit("/", 1)[-1]
            return self.use(self.declare(ref, self.definitions[ref]))
        kind = schema.get("type")
        if "enum" in schema or (kind == "object" and "properties" in schema):
            return self.use(self.inline(schema, name))
        if kind == "array":
            return f"list[{self.type_of(schema['items'], name)}]"
        return "dict[str, Any]" if kind == "object" else _SCALARS.get(kind or "", "Any")

    def declare(self, name: str, schema: dict[str, Any]) -> str:
        """A named (2.0.1 ``definitions``) type, declared once."""
        if name not in self.blocks:
            self.blocks[name] = ""  # reserve the name: definitions may refer to each other
            self.blocks[name] = self.block(name, schema)
        return name

    def inline(self, schema: dict[str, Any], name: str) -> str:
        """An unnamed (1.6) object or enum. An object is named after its property and reused
        wherever the same structure appears; an enum after its object and property."""
        shape = json.dumps(schema, sort_keys=True)
        if "enum" in schema:
            name = self.parent + name
        elif shape in self.shapes:
            return self.shapes[shape]
        if name in self.blocks and self.shapes.get(shape) != name:
            name = self.parent + name  # the same name with another structure: qualify it
        self.shapes[shape] = name
        return self.declare(name, schema)

    def block(self, name: str, schema: dict[str, Any]) -> str:
        if "enum" in schema:
            return enum_block(name, schema["enum"])
        required = set(schema.get("required", ()))
        fields = []
        for prop, sub in schema.get("properties", {}).items():
            self.parent = name
            py = self.type_of(sub, prop[:1].upper() + prop[1:])
            fields.append((prop, py if prop in required else f"NotRequired[{py}]"))
        if not fields:
            return f"class {name}(TypedDict):\n    pass\n"
        if any(keyword.iskeyword(prop) for prop, _ in fields):
            items = ", ".join(f"{json.dumps(p)}: {t}" for p, t in fields)
            return f"{name} = TypedDict({name!r}, {{{items}}})\n"
        return f"class {name}(TypedDict):\n" + "".join(f"    {p}: {t}\n" for p, t in fields)

    def message(self, action: str, response: bool) -> None:
        schema = json.loads(schema_file(self.version, action, response).read_text())
        self.definitions = schema.get("definitions", {})
        name = f"{action}{'Response' if response else 'Request'}"
        self.use(self.declare(name, schema))


def enum_block(name: str, values: list[str]) -> str:
    """A Literal alias, its values wrapped a few to a line (the formatter would put one on
    each line, and the enums would outgrow the module limit)."""
    lines, line = [], "   "
    for text in (json.dumps(v) + "," for v in values):
        if len(line) + len(text) > 95:
            lines.append(line)
            line = "   "
        line += " " + text
    lines.append(line)
    body = "\n".join(lines)
    return f"# fmt: off\n{name} = Literal[\n{body}\n]\n# fmt: on\n"


def modules(version: str) -> dict[str, str]:
    """Module name -> source: one per group, plus ``common`` for what several groups use."""
    gen = Generator(version)
    for group, actions in ACTIONS[version].items():
        gen.group = group
        for action in actions:
            gen.message(action, response=False)
            gen.message(action, response=True)
    common = {name for name, groups in gen.users.items() if len(groups) > 1}
    while True:  # whatever a common declaration refers to is common too
        more = {
            n
            for n in gen.blocks
            if n not in common and any(refers(gen.blocks[c], n) for c in common)
        }
        if not more:
            break
        common |= more
    owner = {name: "common" if name in common else min(gen.users[name]) for name in gen.blocks}
    out = {}
    for module in ["common", *ACTIONS[version]]:
        names = [n for n in gen.blocks if owner[n] == module]
        imported = sorted(
            n
            for n in gen.blocks
            if owner[n] == "common" != module and any(refers(gen.blocks[m], n) for m in names)
        )
        out[module] = source(version, module, [gen.blocks[n] for n in names], imported)
    return out


def refers(block: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", block.split("\n", 1)[1]) is not None


def source(version: str, module: str, blocks: list[str], imported: list[str]) -> str:
    what = "types several groups share" if module == "common" else f"the {module} messages"
    header = (
        f'"""{TITLES[version]} payloads as TypedDicts: {what}.\n\n'
        "Generated by scripts/gen_ocpp_types.py from the OCA JSON schemas of the ocpp\n"
        f"package {package_version('ocpp')}: do not edit. A handler's payload has passed the\n"
        'schema check, so it has exactly this shape.\n"""\n\n'
        "from __future__ import annotations\n\n"
        "from typing import Any, Literal, NotRequired, TypedDict\n\n"
    )
    if imported:
        header += (
            f"from forecourt.ocpp.{version}.wire_types.common import {', '.join(imported)}\n\n"
        )
    return header + "\n\n".join(blocks)


def formatted(text: str, target: Path) -> str:
    """``text`` as ruff would leave it (fixes, then format), using the project's settings."""
    for command in (["check", "--fix-only", "--quiet"], ["format", "--quiet"]):
        text = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(target), "-"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args()
    problems = []
    for version in ACTIONS:
        package = PACKAGE / version / "wire_types"
        wanted = {
            "__init__": f'"""{TITLES[version]} payload types (generated; see common.py)."""\n'
        }
        wanted |= modules(version)
        for name, text in wanted.items():
            target = package / f"{name}.py"
            text = formatted(text, target)
            if text.count("\n") > MAX_LINES:
                problems.append(f"{target.relative_to(ROOT)} has over {MAX_LINES} lines: regroup")
            if target.exists() and target.read_text() == text:
                continue
            if args.check:
                problems.append(f"{target.relative_to(ROOT)} is stale: run {Path(__file__).name}")
            else:
                package.mkdir(exist_ok=True)
                target.write_text(text)
                print(f"wrote {target.relative_to(ROOT)}")
        extra = {p.stem for p in package.glob("*.py")} - set(wanted)
        problems += [f"{package.relative_to(ROOT)}/{stem}.py is not generated" for stem in extra]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
