"""``reportkit serve``: a live preview for editors and an HTTP API for systems (``pip install "reportkit[serve]"``).

- :mod:`.app`: the Starlette application, authentication and request limits;
- :mod:`.editor`: the editor's page, kept current by watchfiles and server-sent events;
- :mod:`.api`: ``POST /api/build``, ``GET /api/schema``, the OpenAPI document;
- :mod:`.pool` and :mod:`.jobs`: rendering in a bounded pool of warm worker processes;
- :mod:`.config`: the address, tokens and limits, and who may listen where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import ServeConfig, check_host, read_tokens

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["ServeConfig", "check_host", "create_app", "read_tokens", "run"]


def create_app(config: ServeConfig) -> Starlette:
    """The ASGI application serving ``config.root`` (imports Starlette: needs reportkit[serve])."""
    from .app import create_app as create

    return create(config)


def run(config: ServeConfig, *, log_level: str = "info") -> None:
    """Serve until Ctrl-C (imports uvicorn: needs reportkit[serve])."""
    from .app import run as serve

    serve(config, log_level=log_level)
