"""Render a resolved document through a layout's templates into HTML (print) or XHTML (EPUB).

A writer chooses a :class:`Medium`: the template folder of the layout it reads
(``print/`` or ``epub/``) and how it refers to images. Everything else is shared:
one template context (documented in :data:`CONTEXT`), one Markdown renderer
whose citations and figures are drawn by the layout's own macros.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup

from .._version import __version__
from ..resolve.citations import Ref, iter_citations
from ..errors import LayoutError
from ..resolve.leads import excerpt, has_more, lead
from .bibliography import entry_html, format_edtf, short_html, short_reference
from .breaks import leads_in
from .i18n import Translator
from .layouts import Layout
from ..input.markdown import parser
from ..document.model import DEFAULT_SCALE, Rating, RatingScale, Source
from ..resolve.resolver import Asset, Resolved

if TYPE_CHECKING:
    import jinja2

__all__ = ["CONTEXT", "BackRef", "CiteView", "Medium", "Note", "Renderer", "SectionView", "SourceView", "short_reference"]

#: Every variable a layout template can use, with what it holds. Tests check that the
#: context built by :class:`Renderer` has exactly these names.
CONTEXT: dict[str, str] = {
    "doc": "the validated fact-check (reportkit.document.model.Document): every input field",
    "lang": "the document's BCP 47 language tag",
    "dir": "text direction of the language: 'ltr' or 'rtl'",
    "title": "the question or title",
    "short_title": "the title cut to about 60 characters at a word, for running heads",
    "rating": "the verdict's rating on the scale (key, label, order, colour, symbol, text_colour), or None",
    "rating_label": "rating_label(rating): a rating's label, translated when it is one of the default scale",
    "rating_shape": "rating_shape(rating): the badge shape of a rating: 'true', 'mostly-true', 'mixed', "
    "'mostly-false', 'false' or 'unsupported' (custom scales map by position on the scale)",
    "verdict_label": "the verdict's own label, else its rating's label; '' without a verdict",
    "explanation_html": "the verdict's explanation rendered from Markdown (Markup)",
    "scale": "the rating scale in force (name, ratings)",
    "claim_image": "URL of the claim's screenshot in this medium, or None",
    "claim_image_alt": "the screenshot's text alternative: claim.image_alt, else 'Screenshot of the claim: <text>'",
    "summary_html": "the summary rendered from Markdown (Markup)",
    "sections": "list of SectionView: number, heading, id, html, lead_html, has_more, notes, lead_notes",
    "excerpt": "True when sections hold only their leads (option sections = 'lead', as in the brief)",
    "sources": "list of SourceView, cited ones first in order of first citation: number, id, source, short, backrefs, "
    "cited, formatted, text",
    "corrections": "the corrections, oldest first",
    "published": "publication date formatted for the language, or ''",
    "updated": "update date formatted for the language, or ''",
    "date": "the date that stands for this version, ISO 8601 (updated, else published), or ''",
    "page_size": "the page size asked for: 'A4', 'Letter' or 'A5'",
    "options": "the layout's options from layout.toml (claim_image, explanation, sections, fit_pages, fit_steps...), "
    "merged with those given at build time (print_marks, pdf_x; fit: the copyfitting step being tried)",
    "generator": "'reportkit' and its version",
    "report_meta": "JSON text of what a digest's cover needs (id, title, rating, verdict...), for the PDF's metadata",
    "t": "t(message, **values): the message translated into the document's language",
    "format_date": "format_date(iso): an ISO or EDTF date (YYYY-MM-DD, YYYY, -0043, 2017-21, 1985~, 2014/2015) "
    "formatted for the language",
    "asset": "asset(name): URL of a file of the layout (a stylesheet, an image), found along the extends chain",
    "markdown": "markdown(part_name): the Markdown text at a field path rendered (e.g. 'summary')",
    "notes": "notes(*part_names): Note (number, short, href) for each source cited in those parts, in order",
}

RTL_LANGUAGES = {"ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur", "yi"}


@dataclass(frozen=True)
class Medium:
    """What a writer renders for: the layout's template folder and how images are referred to."""

    name: str
    asset_url: Callable[[Asset], str]
    layout_url: Callable[[str], str]
    #: The file that holds a part (``summary``, ``sections[0].body``, ``sources``); '' for one-file media.
    file_of: Callable[[str], str] = lambda part: ""
    #: Whether the context holds HTML: the Markdown parts and bibliography entries rendered through the
    #: layout's ``macros.html``. False for a medium whose templates read the Markdown itself (the Typst
    #: engine's trees): its HTML fields are empty and no Jinja2 template is loaded.
    html: bool = True


