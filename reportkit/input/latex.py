"""BibTeX field text (LaTeX) to Unicode, keeping what the macros mean.

pylatexenc decodes accents and symbols; this module tells it the macros that
bibliographies use and pylatexenc's defaults leave out: ``\\TeX``, ``\\LaTeX``,
``\\hyphen`` and biblatex's ``\\mkbibemph`` keep their text, and emphasis, bold,
small capitals, superscripts and subscripts become the rich-text tags of
:mod:`reportkit.document.richtext` (``<i>``, ``<b>``...). Braces that protect case
(``{NASA}``) become ``<span class="nocase">`` in titles, as in CSL-JSON.
Literal ``<`` and ``&`` in the LaTeX stay text: :func:`reportkit.document.richtext.to_html`
escapes everything that is not one of its tags.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["latex_to_text"]

#: Macros shown as fixed text.
_TEXT_MACROS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX", "ConTeXt": "ConTeXt", "hyphen": "-", "slash": "/", "textendash": "–",
    "textemdash": "—", "dots": "…", "textellipsis": "…", "nbhyphen": "\u2011", "textnumero": "№",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textbar": "|", "textless": "<",
    "textgreater": ">", "textquotesingle": "'", "textquotedbl": '"', "textunderscore": "_",
    "mbox": None, "hbox": None, "relax": "", "ppno": "p.", "pno": "p.", "psq": " f.", "psqq": " ff.",
}
#: Macros whose one argument is wrapped in a rich-text tag.
_TAG_MACROS = {
    "emph": "i", "textit": "i", "textsl": "i", "mkbibemph": "i", "mkbibitalic": "i", "itshape": "i",
    "textbf": "b", "mkbibbold": "b",
    "textsc": "sc", "mkbibsc": "sc",
    "textsuperscript": "sup", "mkbibsuperscript": "sup",
    "textsubscript": "sub", "mkbibsubscript": "sub",
}
#: Macros whose one argument is kept as it is.
_KEEP_MACROS = ("textrm", "textsf", "texttt", "textup", "textmd", "textnormal", "url", "nolinkurl", "mkbibacro",
                "textlatin", "foreignlanguage", "mbox", "hbox", "uppercase", "MakeUppercase")
#: Macros whose one argument is quoted.
_QUOTE_MACROS = ("enquote", "mkbibquote", "mkbibenquote", "textquote")
_OPEN = {"i": "<i>", "b": "<b>", "sc": '<span style="font-variant:small-caps;">', "sup": "<sup>", "sub": "<sub>"}
_CLOSE = {"i": "</i>", "b": "</b>", "sc": "</span>", "sup": "</sup>", "sub": "</sub>"}


def _last_argument(node: Any, l2t: Any) -> str:
    args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
    if not args:
        return ""
    arg = args[-1]
    if arg.isNodeType(_latexwalker().LatexGroupNode):
        return str(l2t.nodelist_to_text(arg.nodelist))
    return str(l2t.nodelist_to_text([arg]))


@lru_cache(maxsize=1)
def _latexwalker() -> Any:
    from pylatexenc import latexwalker

    return latexwalker


@lru_cache(maxsize=2)
def _converter(protect_case: bool) -> Any:
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
    from pylatexenc.macrospec import MacroSpec

    walker_db = latexwalker.get_default_latex_context_db()
    one_argument = sorted({*_TAG_MACROS, *_KEEP_MACROS, *_QUOTE_MACROS, "foreignlanguage"} - {"itshape"})
    walker_db.add_context_category(
        "reportkit-bibliography",
        prepend=True,
        macros=[MacroSpec(name, "[{" if name != "foreignlanguage" else "[{{") for name in one_argument]
        + [MacroSpec(name, "") for name in _TEXT_MACROS if name not in one_argument],
    )
    text_db = get_default_latex_context_db()
    specs = [MacroTextSpec(name, simplify_repl=text) for name, text in _TEXT_MACROS.items() if text is not None]
    specs += [
        MacroTextSpec(name, simplify_repl=lambda n, l2tobj, tag=tag: _OPEN[tag] + _last_argument(n, l2tobj) + _CLOSE[tag])
        for name, tag in _TAG_MACROS.items() if name != "itshape"
    ]
    specs += [MacroTextSpec(name, simplify_repl=lambda n, l2tobj: _last_argument(n, l2tobj)) for name in _KEEP_MACROS]
    specs += [
        MacroTextSpec(name, simplify_repl=lambda n, l2tobj: "“" + _last_argument(n, l2tobj) + "”") for name in _QUOTE_MACROS
    ]
    text_db.add_context_category("reportkit-bibliography", prepend=True, macros=specs)

    class _Converter(LatexNodes2Text):
        """Braces around text (not around a macro's argument) protect its case: a nocase span."""

        def group_node_to_text(self, node: Any) -> str:
            inner = str(self.nodelist_to_text(node.nodelist))
            if protect_case and getattr(node, "protects_case", False) and inner.strip():
                return f'<span class="nocase">{inner}</span>'
            return inner

    converter = _Converter(latex_context=text_db, math_mode="verbatim", strict_latex_spaces=False)
    return converter, walker_db


def _mark_protecting_groups(nodes: list[Any]) -> None:
    """Mark the brace groups that protect case: free-standing ones that do not start with a macro.

    BibTeX's rule: ``{NASA}`` keeps its case; ``{\\"o}`` (a group starting with a macro) is a special
    character, and a macro's argument ``\\emph{x}`` is no group of its own.
    """
    group = _latexwalker().LatexGroupNode
    macro = _latexwalker().LatexMacroNode
    for node in nodes or ():
        if node is not None and node.isNodeType(group):
            first = next((n for n in node.nodelist if not (n.isNodeType(_latexwalker().LatexCharsNode) and not n.chars.strip())), None)
            node.protects_case = not (first is not None and first.isNodeType(macro))
            _mark_protecting_groups(node.nodelist)


def latex_to_text(value: str, *, protect_case: bool = False) -> str:
    """The Unicode text of a BibTeX field, with emphasis as rich-text tags (see the module docstring)."""
    if not re.search(r"[\\{}$~%`'-]", value):
        return re.sub(r"\s+", " ", value).strip()
    from pylatexenc import latexwalker

    converter, walker_db = _converter(protect_case)
    # '%' in bibliography data is a percent sign far more often than a comment.
    source = re.sub(r"(?<!\\)%", r"\\%", value)
    nodes = latexwalker.LatexWalker(source, latex_context=walker_db, tolerant_parsing=True).get_latex_nodes()[0]
    _mark_protecting_groups(nodes)
    text = str(converter.nodelist_to_text(nodes))
    text = text.replace('<span class="nocase"></span>', "")
    return re.sub(r"\s+", " ", text).strip()
