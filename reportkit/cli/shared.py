"""What more than one command uses: output with control characters escaped, failing with an exit status,
the ``--format`` callback, the signing options and the digest step of ``build --bundle`` and ``bundle``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["KEY_HELP", "bundle_pdfs", "echo", "echo_json", "fail", "parse_formats", "secho", "sign_options"]

#: Help of the options naming a signing key (``build --sign``, ``sign --key``).
KEY_HELP = "The signer's private key (PEM), or a PKCS#12 file (.p12/.pfx) holding key and certificate."


def parse_formats(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    """The ``--format`` callback: the comma-separated formats, known ones only, each once."""
    from ..writers import FORMATS as KNOWN

    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in KNOWN]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: choose from {', '.join(KNOWN)}")
    return list(dict.fromkeys(names))


def sign_options(key: Path, cert: Path | None, chain: tuple[Path, ...], tsa: str | None, ltv: bool,
                 trust: Path | None) -> dict[str, Any]:
    """The keyword options of :func:`reportkit.tools.sign.sign` the CLI was given."""
    return {"key": key, "cert": cert, "chain": chain, "tsa": tsa, "ltv": ltv, "trust": trust}


def bundle_pdfs(pdfs: list[Path], output: Path, **options: object) -> int:
    """Write a digest of ``pdfs``; return the exit status (0, or the error's)."""
    from ..tools.bundle import bundle
    from ..errors import ReportkitError, ReportkitWarning

    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReportkitWarning)
        try:
            path = bundle(pdfs, output, **options)  # type: ignore[arg-type]
        except ReportkitError as exc:
            secho(f"error: {exc}", fg="red", err=True)
            return exc.exit_code
        finally:
            for warning in caught:
                secho(f"warning: {warning.message}", fg="yellow", err=True)
    echo(f"wrote {path}")
    return 0


def fail(message: str, code: int) -> None:
    """Print ``error: message`` and end the command with exit status ``code``."""
    secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def echo(message: object = "", **options: Any) -> None:
    """click.echo with every control character escaped: what is echoed may come from the input."""
    from ..errors import printable

    click.echo(printable(message, newlines=True), **options)


def secho(message: object = "", **options: Any) -> None:
    """click.secho with every control character escaped (the colours are added after)."""
    from ..errors import printable

    click.secho(printable(message, newlines=True), **options)


def echo_json(text: str, **options: Any) -> None:
    """Print JSON with the control characters json.dumps leaves as they are written as \\u escapes."""
    from ..errors import json_safe

    click.echo(json_safe(text), **options)
