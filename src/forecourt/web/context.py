"""What every page shares: services, templates, sessions, the live feed, navigation, hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import HTMLResponse

from forecourt.domain.stations import Site, Station
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.settings import Settings
from forecourt.web.auth import CSRF_COOKIE, SessionCodec, SignedIn, csrf_binding, set_cookie
from forecourt.web.live import LiveFeed
from forecourt.web.rendering import Renderer

_CSRF_MAX_AGE_S = 7 * 24 * 3600

#: Same-origin everything; no inline scripts or styles (htmx indicator styles are off).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    needed: Role
    network_wide: bool = False  # hidden from site-restricted users (web.scope.Reach.NETWORK)


#: The dashboard's navigation; a new page appends its entry (see docs/web.md).
DEFAULT_NAV = (
    NavItem("Overview", "/dashboard", Role.VIEWER),
    NavItem("Sessions", "/dashboard/sessions", Role.VIEWER),
    NavItem("Sites", "/dashboard/sites", Role.VIEWER),
    NavItem("Reservations", "/dashboard/reservations", Role.VIEWER),
    NavItem("Drift", "/dashboard/drift", Role.VIEWER),
    NavItem("Tokens", "/dashboard/tokens", Role.OPERATOR, network_wide=True),
    NavItem("API keys", "/dashboard/api-keys", Role.ADMIN),
)


@dataclass(frozen=True, slots=True)
class DriverPage:
    """What a driver page shows, handed to driver-page hooks (payments, compatibility)."""

    site: Site
    stations: list[Station]
    evse: tuple[str, int] | None  # (station id, EVSE id) on an EVSE's own page (QR code)
    car: str | None  # the driver's "My car" choice (kept in the browser's localStorage)


DriverHook = Callable[[DriverPage], Awaitable[Mapping[str, Any]]]

#: Template variables of driver-page slots, with their value when no hook fills them.
DRIVER_SLOTS: Mapping[str, Any] = {
    "price_text": None,  # payments: the price in plain words
    "price_bands": (),  # payments: the day's time-of-day prices (PriceBand rows), if several
    "price_zone": "",  # payments: the time zone of those bands
    "price_fees": (),  # payments: what is added to the energy price, in words
    "pay_url": None,  # payments: scan-to-pay entry point
    "pay_label": "Start and pay by card",
    "vehicle_options": (),  # compat: ((vehicle id, label), ...) for the "My car" selector
    "compat": None,  # compat: whatever driver/_compat.html renders for the chosen car
}


#: Places in the frame's pages where features add their own template (``add_slot_template``).
#: A slot template sees the page's context; dashboard slots usually hold a lazy htmx panel
#: (``hx-get`` of the feature's own route, ``hx-trigger="load"``) so they need no data here.
SLOT_NAMES = (
    "driver.compat",  # the "My car" answer (context: car, compat)
    "driver.connector",  # under each connector on driver pages (context: view, car, compat)
    "driver.page",  # end of the driver pages
    "dashboard.overview",  # panels at the end of the network overview
    "dashboard.station",  # panels at the end of the station page (context: station)
    "dashboard.session",  # panels on the session page (context: tx, station)
)


class WebContext:
    def __init__(self, services: Services, settings: Settings) -> None:
        self.services = services
        self.settings = settings
        self.renderer = Renderer()
        self.sessions = SessionCodec(settings.secret_key)
        self.live = LiveFeed(services.ctx.bus)
        self.nav: list[NavItem] = list(DEFAULT_NAV)
        self.cluster_status: Callable[[], dict[str, Any]] | None = None  # cluster mode only
        self.driver_hooks: list[DriverHook] = []
        self.slots: dict[str, list[str]] = {name: [] for name in SLOT_NAMES}

    def add_templates(self, package: str) -> None:
        """Let a feature's ``package`` (its ``templates/`` folder) serve page templates too."""
        from jinja2 import ChoiceLoader, PackageLoader

        environment = self.renderer.environment
        mine = PackageLoader(package, "templates")
        loaders = [loader for loader in (environment.loader, mine) if loader is not None]
        environment.loader = ChoiceLoader(loaders)

    def add_driver_hook(self, hook: DriverHook) -> None:
        """Let another feature add template variables to driver pages (see DRIVER_SLOTS)."""
        self.driver_hooks.append(hook)

    def add_slot_template(self, slot: str, template: str) -> None:
        """Render ``template`` in the frame's ``slot`` (see SLOT_NAMES) on every page."""
        if slot not in self.slots:
            raise ValueError(f"unknown slot {slot!r}; slots are {', '.join(SLOT_NAMES)}")
        self.slots[slot].append(template)

    async def driver_context(self, page: DriverPage) -> dict[str, Any]:
        context = dict(DRIVER_SLOTS)
        for hook in self.driver_hooks:
            context.update(await hook(page))
        return context

    def nav_for(self, me: SignedIn | None) -> list[NavItem]:
        if me is None:
            return []
        return [
            item
            for item in self.nav
            if me.access.allows(item.needed) and not (item.network_wide and me.access.restricted)
        ]

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        status_code: int = 200,
    ) -> HTMLResponse:
        """Render a page with what every template may use: ``me``, ``nav``, ``csrf_token``."""
        me = getattr(request.state, "signed_in", None)
        token = request.cookies.get(CSRF_COOKIE, "")
        binding = csrf_binding(request)
        fresh = not token or not self.sessions.csrf_token_valid(token, binding)
        if fresh:
            token = self.sessions.new_csrf_token(binding)
        shared = {
            "me": me,
            "nav": self.nav_for(me),
            "csrf_token": token,
            "path": request.url.path,
            "slots": self.slots,
        }
        response = self.renderer.response(request, template, {**shared, **context}, status_code)
        if fresh:
            set_cookie(request, response, CSRF_COOKIE, token, _CSRF_MAX_AGE_S)
        _secure_headers(response, private=me is not None)
        return response


def _secure_headers(response: HTMLResponse, *, private: bool) -> None:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY  # the rest: web.headers
    # Dashboard pages hold private data; driver pages must show fresh status.
    response.headers["Cache-Control"] = "no-store" if private else "no-cache"


def web_of(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


Web = Annotated[WebContext, Depends(web_of)]
