"""Plug & Charge as a feature slice: it offers the core the ``CONTRACTS`` port (ADR 0009)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from forecourt.extension import CliCommand, Feature, Host
from forecourt.plug_and_charge.keys import PLUG_AND_CHARGE
from forecourt.ports.contracts import CONTRACTS
from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.plug_and_charge.services.contracts import ContractChecker
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.web.scope import Reach


class PlugAndChargeFeature(Feature["ContractChecker"]):
    def build(self, host: Host) -> ContractChecker:
        from forecourt.plug_and_charge.providers.wiring import contract_checker

        return contract_checker(host.settings, host.ctx.clock)

    def ports(self, built: ContractChecker) -> Mapping[Key[Any], object]:
        return {CONTRACTS: built}

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.plug_and_charge.api import routes

        router.include_router(routes.router)

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {"GET /dashboard/plug-and-charge": Reach.NETWORK}

    def install_web(self, app: FastAPI, services: Services, _settings: Settings) -> None:
        from forecourt.plug_and_charge.web import install_pages

        install_pages(app, services)


FEATURE = PlugAndChargeFeature(
    name="plug_and_charge",
    key=PLUG_AND_CHARGE,
    offers=(CONTRACTS,),
    commands={
        "pnc": CliCommand(
            "forecourt.plug_and_charge.cli.commands",
            "Plug & Charge: a test V2G PKI, its OCSP responder, contract checks.",
        ),
    },
)
