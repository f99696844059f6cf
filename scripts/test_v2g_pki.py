"""Generate a complete test V2G PKI for Plug & Charge (same as ``forecourt pnc test-pki``).

    .venv/bin/python scripts/test_v2g_pki.py ./pki [--ocsp-url http://127.0.0.1:9010/ocsp]

Then serve OCSP for it with ``forecourt pnc ocsp-responder ./pki`` (docs/plug-and-charge.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from forecourt.plug_and_charge.testpki.generator import CONTRACTS, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--ocsp-url", default="http://127.0.0.1:9010/ocsp")
    args = parser.parse_args()
    pki = generate(args.directory, args.ocsp_url)
    print(f"test V2G PKI in {pki.directory}; trust bundle {pki.roots}")
    for name, emaid in CONTRACTS.items():
        print(f"  {name:<13} {emaid}  contract_{name}.chain.pem")


if __name__ == "__main__":
    main()