@dataclass(frozen=True)
class SectionView:
    """A section as templates see it."""

    number: int
    heading: str
    id: str
    html: Markup
    #: The section's first paragraph alone (repeats the start of ``html``: show one or the other).
    lead_html: Markup
    #: Whether the section (in the full text) has more than its lead.
    has_more: bool
    #: Numbers of the footnotes first called in this section.
    notes: list[int]
    #: Numbers of the footnotes first called in the section's first block.
    lead_notes: list[int]


@dataclass(frozen=True)
class CiteView:
    """One reference of a citation as the ``citation`` macro sees it."""

    number: int
    id: str
    first: bool
    locator: str | None
    source: Source
    #: The footnote text (author, title, year, locator), each field isolated for direction.
    short: Markup


@dataclass(frozen=True)
class BackRef:
    """A place a source is cited: where (``label``), the id of the call and a link to it."""

    label: str
    id: str
    part: str
    href: str


@dataclass(frozen=True)
class Note:
    """A footnote as a file of a multi-file medium lists it: number, short reference, link to the entry."""

    number: int
    short: Markup
    href: str


@dataclass(frozen=True)
class SourceView:
    """A bibliography entry as templates see it."""

    number: int
    id: str
    source: Source
    short: Markup
    cited: bool
    backrefs: list[BackRef] = field(default_factory=list)
    #: The entry formatted by a CSL style (option ``csl_style``), or None for the layout's own form.
    formatted: Markup | None = None
    #: The entry in the layouts' own form (authors, title, container, credits, publisher, date, link).
    text: Markup = Markup("")


#: Badge shapes, from the most to the least accurate rating (``unsupported`` stands apart).
SHAPES = ("true", "mostly-true", "mixed", "mostly-false", "false")


def rating_shape(rating: Rating | None, scale: RatingScale) -> str:
    """The badge shape of ``rating``: its own key on the default scale, else by its position on ``scale``."""
    if rating is None:
        return "unsupported"
    if scale is DEFAULT_SCALE or scale.name == DEFAULT_SCALE.name:
        return rating.key if rating.key in (*SHAPES, "unsupported") else "unsupported"
    orders = sorted({r.order for r in scale.ratings})
    if len(orders) < 2:
        return "mixed"
    position = (rating.order - orders[0]) / (orders[-1] - orders[0])
    return SHAPES[round(position * (len(SHAPES) - 1))]


def _short_title(title: str, limit: int = 60) -> str:
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


