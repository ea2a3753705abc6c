"""How a server is set up: its folder, address, tokens, workers and limits; who may bind where.

Tokens come from a file (one a line; ``#`` starts a comment) or from the environment
(``REPORTKIT_TOKENS``, separated by commas or whitespace). Without tokens the server
listens only on a loopback address; :func:`check_host` refuses any other.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InputError
from ...limits import DEFAULT_LIMITS, Limits

__all__ = ["TOKENS_ENV", "ServeConfig", "check_host", "is_loopback", "read_tokens"]

#: Environment variable holding the API's bearer tokens.
TOKENS_ENV = "REPORTKIT_TOKENS"


@dataclass(frozen=True)
class ServeConfig:
    """Everything :func:`reportkit.tools.serve.create_app` needs."""

    #: The folder of fact-checks the editor's page lists and previews.
    root: Path
    host: str = "127.0.0.1"
    port: int = 8000
    #: SHA-256 digests of the accepted bearer tokens; empty: no authentication (loopback only).
    token_digests: frozenset[str] = field(default_factory=frozenset)
    #: Worker processes rendering at once, and jobs that may wait for one.
    workers: int = 1
    queue: int | None = None
    limits: Limits = DEFAULT_LIMITS
    #: The largest request body accepted (a fact-check with its images).
    max_upload_bytes: int = 32 * 1024 * 1024
    #: Address space of each worker process (0: unlimited).
    max_memory_mb: int = 2048
    #: Resolution of the PDF page images on the editor's page.
    preview_dpi: int = 60

    @property
    def needs_token(self) -> bool:
        """Whether every request must carry a bearer token."""
        return bool(self.token_digests)

    def accepts(self, token: str | None) -> bool:
        """Whether ``token`` is one of the accepted tokens (compared in constant time)."""
        if not token:
            return False
        digest = _digest(token)
        return any(hmac.compare_digest(digest, known) for known in self.token_digests)


def read_tokens(file: str | os.PathLike[str] | None = None, *, environ: dict[str, str] | None = None) -> frozenset[str]:
    """The digests of the tokens in ``file`` and in ``$REPORTKIT_TOKENS``; an empty set when there are none."""
    from ...input.text import read_text

    tokens: list[str] = []
    if file is not None:
        text = read_text(Path(file), what="token file", max_bytes=1024 * 1024)
        tokens += [line.split("#", 1)[0].strip() for line in text.splitlines()]
    env = os.environ if environ is None else environ
    tokens += env.get(TOKENS_ENV, "").replace(",", " ").split()
    tokens = [t for t in tokens if t]
    short = [t for t in tokens if len(t) < 16]
    if short:
        raise InputError(
            f"{len(short)} token(s) shorter than 16 characters",
            file=file if file is not None else None,
            hint="use long random tokens, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
        )
    return frozenset(_digest(t) for t in tokens)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, token_digests: frozenset[str]) -> None:
    """Refuse to listen on a non-loopback address without tokens (raises :class:`InputError`)."""
    if not is_loopback(host) and not token_digests:
        raise InputError(
            f"refusing to listen on {host} without authentication",
            field="--host",
            hint=f"give tokens (--token-file FILE, or ${TOKENS_ENV}), or keep the default 127.0.0.1",
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
