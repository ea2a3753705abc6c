"""Text in scripts written without spaces between words: break opportunities from ICU's dictionaries.

Thai, Lao, Khmer and Myanmar put no space between words. Pango breaks Thai lines
with libthai where it was built with it, and Khmer, Lao and Myanmar nowhere but at
spaces, so a Khmer paragraph runs out of its column. :func:`mark_word_breaks` puts a
ZERO WIDTH SPACE (U+200B, a break opportunity that draws nothing) between the words
ICU's dictionary-based line breaker finds. ICU comes with the ``scripts`` extra
(``pip install reportkit[scripts]``, the icu4py package).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

from ..errors import ReportkitWarning

__all__ = ["SPACELESS", "mark_word_breaks", "spaceless_script"]

#: Scripts written without spaces between words: (first, last) code point -> ICU locale of its dictionary.
SPACELESS: dict[tuple[int, int], str] = {
    (0x0E01, 0x0E5B): "th",
    (0x0E81, 0x0EDF): "lo",
    (0x1000, 0x109F): "my",
    (0x1780, 0x17FF): "km",
    (0x19E0, 0x19FF): "km",
    (0xA9E0, 0xA9FF): "my",
    (0xAA60, 0xAA7F): "my",
}

_NAMES = {"th": "Thai", "lo": "Lao", "my": "Myanmar", "km": "Khmer"}

_RUN = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in SPACELESS) + "]{2,}")
_TAG = re.compile(r"(<[^>]*>)")
ZWSP = "\u200b"


def spaceless_script(char: str) -> str:
    """The ICU locale whose dictionary breaks the words of ``char``'s script ('' for other scripts)."""
    code = ord(char)
    for (lo, hi), locale in SPACELESS.items():
        if lo <= code <= hi:
            return locale
    return ""


@lru_cache(maxsize=1)
def _breaker() -> type | None:
    try:
        from icu4py.breakers import LineBreaker
    except ImportError:
        return None
    return LineBreaker


def _words(run: str) -> str:
    breaker = _breaker()
    assert breaker is not None
    return ZWSP.join(breaker(run, spaceless_script(run[0])))


def mark_word_breaks(html: str) -> str:
    """``html`` with a U+200B between the words of each run of Thai, Lao, Khmer or Myanmar text.

    Only text between tags changes (never an attribute, so no link or alt text). Without
    icu4py the text is returned as it is, with a warning naming the script.
    """
    if not _RUN.search(html):
        return html
    if _breaker() is None:
        scripts = sorted({_NAMES[spaceless_script(m.group()[0])] for m in _RUN.finditer(html)})
        warnings.warn(
            f"{' and '.join(scripts)} text breaks lines only at spaces: ICU's word dictionaries are not installed "
            "(pip install 'reportkit[scripts]')",
            ReportkitWarning,
            stacklevel=2,
        )
        return html
    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):  # even parts are text, odd ones tags
        if _RUN.search(parts[index]):
            parts[index] = _RUN.sub(lambda match: _words(match.group()), parts[index])
    return "".join(parts)