class _MarkdownHTML(RendererHTML):
    """markdown-it's HTML renderer, with citations, figures and footnote markers from the layout."""

    def citation(self, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
        refs: list[Ref] = tokens[idx].meta["refs"]
        return str(env["macros"].citation([env["cite_view"](ref) for ref in refs]))

    def text(self, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
        content = tokens[idx].content
        if idx + 1 < len(tokens) and tokens[idx + 1].type == "citation":
            content = content.rstrip(" ")  # a note call sits against its word, as in print
        return escapeHtml(content)

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
        inline = tokens[idx + 1]
        children = [c for c in inline.children or () if not (c.type == "text" and not c.content.strip())]
        if len(children) == 1 and children[0].type == "image":
            tokens[idx].meta["figure"] = True
            return ""
        notes = [str(r.number) for c in inline.children or () if c.type == "citation" for r in c.meta["refs"] if r.first]
        if notes:
            tokens[idx].attrSet("data-notes", " ".join(notes))
        # Kept on the page of what it introduces (.breaks); the tokens are reused by later renders.
        if leads_in(tokens, idx) and "lead-in" not in str(tokens[idx].attrGet("class") or "").split():
            tokens[idx].attrJoin("class", "lead-in")
        return super().renderToken(tokens, idx, options, env)

    def paragraph_close(self, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
        opener = tokens[idx - 2]
        if opener.type == "paragraph_open" and opener.meta.get("figure"):
            return "\n"
        return super().renderToken(tokens, idx, options, env)

    def heading_open(self, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
        """A heading nested under the part's own heading, never skipping a level (PDF/UA, WCAG)."""
        token = tokens[idx]
        wanted = env["heading_base"] + 1 + int(token.tag[1]) - env["heading_top"]
        level = max(env["heading_base"] + 1, min(wanted, env["heading_last"] + 1, 6))
        env["heading_last"] = level
        env["heading_open"].append(level)
        return f"<h{level}{self.renderAttrs(token)}>"

    def heading_close(self, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
        return f"</h{env['heading_open'].pop()}>\n"

    def image(self, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
        token = tokens[idx]
        src = str(token.attrs.get("src", ""))
        alt = self.renderInlineAsText(token.children or [], options, env)
        figure = all(t is token or (t.type == "text" and not t.content.strip()) for t in tokens)
        asset: Asset | None = env["assets"].get(src)  # None: refused, drawn as a placeholder
        return str(
            env["macros"].image(
                url=env["asset_url"](asset) if asset else None,
                alt=alt,
                caption=str(token.attrs.get("title") or ""),
                credit=str(token.attrs.get("credit") or ""),
                figure=figure,
                number=env["figure_number"](src),
            )
        )


class Renderer:
    """Renders one resolved document with one layout for one medium."""

    def __init__(
        self,
        resolved: Resolved,
        layout: Layout,
        medium: Medium,
        *,
        page_size: str = "A4",
        options: Mapping[str, Any] | None = None,
    ) -> None:
        merged = {**layout.options, **(options or {})}
        self.excerpt = merged.get("sections", "full") == "lead"
        #: The document as given; ``resolved`` is cut to the sections' leads when ``excerpt`` is set.
        self.full = resolved
        resolved = excerpt(resolved) if self.excerpt else resolved
        self.resolved = resolved
        self.layout = layout
        self.medium = medium
        doc = resolved.doc
        self.translator = Translator(doc.language)
        self._figures: dict[str, int] = {}
        self._by_key = {s.key: s for s in doc.sources}
        self.context: dict[str, Any] = {
            "doc": doc,
            "lang": doc.language,
            "dir": "rtl" if doc.language.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
            "title": doc.title,
            "short_title": _short_title(doc.title),
            "rating": doc.rating,
            "rating_label": self.rating_label,
            "rating_shape": lambda rating: rating_shape(rating, doc.scale),
            "verdict_label": (doc.verdict.label or self.rating_label(doc.rating)) if doc.verdict else "",
            "scale": doc.scale,
            "claim_image": medium.asset_url(resolved.claim_image) if resolved.claim_image else None,
            "claim_image_alt": self._claim_image_alt(),
            "corrections": sorted(doc.corrections, key=lambda c: c.date),
            "published": self.format_date(doc.published) if doc.published else "",
            "updated": self.format_date(doc.updated) if doc.updated else "",
            "date": doc.date or "",
            "page_size": page_size,
            "options": merged,
            "excerpt": self.excerpt,
            "generator": f"reportkit {__version__}",
            "t": self.translator.gettext,
            "format_date": self.format_date,
            "asset": medium.layout_url,
            "markdown": self.markdown,
            "notes": self.notes,
        }
        if not medium.html:  # no template is loaded, no HTML made: the fields stay empty
            self.macros = None
            self._fill_views()
        else:
            import jinja2

            try:
                self.macros = self._template(f"{medium.name}/macros.html").make_module(self.context)
                self._fill_views()
            except jinja2.TemplateError as exc:
                raise template_error(exc) from None
        self.context["report_meta"] = self._report_meta()

    def _fill_views(self) -> None:
        """The context's sources, rendered Markdown parts and sections."""
        self.context["sources"] = self._sources()
        self.context["explanation_html"] = self.markdown("verdict.explanation")
        self.context["summary_html"] = self.markdown("summary")
        self.context["sections"] = self._sections()

    # --- helpers offered to templates -----------------------------------------------------

    def format_date(self, value: str | _dt.date | None) -> str:
        """Format an ISO or EDTF date (a year, a season, 44 BC, c. 1985, a range) for the document's language."""
        if not value:
            return ""
        return format_edtf(str(value), self.translator.language.replace("-", "_"), self.translator.gettext)

    def short_reference(self, source: Source, locator: str | None = None) -> Markup:
        """A source's footnote text in the document's language (see :func:`reportkit.render.bibliography.short_html`)."""
        return short_html(source, locator, t=self.translator.gettext)

    def _claim_image_alt(self) -> str:
        """The claim screenshot's alt text: the author's, else one made from the claim."""
        claim = self.resolved.doc.claim
        if claim is None:
            return ""
        return claim.image_alt or self.translator.gettext("Screenshot of the claim: {text}", text=claim.text)

    def rating_label(self, rating: Rating | None) -> str:
        """A rating's label: translated for the default scale, as written for a custom one."""
        if rating is None:
            return ""
        if self.resolved.doc.rating_scale is None:
            return self.translator.gettext(rating.label)
        return rating.label

    def markdown(self, name: str) -> Markup:
        """Render the Markdown part stored under field path ``name`` (empty if there is none)."""
        part = self.resolved.part(name)
        if part is None:
            return Markup("")
        base = 1 if name == "verdict.explanation" else 2
        return self._render_tokens(part.tokens, base)

    def _render_tokens(self, tokens: Sequence[Token], base: int = 2) -> Markup:
        """Render parsed Markdown; headings in it sit under the heading it is shown with (h1 or h2).

        Empty for a medium without HTML (:attr:`Medium.html`).
        """
        if not self.medium.html:
            return Markup("")
        levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
        env: dict[str, Any] = {
            "macros": self.macros,
            "cite_view": self._cite_view,
            "assets": self.resolved.assets,
            "asset_url": self.medium.asset_url,
            "figure_number": self._figure_number,
            "heading_base": base,
            "heading_top": min(levels, default=1),
            "heading_last": base,
            "heading_open": [],
        }
        return Markup(_MarkdownHTML().render(list(tokens), parser().options, env))

    def notes(self, *names: str) -> list[Note]:
        """The sources cited in the parts ``names``, once each, in order of citation."""
        seen: dict[int, Note] = {}
        sources_file = self.medium.file_of("sources")
        for name in names:
            part = self.resolved.part(name)
            for _, citation in iter_citations(part.tokens if part else ()):
                for ref in citation.meta["refs"]:
                    if ref.number not in seen:
                        short = self.short_reference(self._by_key[ref.key])
                        seen[ref.number] = Note(ref.number, short, f"{sources_file}#src-{ref.number}")
        return list(seen.values())

    # --- building the context ------------------------------------------------------------

    def _figure_number(self, src: str) -> int:
        return self._figures.setdefault(src, len(self._figures) + 1)

    def _cite_view(self, ref: Ref) -> CiteView:
        source = self._by_key[ref.key]
        return CiteView(ref.number, ref.id, ref.first, ref.locator, source, self.short_reference(source, ref.locator))

    def _sources(self) -> list[SourceView]:
        citations = self.resolved.citations
        part_labels = {p.name: self._part_label(p.name) for p in self.resolved.parts}
        views = []
        for number, source in enumerate([*citations.cited, *citations.uncited], start=1):
            refs = citations.refs.get(source.key, [])
            backrefs, seen = [], set()
            for ref in refs:
                if ref.part not in seen:  # one back-reference per part that cites the source
                    seen.add(ref.part)
                    href = f"{self.medium.file_of(ref.part)}#{ref.id}"
                    backrefs.append(BackRef(part_labels[ref.part], ref.id, ref.part, href))
            views.append(
                SourceView(
                    number=number,
                    id=f"src-{number}",
                    source=source,
                    short=self.short_reference(source),
                    text=entry_html(source, locale=self.translator.language.replace("-", "_"),
                                    t=self.translator.gettext, format_date=self.format_date)
                    if self.medium.html else Markup(""),
                    cited=bool(refs),
                    backrefs=backrefs,
                )
            )
        style = self.context["options"].get("csl_style")
        if style:  # entries formatted by a CSL style (the optional 'csl' extra)
            from dataclasses import replace

            from .csl import format_entries

            entries = format_entries([v.source for v in views], str(style), self.resolved.doc.language)
            views = [replace(view, formatted=entry) for view, entry in zip(views, entries)]
        return views

    def _part_label(self, name: str) -> str:
        match = re.match(r"sections\[(\d+)\]", name)
        if match:
            return f"§\u00a0{int(match.group(1)) + 1}"
        return self.translator.gettext("Summary" if name == "summary" else "Verdict")

    def _sections(self) -> list[SectionView]:
        views = []
        for index, section in enumerate(self.resolved.doc.sections):
            name = f"sections[{index}].body"
            part = self.resolved.part(name)
            notes, lead_numbers = [], []
            if part is not None:
                first_block = True
                for token in part.tokens:
                    for child in token.children or ():
                        if child.type == "citation":
                            numbers = [r.number for r in child.meta["refs"] if r.first]
                            notes += numbers
                            if first_block:
                                lead_numbers += numbers
                    if token.nesting == -1 and token.level == 0:
                        first_block = False
            full = self.full.part(name)
            views.append(
                SectionView(
                    number=index + 1,
                    heading=section.heading,
                    id=f"section-{index + 1}",
                    html=self.markdown(name),
                    lead_html=self._render_tokens(lead(part.tokens)) if part is not None else Markup(""),
                    has_more=has_more(full.tokens) if full is not None else False,
                    notes=notes,
                    lead_notes=lead_numbers,
                )
            )
        return views

    def _report_meta(self) -> str:
        doc = self.resolved.doc
        rating = doc.rating
        meta: dict[str, Any] = {
            "id": doc.id,
            "title": doc.title,
            "language": doc.language,
            "date": doc.date or "",
            "publisher": doc.publisher.name if doc.publisher else "",
            "authors": list(doc.authors),
            "claim": doc.claim.text if doc.claim else "",
            "verdict_label": self.context["verdict_label"],
            "rating": None,
            "layout": self.layout.name,
            "generator": f"reportkit {__version__}",
        }
        if rating is not None:
            meta["rating"] = {
                "key": rating.key,
                "label": rating.label,
                "order": rating.order,
                "colour": rating.colour,
                "symbol": rating.symbol,
                "shape": rating_shape(rating, doc.scale),
                "scale": doc.scale.name,
                "default_scale": doc.rating_scale is None,
            }
        return json.dumps(meta, ensure_ascii=False, sort_keys=True)

    # --- rendering -----------------------------------------------------------------------

    def _template(self, name: str) -> jinja2.Template:
        import jinja2

        try:
            return self.layout.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise LayoutError(f"template syntax error: {exc.message}", file=exc.filename, line=exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise LayoutError(
                f"layout {self.layout.name!r} has no template {exc.name!r}",
                file=self.layout.path,
                hint="add it, or extend a layout that has it",
            ) from None

    def render(self, name: str, **extra: Any) -> str:
        """Render the template ``{medium}/{name}`` with the shared context plus ``extra``."""
        import jinja2

        template = self._template(f"{self.medium.name}/{name}")
        try:
            return template.render({**self.context, **extra})
        except jinja2.TemplateError as exc:
            raise template_error(exc) from None


def template_error(exc: jinja2.TemplateError) -> LayoutError:
    """A LayoutError naming the template file and line where rendering failed."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return LayoutError(f"template syntax error: {exc.message}", file=exc.filename, line=exc.lineno)
    if isinstance(exc, jinja2.TemplateNotFound):
        return LayoutError(f"no template {exc.name!r}", hint="add it, or extend a layout that has it")
    filename, line = None, None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if code.endswith((".html", ".xhtml", ".xml", ".css")):
            filename, line = code, tb.tb_lineno
            # A macro called from Python (citations, figures) runs the template's compiled
            # code without Jinja2's traceback rewriting: map its line back to the template.
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            if template is not None:
                line = template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    message = getattr(exc, "message", None) or str(exc)
    hint = "check the variable's name against the template context (reportkit.render.renderer.CONTEXT)"
    return LayoutError(f"template error: {message}", file=filename, line=line, hint=hint)
