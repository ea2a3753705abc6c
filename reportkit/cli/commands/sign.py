"""``reportkit sign``: a PAdES signature added to a PDF."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared import KEY_HELP, fail, sign_options


@click.command("sign")
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key", required=True, type=click.Path(path_type=Path, dir_okay=False), help=KEY_HELP)
@click.option("--cert", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The signer's certificate (PEM or DER); not needed with a PKCS#12 key.")
@click.option("--chain", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Certificates of the issuing CAs (PEM), embedded with the signature; repeatable.")
@click.option("--tsa", default=None, metavar="URL", help="Add an RFC 3161 timestamp from this time-stamping authority.")
@click.option("--ltv", is_flag=True, help="Embed the validation data (certificates, revocation data) for offline checks.")
@click.option("--trust", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="CA.pem",
              help="With --ltv: the root CA certificates the validation data leads to.")
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the signed PDF here. Default: sign PDF in place (atomically).")
def sign_command(pdf: Path, key: Path, cert: Path | None, chain: tuple[Path, ...], tsa: str | None, ltv: bool,
                 trust: Path | None, out: Path | None) -> None:
    """Sign PDF with a PAdES signature (pyHanko; pip install 'reportkit[sign]').

    The signature is an incremental update: the build's bytes stay the file's first revision, so
    'reportkit verify' still rebuilds and compares them, then checks the signature. An encrypted
    key's passphrase is read from the REPORTKIT_KEY_PASSPHRASE environment variable.
    """
    from ...errors import ReportkitError
    from ...tools.sign import sign as sign_file

    try:
        written = sign_file(pdf, out, **sign_options(key, cert, chain, tsa, ltv, trust))
    except ReportkitError as exc:
        fail(str(exc), exc.exit_code)
        return
    click.echo(f"signed {written}" + (" with a timestamp" if tsa else "") + (" and validation data" if ltv else ""))
