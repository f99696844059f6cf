"""A complete test V2G PKI in one directory (``forecourt pnc test-pki``).

Hierarchies as ISO 15118-2 draws them: the V2G root with two CPO sub-CAs and an SECC leaf;
a mobility operator (MO) root with two sub-CAs issuing contract certificates (eMAID in the
subject CN); a vehicle OEM root with a sub-CA and one car's provisioning certificate. Plus
the contracts the tests and the demo present: valid, revoked (listed in ``revoked.txt`` for
the OCSP responder), expired, and one under a root nobody trusts. ``roots.pem`` is the
trust bundle to configure (``FORECOURT_V2G_ROOT_CERTIFICATES``); ``manifest.json`` says
which file is which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509

from forecourt.plug_and_charge.testpki.certificates import Issued, Validity, issue, pem

#: Which contract the tests and demo present, and its eMAID (ISO 15118 eMAID, no dashes).
CONTRACTS: dict[str, str] = {
    "valid": "DEFCOC0000001A",
    "revoked": "DEFCOC0000002B",
    "expired": "DEFCOC0000003C",
    "unknown_root": "DEFCOC0000004D",
}
#: The test car: its provisioning certificate id (PCID) and the eMAID the pool issues to it.
VEHICLE_PCID = "WFCOTESTCAR0000001"
VEHICLE_EMAID = "DEFCOC0000005E"
ROOTS = "roots.pem"
REVOKED = "revoked.txt"
MANIFEST = "manifest.json"
#: The CAs whose certificates the test OCSP responder answers for (never the unknown root).
OCSP_ISSUERS = ("mo_root", "mo_sub1", "mo_sub2", "oem_root", "oem_sub")
MO_ISSUER = "mo_sub2"  # the sub-CA that signs contracts (also the built-in pool's)


@dataclass(frozen=True, slots=True)
class GeneratedPki:
    directory: Path
    ocsp_url: str

    def contract_chain(self, name: str) -> str:
        """The PEM chain a car presents: contract, then its sub-CAs."""
        return (self.directory / f"contract_{name}.chain.pem").read_text()

    @property
    def roots(self) -> Path:
        return self.directory / ROOTS


def generate(directory: Path, ocsp_url: str, now: datetime | None = None) -> GeneratedPki:
    """Write the whole PKI to ``directory`` (created); OCSP URLs point at ``ocsp_url``."""
    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    long = Validity.around(now, 3650)
    roots = [_v2g(directory, long), _oem(directory, long, ocsp_url)]
    mo_root = issue("MO Root CA", long, issuer=None, ca=True)
    mo_sub1 = issue("MO Sub-CA 1", long, issuer=mo_root, ca=True, ocsp_url=ocsp_url)
    mo_sub2 = issue("MO Sub-CA 2", long, issuer=mo_sub1, ca=True, ocsp_url=ocsp_url)
    for name, ca in (("mo_root", mo_root), ("mo_sub1", mo_sub1), ("mo_sub2", mo_sub2)):
        ca.save(directory, name)
    subs = (mo_sub2, mo_sub1)
    _contract(directory, "valid", Validity.around(now, 730), subs, ocsp_url)
    revoked = _contract(directory, "revoked", Validity.around(now, 730), subs, ocsp_url)
    expired = Validity(now - timedelta(days=400), now - timedelta(days=35))
    _contract(directory, "expired", expired, subs, ocsp_url)
    _unknown_root_contract(directory, long, ocsp_url)
    (directory / ROOTS).write_bytes(b"".join(pem(r) for r in [*roots, mo_root.certificate]))
    (directory / REVOKED).write_text(f"{revoked.certificate.serial_number:x}\n")
    manifest = {
        "ocsp_url": ocsp_url,
        "ocsp_issuers": list(OCSP_ISSUERS),
        "contracts": CONTRACTS,
        "vehicle_pcid": VEHICLE_PCID,
        "vehicle_emaid": VEHICLE_EMAID,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return GeneratedPki(directory, ocsp_url)


def _v2g(directory: Path, validity: Validity) -> x509.Certificate:
    root = issue("V2G Root CA", validity, issuer=None, ca=True)
    cpo_sub1 = issue("CPO Sub-CA 1", validity, issuer=root, ca=True)
    cpo_sub2 = issue("CPO Sub-CA 2", validity, issuer=cpo_sub1, ca=True)
    secc = issue("SECC Forecourt Test", validity, issuer=cpo_sub2, ca=False)
    for name, issued in (
        ("v2g_root", root),
        ("cpo_sub1", cpo_sub1),
        ("cpo_sub2", cpo_sub2),
        ("secc", secc),
    ):
        issued.save(directory, name)
    return root.certificate


def _oem(directory: Path, validity: Validity, ocsp_url: str) -> x509.Certificate:
    root = issue("OEM Root CA", validity, issuer=None, ca=True)
    sub = issue("OEM Sub-CA", validity, issuer=root, ca=True, ocsp_url=ocsp_url)
    vehicle = issue(VEHICLE_PCID, validity, issuer=sub, ca=False, ocsp_url=ocsp_url)
    for name, issued in (("oem_root", root), ("oem_sub", sub), ("oem_provisioning", vehicle)):
        issued.save(directory, name)
    return root.certificate


def _contract(
    directory: Path, name: str, validity: Validity, subs: tuple[Issued, ...], ocsp_url: str
) -> Issued:
    contract = issue(CONTRACTS[name], validity, issuer=subs[0], ca=False, ocsp_url=ocsp_url)
    contract.save(directory, f"contract_{name}")
    chain = pem(contract.certificate) + b"".join(pem(s.certificate) for s in subs)
    (directory / f"contract_{name}.chain.pem").write_bytes(chain)
    return contract


def _unknown_root_contract(directory: Path, validity: Validity, ocsp_url: str) -> None:
    rogue = issue("Unknown MO Root", validity, issuer=None, ca=True)
    rogue_sub = issue("Unknown MO Sub-CA", validity, issuer=rogue, ca=True)
    rogue.save(directory, "unknown_root")
    rogue_sub.save(directory, "unknown_sub")
    _contract(directory, "unknown_root", validity, (rogue_sub,), ocsp_url)
