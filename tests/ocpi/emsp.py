"""An eMSP written in the tests from the OCPI specification: a real HTTP server on 127.0.0.1.

It speaks the versions it is given, registers with a CPO (we give it our token A) or lets a
CPO register with it (it hands out its own token A), receives location pushes on its
locations RECEIVER endpoint and can be told to fail the next pushes (to prove retries).
Every object it receives is checked against ``spec``.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.ocpi import spec
from tests.support.server import free_port


def ok(data: Any = None, code: int = 1000, http: int = 200) -> JSONResponse:
    body: dict[str, Any] = {
        "status_code": code,
        "status_message": "OK" if code == 1000 else "refused",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if data is not None:
        body["data"] = data
    return JSONResponse(body, status_code=http)


def token_header(token: str) -> dict[str, str]:
    return {"Authorization": "Token " + base64.b64encode(token.encode()).decode()}


@dataclass
class Emsp:
    versions: list[str]
    party: str = "EMS"  # our party id (country NL)
    port: int = field(default_factory=free_port)
    #: Tokens the CPO may call us with: our token A (until registration), then B.
    accepted: set[str] = field(default_factory=set)
    token_a: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    #: The token we call the CPO with (its A, then its C) and its versions URL.
    cpo_token: str = ""
    cpo_versions_url: str = ""
    cpo_endpoints: dict[str, str] = field(default_factory=dict)
    version: str = ""
    pushes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    fail_next: int = 0
    failed: int = 0
    #: Tokens we issued (uid -> Token object) and the real-time answer for each (AllowedType).
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)
    allowed: dict[str, str] = field(default_factory=dict)
    authorize_calls: list[tuple[str, str]] = field(default_factory=list)  # (uid, type)
    authorize_down: bool = False  # answer real-time authorization with HTTP 503
    #: CommandResults the CPO POSTed to our response URLs, by the URL's last segment.
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_results: int = 0  # answer the next CommandResults with HTTP 503 (partner down)
    failed_results: int = 0
    #: "EMSP", or "PTP": a Payment Terminal Provider (2.3.0 mod_payments sender interface).
    role: str = "EMSP"
    #: Sessions as the CPO's PUT/PATCHes left them (mod_sessions receiver), by session id,
    #: every call received (method, session id, body), and the CDRs POSTed (mod_cdrs receiver).
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    session_calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    cdrs: list[dict[str, Any]] = field(default_factory=list)
    #: Answer the next N session or CDR pushes with HTTP 503 (the partner is down).
    sessions_down: int = 0
    cdrs_down: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/emsp"

    def credentials(self, token: str) -> dict[str, Any]:
        role = {
            "role": self.role,
            "business_details": {"name": f"Test {self.role}"},
            "party_id": self.party,
            "country_code": "NL",
        }
        return {"token": token, "url": f"{self.base}/versions", "roles": [role]}

    # -- the eMSP's own endpoints ------------------------------------------------------------
    def _authorized(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Token":
            return False
        return base64.b64decode(value).decode() in self.accepted

    async def _versions(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return ok(code=2001, http=401)
        return ok([{"version": v, "url": f"{self.base}/{v}"} for v in self.versions])

    async def _details(self, request: Request) -> JSONResponse:
        version = request.path_params["version"]
        if not self._authorized(request) or version not in self.versions:
            return ok(code=2001, http=401)
        endpoints = [
            {"identifier": module, "role": "RECEIVER", "url": f"{self.base}/{version}/{module}"}
            for module in ("credentials", "locations", "tariffs", "sessions", "cdrs")
        ]
        endpoints.append(
            {"identifier": "tokens", "role": "SENDER", "url": f"{self.base}/{version}/tokens"}
        )
        if self.role == "PTP":
            url = f"{self.base}/{version}/payments"
            endpoints.append({"identifier": "payments", "role": "SENDER", "url": url})
        return ok({"version": version, "endpoints": endpoints})

    async def _credentials(self, request: Request) -> JSONResponse:
        """The CPO registers with us (credentials §7.2.2): its token B in, our token C out."""
        if not self._authorized(request):
            return ok(code=2001, http=401)
        if request.method == "DELETE":
            self.accepted.clear()
            return ok()
        theirs = await request.json()
        spec.check(spec.CREDENTIALS, theirs)
        self.cpo_token = theirs["token"]
        self.cpo_versions_url = theirs["url"]
        self.version = request.path_params["version"]
        token_c = secrets.token_urlsafe(16)
        self.accepted = {token_c}
        return ok(self.credentials(token_c))

    async def _locations(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return ok(code=2001, http=401)
        if self.fail_next > 0:
            self.fail_next -= 1
            self.failed += 1
            return ok(code=3000, http=503)
        body = await request.json()
        version = request.path_params["version"]
        path = request.path_params["rest"]
        if request.method == "PATCH":
            spec.check(spec.EVSE_PATCH, body)
        elif path.count("/") == 3:
            spec.check(spec.evse(version), body)
        else:
            spec.check(spec.location(version), body)
        self.pushes.append((request.method, path, body))
        return ok()

    def issue(self, uid: str, whitelist: str = "ALWAYS", *, valid: bool = True) -> dict[str, Any]:
        """A token of ours (mod_tokens §12.3.2); real-time answers ALLOWED until told otherwise."""
        token = {
            "country_code": "NL",
            "party_id": self.party,
            "uid": uid,
            "type": "RFID",
            "contract_id": f"NL-{self.party}-C{uid[-8:]}",
            "issuer": "Test eMSP",
            "valid": valid,
            "whitelist": whitelist,
            "last_updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        self.issued[uid] = token
        self.allowed.setdefault(uid, "ALLOWED")
        return token

    async def _authorize(self, request: Request) -> JSONResponse:
        """Tokens sender §12.2.1.2: real-time authorization of one of our tokens."""
        if not self._authorized(request):
            return ok(code=2001, http=401)
        uid = request.path_params["uid"]
        self.authorize_calls.append((uid, request.query_params.get("type", "RFID")))
        if self.authorize_down:
            return ok(code=3000, http=503)
        if uid not in self.issued:
            return ok(code=2004, http=404)
        return ok({"allowed": self.allowed[uid], "token": self.issued[uid]})

    async def push_token(self, token: dict[str, Any], method: str = "PUT") -> httpx.Response:
        """Tokens receiver §12.2.2 on the CPO: PUT (or PATCH) one of our tokens."""
        url = f"{self.cpo_endpoints['tokens']}/NL/{self.party}/{token['uid']}?type=RFID"
        return await self.call(method, url, token)

    def response_url(self, name: str) -> str:
        return f"{self.base}/{self.version}/results/{name}"

    async def _result(self, request: Request) -> JSONResponse:
        """Commands sender §13.2.1: the CPO's asynchronous CommandResult."""
        if not self._authorized(request):
            return ok(code=2001, http=401)
        if self.fail_results > 0:
            self.fail_results -= 1
            self.failed_results += 1
            return ok(code=3000, http=503)
        body = await request.json()
        spec.check(spec.COMMAND_RESULT, body)
        self.results[request.path_params["name"]] = body
        return ok()

    async def _payments(self, request: Request) -> JSONResponse:
        """Payments sender interface (mod_payments, the PTP): the CPO's terminal assignment
        (PATCH), activation and deactivation (POST)."""
        if not self._authorized(request):
            return ok(code=2001, http=401)
        body = await request.json()
        rest = request.path_params["rest"]
        if request.method == "PATCH":
            spec.check(spec.TERMINAL_PATCH, body)
        elif rest == "terminals/activate":
            spec.check(spec.TERMINAL, body)
        self.pushes.append((request.method, "payments/" + rest, body))
        return ok()

    async def _tariffs(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return ok(code=2001, http=401)
        body = await request.json()
        spec.check(spec.tariff(request.path_params["version"]), body)
        self.pushes.append((request.method, "tariffs/" + request.path_params["rest"], body))
        return ok()

    async def _sessions(self, request: Request) -> JSONResponse:
        """Sessions receiver §9.2.2: PUT a whole Session, PATCH what changed."""
        if not self._authorized(request):
            return ok(code=2001, http=401)
        if self.sessions_down > 0:
            self.sessions_down -= 1
            return ok(code=3000, http=503)
        version = request.path_params["version"]
        country, party, session_id = request.path_params["rest"].split("/")
        body = await request.json()
        if request.method == "PUT":
            spec.check(spec.session(version), body)
            assert (country, party, session_id) == (
                body["country_code"],
                body["party_id"],
                body["id"],
            )
            self.sessions[session_id] = body
        else:
            if session_id not in self.sessions:
                return ok(code=2001, http=404)  # PATCH of a session we never got
            spec.check(spec.session_patch(version), body)
            merged = {**self.sessions[session_id], **body}
            spec.check(spec.session(version), merged)
            self.sessions[session_id] = merged
        self.session_calls.append((request.method, session_id, body))
        return ok()

    async def _cdrs(self, request: Request) -> JSONResponse:
        """CDRs receiver §10.2.2: POST a new CDR."""
        if not self._authorized(request):
            return ok(code=2001, http=401)
        if self.cdrs_down > 0:
            self.cdrs_down -= 1
            return ok(code=3000, http=503)
        body = await request.json()
        spec.check(spec.cdr(request.path_params["version"]), body)
        self.cdrs.append(body)
        return ok()

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/emsp/versions", self._versions),
                Route("/emsp/{version}", self._details),
                Route(
                    "/emsp/{version}/credentials",
                    self._credentials,
                    methods=["POST", "PUT", "DELETE"],
                ),
                Route("/emsp/{version}/tokens/{uid}/authorize", self._authorize, methods=["POST"]),
                Route("/emsp/{version}/results/{name}", self._result, methods=["POST"]),
                Route("/emsp/{version}/tariffs/{rest:path}", self._tariffs, methods=["PUT"]),
                Route(
                    "/emsp/{version}/payments/{rest:path}",
                    self._payments,
                    methods=["PATCH", "POST"],
                ),
                Route(
                    "/emsp/{version}/sessions/{rest:path}",
                    self._sessions,
                    methods=["PUT", "PATCH"],
                ),
                Route("/emsp/{version}/cdrs", self._cdrs, methods=["POST"]),
                Route(
                    "/emsp/{version}/locations/{rest:path}",
                    self._locations,
                    methods=["PUT", "PATCH"],
                ),
            ]
        )

    # -- the eMSP calling the CPO -------------------------------------------------------------
    async def call(self, method: str, url: str, body: Any = None) -> httpx.Response:
        async with httpx.AsyncClient(timeout=60) as client:
            answer = await client.request(
                method, url, json=body, headers=token_header(self.cpo_token)
            )
        spec.check(spec.ENVELOPE, answer.json())
        return answer

    async def register_with(self, versions_url: str, token_a: str) -> None:
        """credentials §7.2.1 from the eMSP's side: versions, details, POST our token B."""
        self.cpo_token = token_a
        versions = (await self.call("GET", versions_url)).json()["data"]
        chosen = next(v for v in versions if v["version"] in self.versions)
        self.version = chosen["version"]
        details = (await self.call("GET", chosen["url"])).json()["data"]
        self.cpo_endpoints = {e["identifier"]: e["url"] for e in details["endpoints"]}
        token_b = secrets.token_urlsafe(16)
        self.accepted = {token_b}
        answer = await self.call(
            "POST", self.cpo_endpoints["credentials"], self.credentials(token_b)
        )
        assert answer.status_code == 200, answer.text
        data = answer.json()["data"]
        spec.check(spec.CREDENTIALS, data)
        self.cpo_token = data["token"]  # token C


@asynccontextmanager
async def running_emsp(
    versions: list[str], party: str = "EMS", role: str = "EMSP"
) -> AsyncIterator[Emsp]:
    emsp = Emsp(versions, party, role=role)
    config = uvicorn.Config(emsp.app(), host="127.0.0.1", port=emsp.port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield emsp
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
