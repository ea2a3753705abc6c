"""Sign archival PDFs with PAdES signatures (pyHanko) and check them: :func:`sign`, :func:`check_signatures`.

A signature is added as an incremental update, so the bytes of the build stay the first
revision of the file and ``reportkit verify`` still rebuilds and compares them. ``tsa``
adds an RFC 3161 timestamp from a time-stamping authority; ``ltv`` embeds the certificates
and revocation data (a DSS) needed to check the signature offline later.

pyHanko is optional: ``pip install reportkit[sign]``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..errors import InputError, ReportkitError

PathLike = str | os.PathLike[str]

__all__ = ["PASSPHRASE_ENV", "available", "check_signatures", "sign", "sign_bytes"]

#: Environment variable holding the passphrase of an encrypted key or PKCS#12 file.
PASSPHRASE_ENV = "REPORTKIT_KEY_PASSPHRASE"


def available() -> bool:
    """Whether pyHanko is installed (``reportkit[sign]``)."""
    return find_spec("pyhanko") is not None


def _need() -> None:
    if not available():
        raise ReportkitError("signing PDFs needs pyHanko", hint="pip install 'reportkit[sign]'")


def _read(path: PathLike, what: str) -> bytes:
    file = Path(path)
    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror or exc}", file=file, hint=f"check the {what}'s path") from None


def _certificates(data: bytes, file: PathLike) -> list[Any]:
    """The certificates of a PEM or DER file, as asn1crypto objects."""
    from asn1crypto import pem, x509

    try:
        if pem.detect(data):
            return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
        return [x509.Certificate.load(data)]
    except (ValueError, TypeError) as exc:
        raise InputError(f"is not a PEM or DER certificate: {exc}", file=Path(file),
                         hint="give the certificate as a .pem (or .crt/.der) file") from None


def _signer(key: PathLike, cert: PathLike | None, chain: Sequence[PathLike] = ()) -> Any:
    """A pyHanko signer from a PEM key and certificate, or a PKCS#12 file (``key``; ``cert`` optional)."""
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers

    passphrase = os.environ.get(PASSPHRASE_ENV)
    secret = passphrase.encode() if passphrase else None
    key_data = _read(key, "key")
    extra = [c for path in chain for c in _certificates(_read(path, "certificate"), path)]
    if not key_data.lstrip().startswith(b"-----BEGIN"):  # DER: a PKCS#12 bundle (or a DER key with --cert)
        if cert is None:
            signer = signers.SimpleSigner.load_pkcs12_data(key_data, other_certs=extra, passphrase=secret)
            if signer is None:
                raise InputError("is not a PKCS#12 file, or its passphrase is wrong", file=Path(key),
                                 hint=f"give a .p12/.pfx file, or a PEM key with --cert; set {PASSPHRASE_ENV}")
            return signer
    if cert is None:
        raise InputError("a PEM key needs its certificate", file=Path(key), hint="give --cert CERT.pem")
    certificates = _certificates(_read(cert, "certificate"), cert)
    try:
        private = load_private_key_from_pemder_data(key_data, passphrase=secret)
    except (ValueError, TypeError) as exc:
        raise InputError(f"is not a private key (PEM or DER), or its passphrase is wrong: {exc}", file=Path(key),
                         hint=f"give the signer's private key; set {PASSPHRASE_ENV} when it is encrypted") from None
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=certificates[0],
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([*certificates, *extra]),
    )


def _validation_context(trust: PathLike | None, extra: Sequence[Any] = (), *, fetch: bool = False) -> Any:
    from pyhanko_certvalidator import ValidationContext

    roots = _certificates(_read(trust, "trust file"), trust) if trust is not None else []
    return ValidationContext(trust_roots=[*roots, *extra], allow_fetching=fetch)


def sign_bytes(
    pdf: bytes,
    *,
    key: PathLike,
    cert: PathLike | None = None,
    chain: Sequence[PathLike] = (),
    tsa: str | None = None,
    ltv: bool = False,
    trust: PathLike | None = None,
    file: PathLike | None = None,
) -> bytes:
    """``pdf`` with a PAdES signature appended (an incremental update); ``tsa``: timestamp URL; ``ltv``: embed a DSS."""
    _need()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.sign.general import SigningError

    signer = _signer(key, cert, chain)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        taken = {str(f.get("/T")) for f in _sig_fields(writer.root)}
        name = next(f"Signature{n}" for n in range(1, 10_000) if f"Signature{n}" not in taken)
        roots = [c for c in signer.cert_registry if c.self_signed]
        meta = signers.PdfSignatureMetadata(
            field_name=name,
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=ltv,
            validation_context=_validation_context(trust, roots, fetch=True) if ltv else None,
        )
        timestamper = timestamps.HTTPTimeStamper(tsa) if tsa else None
        output = signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(writer)
    except PdfReadError as exc:
        raise InputError(f"the PDF cannot be read for signing: {exc}", file=Path(file) if file else None) from None
    except (SigningError, OSError, ValueError) as exc:
        raise ReportkitError(f"signing failed: {exc}", file=Path(file) if file else None,
                             hint="check the key, the certificate, the timestamp URL and the trust roots") from None
    return output.getvalue()


