"""The ``Codec`` port: neutral views to OCPI objects per version, and peers' objects back.

Version differences are the small tables below, nothing else:
- ``SAE_J3400`` exists from 2.3.0 (mod_locations ConnectorType). In 2.2.1 the nearest value is
  ``TESLA_S``, "Tesla Connector 'Model-S'-type (oval, all rounded corners)": the same plug
  J3400 standardised, which is how 2.2.1 CPOs published NACS before 2.3.0.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from forecourt.domain.connectors import SUPPORTED_POWER_TYPES, ConnectorType, PowerType
from forecourt.ocpi.domain.amenities import Amenities
from forecourt.ocpi.domain.locations import ConnectorView, EvseView, LocationView, ParkingPlace
from forecourt.ocpi.domain.parties import PartyRef, PartyRole, PeerCredentials, Role, Us
from forecourt.ocpi.domain.status import invalid
from forecourt.ocpi.domain.versions import Version
from forecourt.ocpi.schemas.common import (
    BusinessDetails,
    CredentialsObject,
    CredentialsRole,
    VersionDetails,
    VersionEntry,
    timestamp,
)
from forecourt.ocpi.schemas.locations import (
    Connector,
    Evse,
    EvseParking,
    GeoLocation,
    Image,
    Location,
    OpeningTimes,
    Parking,
    RegularHours,
)

_STANDARD: dict[ConnectorType, str] = {
    ConnectorType.CCS1: "IEC_62196_T1_COMBO",
    ConnectorType.CCS2: "IEC_62196_T2_COMBO",
    ConnectorType.J1772: "IEC_62196_T1",
    ConnectorType.TYPE2: "IEC_62196_T2",
    ConnectorType.CHADEMO: "CHADEMO",
    ConnectorType.GBT_AC: "GBT_AC",
    ConnectorType.GBT_DC: "GBT_DC",
}
_NACS = {Version.V2_2_1: "TESLA_S", Version.V2_3_0: "SAE_J3400"}
_SOCKETS = frozenset({ConnectorType.TYPE2, ConnectorType.GBT_AC})  # the rest come on a cable
_POWER = {
    PowerType.AC_1_PHASE: "AC_1_PHASE",
    PowerType.AC_3_PHASE: "AC_3_PHASE",
    PowerType.DC: "DC",
}
#: ISO 3166 alpha-2 to alpha-3 (Location.country) for the markets we know.
_ALPHA3 = {
    "US": "USA",
    "CA": "CAN",
    "MX": "MEX",
    "NL": "NLD",
    "DE": "DEU",
    "GB": "GBR",
    "FR": "FRA",
    "BE": "BEL",
    "NO": "NOR",
    "SE": "SWE",
    "DK": "DNK",
    "AT": "AUT",
    "CH": "CHE",
    "ES": "ESP",
    "IT": "ITA",
    "AU": "AUS",
}


def standard(version: Version, kind: ConnectorType) -> str | None:
    """The OCPI ConnectorType, or ``None`` when the version has none (MCS, unknown)."""
    return _NACS[version] if kind is ConnectorType.NACS else _STANDARD.get(kind)


def connector(version: Version, view: ConnectorView) -> Connector | None:
    name = standard(version, view.type)
    if name is None:
        return None
    rating = view.rating
    power = rating.power_type if rating else _only_power(view.type)
    return Connector(
        id=view.id,
        standard=name,
        format="SOCKET" if view.type in _SOCKETS else "CABLE",
        power_type=_POWER[power],
        max_voltage=round(rating.max_voltage_v) if rating else 0,
        max_amperage=round(rating.max_current_a) if rating else 0,
        max_electric_power=round(rating.max_power_w) if rating else None,
        tariff_ids=list(view.tariff_ids) or None,
        last_updated=timestamp(view.last_updated),
    )


def evse(
    version: Version,
    view: EvseView,
    amenities: Amenities | None = None,
    parking: tuple[ParkingPlace, ...] = (),
) -> Evse | None:
    connectors = [c for c in (connector(version, v) for v in view.connectors) if c is not None]
    if not connectors:
        return None  # an EVSE needs one connector OCPI can name (mod_locations EVSE)
    served = [
        EvseParking(parking_id=p.id, evse_position=p.evse_position)
        for p in parking
        if p.evse_uid == view.uid
    ]
    return Evse(
        uid=view.uid,
        evse_id=view.evse_id,
        status=view.status,
        capabilities=list(view.capabilities),
        connectors=connectors,
        physical_reference=str(view.evse_number),
        parking_restrictions=[r.value for r in amenities.parking_restrictions] or None
        if amenities
        else None,
        parking=served if served and version is Version.V2_3_0 else None,
        last_updated=timestamp(view.last_updated),
    )


def location(version: Version, us: PartyRef, view: LocationView) -> Location:
    site = view.site
    street, _, rest = (site.address or site.name).partition(",")
    city = rest.split(",")[0].strip()
    has_place = site.latitude is not None and site.longitude is not None
    extras = view.amenities
    evses = [
        e for e in (evse(version, v, extras, view.parking) for v in view.evses) if e is not None
    ]
    return Location(
        country_code=us.country_code,
        party_id=us.party_id,
        id=site.id,
        publish=has_place,  # no coordinates: not for maps
        name=site.name[:255],
        address=street.strip()[:45],
        city=city[:45],
        country=_ALPHA3.get(us.country_code, "USA"),
        coordinates=GeoLocation(
            latitude=f"{site.latitude or 0:.6f}", longitude=f"{site.longitude or 0:.6f}"
        ),
        evses=evses,
        facilities=list(extras.facilities) or None,
        time_zone=site.timezone,
        opening_times=_opening_times(extras),
        parking_type=extras.parking_type.value
        if extras.parking_type and version is Version.V2_2_1
        else None,
        images=[_image(url) for url in extras.images] or None,
        parking_places=_parking_places(view) if version is Version.V2_3_0 else None,
        last_updated=timestamp(view.last_updated),
    )


def _parking_places(view: LocationView) -> list[Parking] | None:
    """2.3.0 Parking per stall an EVSE here serves (compat's stall data, ``ports.stalls``),
    with the site's canopy and lighting (only when we know they are there)."""
    extras = view.amenities
    places = [
        Parking(
            id=p.id[:36],
            vehicle_types=[
                "PERSONAL_VEHICLE",
                *(["PERSONAL_VEHICLE_WITH_TRAILER"] if p.pull_through else []),
                *(["DISABLED"] if p.accessible else []),
            ],
            parking_space_width=round(p.width_m * 100),
            drive_through=p.pull_through,
            restricted_to_type=False,
            reservation_required=False,
            roofed=True if extras.canopy else None,
            lighting=True if extras.lighting else None,
        )
        for p in view.parking
    ]
    return places or None


def _opening_times(amenities: Amenities) -> OpeningTimes | None:
    if amenities.open_24_7:
        return OpeningTimes(twentyfourseven=True)
    if not amenities.hours:
        return None  # unknown: OCPI reads a missing opening_times as "no information"
    hours = [
        RegularHours(weekday=h.weekday, period_begin=h.begin, period_end=h.end)
        for h in amenities.hours
    ]
    return OpeningTimes(twentyfourseven=False, regular_hours=hours)


def _image(url: str) -> Image:
    extension = url.rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else "jpg"
    return Image(url=url, category="LOCATION", type=extension[:4])


def _only_power(kind: ConnectorType) -> PowerType:
    supported = SUPPORTED_POWER_TYPES[kind]
    return PowerType.DC if PowerType.DC in supported else min(supported)


class PydanticCodec:
    """``ports.Codec`` over these models."""

    def credentials(self, version: Version, us: Us, token: str) -> dict[str, Any]:  # noqa: ARG002
        role = CredentialsRole(
            role=Role.CPO,
            business_details=BusinessDetails(name=us.name),
            party_id=us.ref.party_id,
            country_code=us.ref.country_code,
        )
        return CredentialsObject(token=token, url=us.versions_url, roles=[role]).wire()

    def parse_credentials(self, version: Version, data: Any) -> PeerCredentials:  # noqa: ARG002
        try:
            parsed = CredentialsObject.model_validate(data)
        except ValidationError as exc:
            raise invalid(f"credentials object: {_first(exc)}") from exc
        roles = tuple(
            PartyRole(r.role, PartyRef(r.country_code, r.party_id), r.business_details.name)
            for r in parsed.roles
        )
        return PeerCredentials(parsed.token, parsed.url, roles)

    def parse_versions(self, data: Any) -> dict[str, str]:
        try:
            return {v.version: v.url for v in map(VersionEntry.model_validate, data or [])}
        except (ValidationError, TypeError) as exc:
            raise invalid("versions list is malformed") from exc

    def parse_endpoints(self, version: Version, data: Any) -> dict[str, str]:  # noqa: ARG002
        try:
            details = VersionDetails.model_validate(data)
        except ValidationError as exc:
            raise invalid(f"version details: {_first(exc)}") from exc
        # We are the CPO: we call the peer's RECEIVER interfaces (and its credentials).
        return {
            e.identifier: e.url
            for e in details.endpoints
            # ... and the eMSP's tokens SENDER, for real-time authorization (§12.2.1), and the
            # PTP's payments SENDER, where we PATCH and (de)activate terminals (mod_payments)
            if e.role == "RECEIVER" or e.identifier in ("credentials", "tokens", "payments")
        }

    def evse(self, version: Version, view: EvseView) -> dict[str, Any]:
        built = evse(version, view)
        return built.wire() if built else {"last_updated": timestamp(view.last_updated)}


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "body"
    return f"{where}: {error['msg']}"
