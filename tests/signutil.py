"""A throwaway PKI for the signature tests: a CA, a signer, a time-stamping authority on 127.0.0.1.

Keys and certificates are made with ``cryptography``; the RFC 3161 responder answers with
pyHanko's testing time stamper (``DummyTimeStamper``) behind a local HTTP server. Nothing
reaches the network.
"""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNER = "Ann Archivist"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, key, issuer: str, issuer_key, *, ca: bool = False, usage=None) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=not ca, content_commitment=not ca, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
        ), critical=True)
    )
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@dataclass
class Pki:
    """Files of a throwaway PKI: ca.pem, key.pem, cert.pem, signer.p12, other-ca.pem; the TSA's key and certificate."""

    folder: Path
    tsa_key: rsa.RSAPrivateKey
    tsa_cert: x509.Certificate
    ca_cert: x509.Certificate

    def path(self, name: str) -> Path:
        return self.folder / name


def make_pki(folder: Path) -> Pki:
    """Write a CA, a signer (PEM and PKCS#12) and an unrelated CA into ``folder``."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("reportkit test CA", ca_key, "reportkit test CA", ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(SIGNER, key, "reportkit test CA", ca_key)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA signs with RSA
    tsa_cert = _certificate("reportkit test TSA", tsa_key, "reportkit test CA", ca_key,
                            usage=[ExtendedKeyUsageOID.TIME_STAMPING])
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _certificate("another CA", other_key, "another CA", other_key, ca=True)
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "key.pem").write_bytes(_key_pem(key))
    (folder / "cert.pem").write_bytes(_pem(cert))
    (folder / "other-ca.pem").write_bytes(_pem(other))
    (folder / "signer.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, [ca], serialization.NoEncryption()))
    return Pki(folder, tsa_key, tsa_cert, ca)


@contextmanager
def time_stamping_authority(pki: Pki) -> Iterator[str]:
    """An RFC 3161 responder on 127.0.0.1 for the length of the block; yields its URL."""
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa_cert.public_bytes(der)),
        tsa_key=keys.PrivateKeyInfo.load(pki.tsa_key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(pki.ca_cert.public_bytes(der))],
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
