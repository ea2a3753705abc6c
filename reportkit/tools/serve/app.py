"""The ASGI application (Starlette): routes, authentication, request limits, and how errors are answered.

Every answer to a problem is a short JSON :class:`~reportkit.tools.serve.answers.ErrorBody`;
no traceback or server path ever reaches a client (unexpected failures are logged).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...errors import ReportkitError
from . import api, editor
from .answers import error_response
from .config import ServeConfig, is_loopback
from .pool import Busy
from .server import Server

__all__ = ["create_app", "run"]

log = logging.getLogger("reportkit.serve")

#: The cookie the editor's page is authenticated by once opened as ``/?token=...``.
COOKIE = "reportkit_token"


# --- middleware ---------------------------------------------------------------------------------


class BodyTooLarge(Exception):
    """A request body went past the server's limit."""


class Guard:
    """Bearer tokens (or the editor's cookie) on every request, a cap on request bodies, security headers."""

    def __init__(self, app: ASGIApp, config: ServeConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.config.needs_token and not self._authenticated(request):
            if request.url.path == "/" and self.config.accepts(request.query_params.get("token")):
                await self._login(request, scope, receive, send)
                return
            response = error_response(401, "Unauthorized", "a valid bearer token is required",
                                          hint="send 'Authorization: Bearer TOKEN'")
            response.headers["WWW-Authenticate"] = 'Bearer realm="reportkit"'
            await response(scope, receive, send)
            return
        length = request.headers.get("content-length")
        limit = self.config.max_upload_bytes
        if length is not None and (not length.isdigit() or int(length) > limit):
            await error_response(413, "LimitError", f"the request is larger than {limit // 2**20} MB",
                                     hint="send smaller images, or ask for a higher --max-upload-mb")(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in _SECURITY_HEADERS:
                    if name not in names:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, counted, headed)

    def _authenticated(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and self.config.accepts(token.strip()):
            return True
        return self.config.accepts(request.cookies.get(COOKIE))

    async def _login(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        """``/?token=...``: keep the token in a cookie for the page and its streams, and drop it from the address."""
        from starlette.responses import RedirectResponse

        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, request.query_params["token"], httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        await response(scope, receive, send)


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; frame-src 'self'; style-src 'self'; script-src 'self'; "
     b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"),
]


# --- errors -------------------------------------------------------------------------------------


async def _reportkit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ReportkitError)
    from .jobs import describe

    error = describe(exc, request.app.state.server.config.root)
    status = error.pop("status")
    return error_response(status, error.pop("error"), error.pop("message"), **error)


async def _busy(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Busy)
    return error_response(429, "Busy", str(exc), retry_after=exc.retry_after,
                              hint=f"retry after {exc.retry_after} s")


async def _too_large(request: Request, exc: Exception) -> Response:
    limit = request.app.state.server.config.max_upload_bytes
    return error_response(413, "LimitError", f"the request is larger than {limit // 2**20} MB",
                              hint="send smaller images, or ask for a higher --max-upload-mb")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    names = {400: "InputError", 404: "NotFound", 405: "MethodNotAllowed", 413: "LimitError"}
    return error_response(exc.status_code, names.get(exc.status_code, "HTTPError"), str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected failure answering %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "InternalError", "the server failed unexpectedly; the failure is logged")


def create_app(config: ServeConfig) -> Starlette:
    """The ASGI application serving ``config.root``: the editor's page and the API."""
    server = Server(config)
    previews = editor.Previews(server)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import asyncio

        server.pool.start()
        stop = asyncio.Event()
        watcher = asyncio.create_task(previews.watch(stop))
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(watcher, timeout=5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                watcher.cancel()
            server.pool.close()

    hosts = ["127.0.0.1", "localhost", "[::1]", "::1"] if is_loopback(config.host) and not config.needs_token else ["*"]
    routes = [
        Route("/", editor.page),
        Route("/checks", editor.checks),
        Route("/events", editor.events),
        Route("/preview", editor.preview_state),
        Route("/preview/{key}/{version:int}/{part}", editor.preview_file),
        Route("/download", editor.download),
        Route("/download/bundle", editor.download_bundle),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
        Route("/api/build", api.build, methods=["POST"]),
        Route("/api/schema", api.schema),
        Route("/api/layouts", api.capabilities),
        Route("/api/openapi.json", api.openapi_document),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts), Middleware(Guard, config=config)],
        exception_handlers={
            ReportkitError: _reportkit_error,
            Busy: _busy,
            BodyTooLarge: _too_large,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.server = server
    app.state.previews = previews
    return app


def run(config: ServeConfig, *, log_level: str = "info") -> None:
    """Serve ``config.root`` with uvicorn until Ctrl-C."""
    import uvicorn

    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level=log_level,
                timeout_graceful_shutdown=3, proxy_headers=False, server_header=False)