def _sig_fields(root: Any) -> list[Any]:
    form = root.get("/AcroForm")
    if form is None:
        return []
    return [f.get_object() for f in form.get_object().get("/Fields", []) if f.get_object().get("/FT") == "/Sig"]


def sign(path: PathLike, out: PathLike | None = None, **options: Any) -> Path:
    """Sign the PDF at ``path`` into ``out`` (default: in place, atomically); return the path written.

    ``options``: ``key`` (a PEM key, or a PKCS#12 file), ``cert``, ``chain`` (CA certificates to
    embed), ``tsa`` (a timestamp URL), ``ltv`` (embed validation data), ``trust`` (root CAs for
    ``ltv``); see :func:`sign_bytes`. Needs ``reportkit[sign]``.
    """
    from ..files import atomic_write, check_target

    source = Path(path)
    target = check_target(out) if out is not None else source
    return atomic_write(target, sign_bytes(_read(source, "PDF"), file=source, **options))


def _unchecked(field: str, exc: BaseException) -> dict[str, Any]:
    """The report of a signature that cannot be checked (damaged): why, and no signer, time or coverage."""
    return {
        "field": field, "revision": None, "signer": None, "time": None, "timestamped": False,
        "intact": False, "coverage": None, "trusted": False, "ok": False,
        "summary": f"the signature cannot be checked: {type(exc).__name__}: {exc}",
        "problem": f"signature {field} cannot be checked",
    }


def check_signatures(path: PathLike, *, trust: PathLike | None = None) -> list[dict[str, Any]]:
    """A report per signature of the PDF at ``path``: intact, coverage, signer, time, trust (against ``trust``).

    Each report holds ``field``, ``revision`` (the file revision it signs, 0 = the first), ``signer``, ``time`` (ISO), ``timestamped`` (a TSA's token, not
    the signer's clock), ``intact``, ``coverage``, ``trusted`` (None when no ``trust`` is given),
    ``ok``, a one-line ``summary`` and a ``problem`` with the file's bytes (not intact, or changed after
    the signature by more than validation data; None when there is none).
    """
    _need()
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    reports = []
    with open(path, "rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        try:
            found = list(reader.embedded_signatures)
        except Exception as exc:  # signature data (CMS) that cannot be parsed: pyHanko reads them all or none
            names = [str(f.get("/T")) for f in _sig_fields(reader.root) if f.get("/V") is not None]
            return [_unchecked(name, exc) for name in names or ["(unnamed)"]]
        for embedded in found:
            context = _validation_context(trust)
            try:
                status = validate_pdf_signature(embedded, signer_validation_context=context)
            except Exception as exc:  # a damaged signature: pyHanko raises many kinds of errors
                reports.append(_unchecked(embedded.field_name, exc))
                continue
            signer = status.signing_cert.subject.human_friendly
            stamp = status.timestamp_validity
            when = stamp.timestamp if stamp is not None else status.signer_reported_dt
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            later_ok = status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.modification_level in (
                ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
            intact = bool(status.intact and status.valid)
            trusted = bool(status.trusted) if trust is not None else None
            problem = None
            if not intact:
                problem = f"signature {embedded.field_name} does not match the bytes it signs: they were changed after signing"
            elif not (whole or later_ok):
                level = status.modification_level.name.lower().replace("_", " ") if status.modification_level else "unknown"
                problem = (f"signature {embedded.field_name} does not cover the whole file: what was added after it "
                           f"is not validation data ({level})")
            distrust = (f"the signer of {embedded.field_name} is not trusted by {Path(trust).name}"
                        if trust is not None and not trusted else None)
            coverage = "the whole file" if whole else (
                "the whole file but validation data added after it" if later_ok else "part of the file")
            summary = (
                f"signed by {signer}"
                + (f" at {when.isoformat(timespec='seconds')}" if when else "")
                + (" (timestamped by a TSA)" if stamp is not None else " (the signer's clock; no timestamp)")
                + f"; covers {coverage}; "
                + ("intact" if intact else "NOT intact")
                + ("" if trust is None else ("; trusted" if trusted else "; NOT trusted"))
                + ("; trust not checked (give --trust CA.pem)" if trust is None else "")
            )
            reports.append({
                "field": embedded.field_name,
                "revision": embedded.signed_revision,
                "signer": signer,
                "time": when.isoformat() if when else None,
                "timestamped": stamp is not None,
                "intact": intact,
                "coverage": coverage,
                "trusted": trusted,
                "ok": problem is None and distrust is None,
                "summary": summary if problem is None and distrust is None else f"{problem or distrust} ({summary})",
                "problem": problem,
            })
    return reports
