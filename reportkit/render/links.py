"""Links in the pages reportkit writes: addresses percent-encoded, so that any source's URL is a valid link."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["href"]


def href(url: str) -> str:
    """``url`` with every character a URL cannot hold percent-encoded (already encoded ``%XX`` kept).

    A DOI such as ``10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P`` holds ``<`` and ``>``,
    which are no part of a valid URL (epubcheck and the HTML checker report them); its link gets
    ``%3C`` and ``%3E``. A host in another script becomes its ASCII (IDNA) form.
    """
    parts = urlsplit(url)
    safe = "/:@!$&'()*+,;=-._~%"
    netloc = parts.netloc
    if netloc and not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:  # not a host IDNA can spell: its characters percent-encoded
            netloc = quote(netloc, safe=safe)
    return urlunsplit((
        parts.scheme,
        netloc,
        quote(parts.path, safe=safe),
        quote(parts.query, safe=safe + "?"),
        quote(parts.fragment, safe=safe + "?#"),
    ))
