"""Pango attribute lists that WeasyPrint 70 allocates for every text layout and never frees.

``weasyprint.text.line_break.Layout.setup`` gives each Pango layout an attribute list holding
the text's OpenType features (``font-kerning``, ``font-variant-numeric``...), creates a new
font-features attribute each time (``font_features.setdefault(key, pango_attr_font_features_new(...))``
evaluates its default before looking the key up) and drops its own reference to neither. The
list, the attributes ``set_text`` adds to it (letter spacing, hyphens) and the spare attribute
outlive the layout: about 300 bytes a layout, 0.2-0.4 MB for a four-page fact-check, never
returned. Upstream marks them ``TODO: attributes should be freed`` (the cache came with
Kozea/WeasyPrint#381, "to avoid leaking too many of them"); the layouts reportkit ships set
``font-kerning: normal`` on the root, so every layout has the list.

:func:`own_attributes` makes one font configuration's layouts own their lists: its
``font_features`` cache hands every layout its freshly made attribute (nothing is shared, so
nothing can be freed twice), and after ``setup`` the writer's extra reference to the list is
dropped, so the Pango layout frees the list and its attributes when it goes. Font configurations
not passed to :func:`own_attributes` keep WeasyPrint's behaviour exactly. The PDFs are the same
bytes. ``tests/writers/pdf/test_pangoattrs.py`` fails when WeasyPrint stops leaking the lists
(then this module can go) or starts freeing them itself (then it must go: a list would be freed twice).
"""

from __future__ import annotations

import threading
from typing import Any

from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango
from weasyprint.text.fonts import FontConfiguration

__all__ = ["OwnedFeatures", "own_attributes"]

_INSTALL_LOCK = threading.Lock()
_original_setup: Any = None


class OwnedFeatures(dict[Any, Any]):
    """A ``font_features`` cache that caches nothing: each layout keeps the attribute made for it."""

    def setdefault(self, key: Any, default: Any = None) -> Any:
        return default


def _setup(self: Any, style: Any) -> Any:
    """WeasyPrint's ``Layout.setup``, then the layout's attribute list is left to the layout alone."""
    result = _original_setup(self, style)
    if isinstance(getattr(style.font_config, "font_features", None), OwnedFeatures):
        attributes = pango.pango_layout_get_attributes(self.layout)
        if attributes != ffi.NULL:
            pango.pango_attr_list_unref(attributes)  # the reference setup kept; the layout holds its own
    return result


def _install() -> None:
    """Wrap ``Layout.setup`` once per process (it changes nothing for other font configurations)."""
    global _original_setup
    with _INSTALL_LOCK:
        if _original_setup is None:
            _original_setup = line_break.Layout.setup
            line_break.Layout.setup = _setup


def own_attributes(config: FontConfiguration) -> FontConfiguration:
    """Make the text layouts of ``config`` free their Pango attribute lists; return ``config``."""
    _install()
    config.font_features = OwnedFeatures()
    return config
