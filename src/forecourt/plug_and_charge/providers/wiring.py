"""Building the contract checker from the settings (roots file, OCSP client, pool)."""

from __future__ import annotations

from cryptography import x509

from forecourt.plug_and_charge.ports import ContractPool
from forecourt.plug_and_charge.providers.http_pool import HttpContractPool, NoContractPool
from forecourt.plug_and_charge.providers.ocsp_http import DEFAULT_TIMEOUT_S, HttpOcspClient
from forecourt.plug_and_charge.providers.test_pool import TestContractPool
from forecourt.plug_and_charge.services.contracts import ContractChecker
from forecourt.ports.clock import Clock
from forecourt.settings import Settings


def contract_checker(settings: Settings | None, clock: Clock) -> ContractChecker:
    roots: list[x509.Certificate] = []
    if settings is not None and settings.v2g_root_certificates is not None:
        roots = x509.load_pem_x509_certificates(settings.v2g_root_certificates.read_bytes())
    timeout = DEFAULT_TIMEOUT_S if settings is None else settings.ocsp_timeout
    return ContractChecker(roots, HttpOcspClient(timeout), _pool(settings), clock)


def _pool(settings: Settings | None) -> ContractPool:
    if settings is not None and settings.contract_pool_url:
        return HttpContractPool(settings.contract_pool_url)
    if settings is not None and settings.contract_pool_dir is not None:
        return TestContractPool(settings.contract_pool_dir)
    return NoContractPool()
