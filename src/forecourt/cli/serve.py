"""``forecourt serve`` and ``forecourt demo``: run the CSMS (and, for the demo, a fleet)."""

from __future__ import annotations

import asyncio
import gc
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from forecourt.domain.stations import RegistrationPolicy

if TYPE_CHECKING:  # imported when the server starts: `serve --help` needs none of them
    import ssl
    from collections.abc import Callable

    import uvicorn
    from fastapi import FastAPI

    #: uvicorn's ``ssl_context_factory``: (config, its default factory) -> the context.
    SslContextFactory = Callable[[Any, Callable[[], ssl.SSLContext]], ssl.SSLContext]

    from forecourt.settings import Settings


def load_settings(**overrides: Any) -> Settings:
    """Environment (FORECOURT_*) first, then the flags that were actually given."""
    from pydantic import ValidationError

    from forecourt.settings import Settings

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise typer.BadParameter(problems) from exc


LISTEN_BACKLOG = 8192
#: Allocations between young-generation collections once start-up is frozen (default 700).
GC_YOUNG_THRESHOLD = 10_000


def uvicorn_config(settings: Settings, app: FastAPI) -> uvicorn.Config:
    import uvicorn

    from forecourt.gateway.edge import edge_protocols

    http, ws = edge_protocols(app.state.forecourt.edge)
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=http,
        ws=ws,  # websockets-sansio with the edge's limits (forecourt.gateway.edge)
        ws_per_message_deflate=settings.ws_per_message_deflate,
        ws_ping_interval=settings.ws_ping_interval,
        ws_ping_timeout=settings.ws_ping_timeout,
        ws_max_size=settings.ws_max_message_size,
        ssl_certfile=str(settings.tls_certfile) if settings.tls_certfile else None,
        ssl_keyfile=str(settings.tls_keyfile) if settings.tls_keyfile else None,
        ssl_context_factory=_tls_context_factory(settings),
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        # after a restart the whole network connects within a second: with uvicorn's 2048,
        # the SYNs beyond it wait for the client's retransmit (1 s, then 3 s); the kernel caps
        # it at net.core.somaxconn anyway
        backlog=LISTEN_BACKLOG,
    )


#: OpenSSL's X509_V_FLAG_NO_CHECK_TIME: the chain is verified, the dates are not (see below).
_NO_CHECK_TIME = 0x200000


def _tls_context_factory(settings: Settings) -> SslContextFactory | None:
    """The default context, plus a second certificate and client certificates when set."""
    certfile, keyfile = settings.tls_second_certfile, settings.tls_second_keyfile
    client_ca = settings.tls_client_ca_file
    if (certfile is None or keyfile is None) and client_ca is None:
        return None

    def factory(_config: object, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        context = default()
        if certfile is not None and keyfile is not None:
            # ECDSA and RSA in one context: OpenSSL keeps one per key type and picks the one
            # the negotiated cipher suite needs (A00.FR.318: both TLS 1.2 families)
            context.load_cert_chain(certfile, keyfile)
        if client_ca is not None:
            _ask_client_certificates(context, client_ca)
        return context

    return factory


def _ask_client_certificates(context: ssl.SSLContext, ca_file: Path) -> None:
    """Security profile 3 on the same port as 1 and 2: a certificate is asked for, not
    required (the station's stored profile decides), and its chain must lead to the bundle.
    Its validity dates are left to the gateway: an expired certificate then gets a security
    event and a clear refusal instead of a bare TLS alert (docs/security.md)."""
    import ssl

    context.verify_mode = ssl.CERT_OPTIONAL
    context.load_verify_locations(cafile=str(ca_file))
    context.verify_flags |= _NO_CHECK_TIME


def refuse_weak_secret_key(settings: Settings) -> None:
    """Sessions and CSRF tokens are signed with it: a known key lets anyone forge them."""
    from forecourt.settings import MIN_SECRET_KEY_LENGTH

    problem = ""
    if settings.uses_default_secret_key:
        problem = "FORECOURT_SECRET_KEY is not set (the built-in default is public)"
    elif len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        problem = f"FORECOURT_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if problem:
        typer.echo(
            f"Refusing to start: {problem}. Set a long random one, e.g.\n"
            "  export FORECOURT_SECRET_KEY=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')\n"
            "(`forecourt demo` makes and keeps its own.)",
            err=True,
        )
        raise typer.Exit(2)


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [FORECOURT_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Bind port [FORECOURT_PORT].")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL [FORECOURT_DATABASE_URL].")
    ] = None,
    registration_policy: Annotated[
        RegistrationPolicy | None, typer.Option(help="Unknown stations: strict|pending|auto.")
    ] = None,
    heartbeat_interval: Annotated[int | None, typer.Option(help="Heartbeat interval (s).")] = None,
    tls_certfile: Annotated[Path | None, typer.Option(help="TLS certificate (profile 2).")] = None,
    tls_keyfile: Annotated[Path | None, typer.Option(help="TLS private key (profile 2).")] = None,
    tls_client_ca_file: Annotated[
        Path | None, typer.Option(help="CA bundle for station certificates (profile 3).")
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="DEBUG|INFO|WARNING|ERROR.")] = None,
    log_format: Annotated[str | None, typer.Option(help="text|json.")] = None,
    migrate: Annotated[bool, typer.Option(help="Apply database migrations at start.")] = True,
) -> None:
    """Run the CSMS: OCPP at ws(s)://HOST:PORT/ocpp/{station_id}, REST API at /api (/docs)."""
    import uvicorn

    from forecourt.app import create_app
    from forecourt.observability.logging import configure_logging

    settings = load_settings(
        host=host,
        port=port,
        database_url=database_url,
        registration_policy=registration_policy,
        heartbeat_interval=heartbeat_interval,
        tls_certfile=tls_certfile,
        tls_keyfile=tls_keyfile,
        tls_client_ca_file=tls_client_ca_file,
        log_level=log_level,
        log_format=log_format,
    )
    refuse_weak_secret_key(settings)
    configure_logging(settings.log_level, settings.log_format.value)
    scheme = "https" if settings.tls_enabled else "http"
    typer.echo(f"Forecourt on {scheme}://{settings.host}:{settings.port}  (API docs: /docs)")
    app = create_app(settings, migrate=migrate)
    server_class = frozen_after_startup() if settings.gc_freeze else uvicorn.Server
    asyncio.run(server_class(uvicorn_config(settings, app)).serve())


def frozen_after_startup() -> type[uvicorn.Server]:
    """A server that freezes the collector after start-up (defined here: uvicorn is slow to
    import, and `--help` needs none of it)."""
    import uvicorn

    class FrozenAfterStartup(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            # what start-up built (routes, schemas, validators, caches) lives as long as the
            # process: out of the collector's generations, full collections with thousands of
            # stations connected scan far fewer objects (pauses of 100-700 ms measured without)
            gc.collect()
            gc.freeze()
            # each OCPP message allocates a few hundred short-lived objects: a young
            # generation of 700 (the default) ran a collection every few messages
            gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])

    return FrozenAfterStartup


def register(app: typer.Typer) -> None:
    app.command()(serve)
    from forecourt.cli.demo import demo  # the demo pulls in the simulator

    app.command()(demo)
