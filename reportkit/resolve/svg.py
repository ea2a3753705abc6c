"""Make an untrusted SVG drawing safe for every output format: the one SVG sanitiser reportkit has.

An SVG file is XML that can run scripts, react to events, embed HTML, and make the reader
fetch files or web addresses. :func:`sanitise_svg` keeps the drawing and removes the rest:

- elements: ``script``, ``foreignObject``, ``iframe``/``embed``/``object``, ``handler``,
  ``listener``, ``set``/``animate*`` that change a link or a handler, and every element of
  another XML vocabulary (HTML; an editor's metadata, removed without a word);
- attributes: every event handler (``on*``), every reference (``href``, ``xlink:href``,
  ``src``) that is not a fragment of the same file (``#id``), and every ``url(...)`` in a
  style that is not a fragment;
- stylesheet rules that import or reference anything outside the file (``@import``,
  ``url(http:...)``);
- the document type declaration (entities) and processing instructions (``xml-stylesheet``).

A drawing with nothing to remove keeps its own bytes; comments stay.

What was removed is reported, so the build can warn (or fail under ``--strict``). The parser
resolves no entity, reads no DTD and touches no network; a file that is not well-formed SVG
is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["SanitisedSVG", "SVGError", "sanitise_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: Elements removed with everything inside them.
_REMOVED = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener", "audio", "video",
            "canvas", "discard"}
#: Animation elements; removed when they set an attribute that could become a reference or handler.
_ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion", "animatecolor"}
#: Elements that draw only what their reference points at.
_REFERRING = {"image", "use", "feimage"}
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)


class SVGError(ValueError):
    """The file is not an SVG drawing that can be made safe (not XML, not SVG, too deep)."""


@dataclass
class SanitisedSVG:
    """The safe drawing's bytes, and what was removed from it (one line per kind of thing)."""

    data: bytes
    removed: list[str] = field(default_factory=list)


def _fragment(value: str) -> bool:
    """Whether a reference points inside the same file (``#id``) and nowhere else."""
    return value.strip().startswith("#")


def _clean_css(text: str, removed: set[str]) -> str:
    """``text`` (a style attribute or ``<style>`` element) without imports and without non-fragment url()s."""
    if _IMPORT.search(text):
        removed.add("a stylesheet @import")
        text = _IMPORT.sub("", text)

    def url(match: re.Match[str]) -> str:
        if _fragment(match.group(2)):
            return match.group(0)
        removed.add("a reference to another file or address in a style")
        return "none"

    return _URL.sub(url, text)


def sanitise_svg(data: bytes, *, max_depth: int = 256) -> SanitisedSVG:
    """The drawing in ``data`` without scripts, event handlers, foreign objects or outside references.

    Raises :class:`SVGError` for bytes that are not a well-formed SVG document.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SVGError(f"its XML cannot be read ({exc.msg})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SVGError(f"its root element is <{etree.QName(root).localname if isinstance(root.tag, str) else '?'}>, "
                       "not <svg> in the SVG namespace")
    removed: set[str] = set()
    silent = False  # something was dropped that is not worth a warning (an editor's metadata)
    if root.getroottree().docinfo.internalDTD is not None or b"<!ENTITY" in data:
        removed.add("a document type declaration")
    if any(isinstance(node, etree._ProcessingInstruction) for node in root.itersiblings(preceding=True)):
        removed.add("processing instructions (<?...?>)")  # tostring(root) leaves them out
    stack = [(root, 0)]
    while stack:  # depth first; the children of a removed element are never visited
        node, depth = stack.pop()
        if isinstance(node, etree._Comment):
            continue
        if not isinstance(node.tag, str):  # entity references left unresolved, processing instructions
            removed.add("an entity reference" if isinstance(node, etree._Entity) else "processing instructions (<?...?>)")
            _drop(node)
            continue
        if depth > max_depth:
            raise SVGError(f"its elements are nested more than {max_depth} levels deep")
        qname = etree.QName(node)
        local = qname.localname.lower()
        if local in _REMOVED:
            removed.add(f"<{qname.localname}>")
            _drop(node)
            continue
        if qname.namespace not in (SVG_NS, None):  # an editor's metadata (Inkscape, RDF) draws nothing
            if qname.namespace == XHTML_NS:
                removed.add("HTML elements")
            silent = True
            _drop(node)
            continue
        if local in _ANIMATIONS:
            target = (node.get("attributeName") or "").lower()
            if target.startswith("on") or target in ("href", "xlink:href", "src", "style") or "href" in target:
                removed.add(f"<{qname.localname}> changing {target}")
                _drop(node)
                continue
        if local == "style" and node.text:
            node.text = _clean_css(node.text, removed)
        for name in list(node.attrib):
            attribute = etree.QName(name)
            key = attribute.localname.lower()
            value = node.attrib[name]
            if key.startswith("on"):
                removed.add("event handler attributes (on...)")
                del node.attrib[name]
            elif key in ("href", "src") or (attribute.namespace == XLINK_NS and key == "href"):
                if not _fragment(value):
                    removed.add("references to other files or addresses (href)")
                    del node.attrib[name]
            elif attribute.namespace not in (None, XLINK_NS, XML_NS) or (attribute.namespace == XML_NS
                                                                           and key == "base"):
                del node.attrib[name]  # an editor's attributes draw nothing; xml:base would move references
                silent = True
            elif "url(" in value.lower() or "@import" in value.lower():
                node.attrib[name] = _clean_css(value, removed)
        if local in _REFERRING and not any(etree.QName(n).localname == "href" for n in node.attrib):
            _drop(node)  # an image or use whose reference was removed draws nothing
            continue
        stack.extend((child, depth + 1) for child in reversed(node))
    if not removed and not silent:
        return SanitisedSVG(data)  # nothing to take out: the file's own bytes, as they were checked
    etree.cleanup_namespaces(root)
    return SanitisedSVG(etree.tostring(root, encoding="utf-8", xml_declaration=True), sorted(removed))


def _drop(node: object) -> None:
    """Remove ``node`` from its parent, keeping the text that follows it."""
    parent = node.getparent()  # type: ignore[attr-defined]
    if parent is None:
        return
    tail = node.tail  # type: ignore[attr-defined]
    if tail:
        previous = node.getprevious()  # type: ignore[attr-defined]
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)
