"""Build options: the one typed table of everything a build can be asked for.

Every entry point (:meth:`reportkit.FactCheck.render`, ``to_pdf``, ``to_epub``, ``to_html``,
:func:`reportkit.build_many` and the CLI) turns its keyword options into a
:class:`BuildOptions`. A misspelt option is an :class:`~reportkit.errors.InputError` that
names it and the closest known name; a wrong type is one that names the option and the type
it takes. Layout options left at ``None`` keep the value the layout's ``layout.toml`` gives
(``[options]``); a user layout may declare options of its own there, and those are accepted
for that layout too.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError

__all__ = ["BuildOptions", "OPTION_DOCS"]


def _no_layout_options() -> dict[str, Any]:
    """A new empty mapping, the default of ``layout_options`` (a function of Python: see ``document.model``'s list default)."""
    return {}


class BuildOptions(BaseModel):
    """Every option of a build, with its type and default. ``None`` means: as the layout says."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    # -- what to build with ----------------------------------------------------------------
    layout: str = Field("report", description="The layout: a built-in name (report, brief) or a layout folder's path.")
    page_size: str = Field("A4", description="The page size, one of the layout's page_sizes (A4, Letter, A5).")
    timeout: float | None = Field(
        None, description="Seconds one output may take to render (None: the limits' render_seconds)."
    )
    engine: Literal["weasyprint", "typst"] | None = Field(
        None,
        description="The PDF engine: weasyprint (HTML and CSS layouts) or typst (faster; reportkit[typst]); "
        "None: the layout's, else weasyprint.",
    )
    font_dirs: tuple[str, ...] = Field(
        (),
        description="Folders of font files (.ttf, .otf, .woff, .woff2) for scripts the layout's fonts lack (CJK, emoji).",
    )
    # -- layout options (layout.toml [options]) -------------------------------------------
    claim_image: bool | None = Field(None, description="Show the claim's screenshot beside the claim.")
    explanation: bool | None = Field(None, description="Show the verdict's explanation under the badge.")
    sections: Literal["full", "lead"] | None = Field(
        None, description='"full" sections, or "lead": each section\'s first paragraph only.'
    )
    backref_pages: bool | None = Field(
        None, description="Print the page of each back-reference in the bibliography (\u00a7 2 (p. 3))."
    )
    fit_pages: int | None = Field(
        None, ge=0, description="Copyfitting: set the PDF again, tighter, when it runs one page over this (0: never)."
    )
    fit_steps: int | None = Field(None, ge=0, description="Copyfitting: how many tighter settings to try.")
    csl_style: str | None = Field(
        None, description="Format the bibliography with a CSL style (a name such as apa, or a .csl file)."
    )
    # -- PDF variants -----------------------------------------------------------------------
    archival: bool = Field(False, description="PDF/A-3a + PDF/UA-1 with the fact-check's source embedded.")
    print_marks: bool = Field(False, description="Crop and registration marks on a 3 mm bleed, for the print shop.")
    pdf_x: bool = Field(False, description="PDF/X-4 output intent for the print shop.")
    untagged: bool = Field(
        False, description="Leave out the PDF/UA-1 tags (headings, reading order, alt text) for the last bit of speed."
    )
    # -- options a layout declares in its own layout.toml ----------------------------------
    layout_options: dict[str, Any] = Field(
        default_factory=_no_layout_options, description="Options a user layout declares in its layout.toml [options]."
    )

    @classmethod
    def parse(
        cls,
        given: Mapping[str, Any] | BuildOptions | None = None,
        *,
        layout_options: Iterable[str] = (),
    ) -> BuildOptions:
        """Options from keyword arguments; unknown names and wrong types raise :class:`InputError`.

        ``layout_options`` names the options the chosen layout declares in its ``layout.toml``:
        those are accepted besides the table's own.
        """
        if isinstance(given, BuildOptions):
            return given
        values = dict(given or {})
        declared = set(layout_options)
        extra = {key: values.pop(key) for key in list(values) if key not in cls.model_fields and key in declared}
        unknown = [key for key in values if key not in cls.model_fields or key == "layout_options"]
        if unknown:
            name = unknown[0]
            known = sorted({*cls.model_fields, *declared} - {"layout_options"})
            close = difflib.get_close_matches(str(name), known, n=1)
            raise InputError(
                f"unknown option {name!r}",
                field=str(name),
                hint=f"did you mean {close[0]!r}?" if close else "known options: " + ", ".join(known),
            )
        if "layout" in values and not isinstance(values["layout"], str):
            values["layout"] = _layout_name(values["layout"])
        if "font_dirs" in values:
            values["font_dirs"] = _folders(values["font_dirs"])
            for folder in values["font_dirs"] if isinstance(values["font_dirs"], tuple) else ():
                if not os.path.isdir(folder):
                    raise InputError(
                        f"option font_dirs: {folder!r} is not a folder",
                        field="font_dirs",
                        hint="name folders that hold .ttf, .otf, .woff or .woff2 files",
                    )
        if isinstance(values.get("timeout"), int) and not isinstance(values["timeout"], bool):
            values["timeout"] = float(values["timeout"])
        try:
            return cls(**values, layout_options=extra)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(part) for part in error["loc"]) or "options"
            raise InputError(
                f"option {field}: {error['msg']} (got {error.get('input')!r})",
                field=field,
                hint=OPTION_DOCS.get(field.split(".")[0], ""),
            ) from None

    def writer_options(self) -> dict[str, Any]:
        """The options the writers and templates see: those set away from their default, and the layout's own."""
        chosen = self.model_dump(exclude_defaults=True, exclude={"layout", "page_size", "timeout", "layout_options"})
        return {**chosen, **self.layout_options}


def _folders(value: Any) -> Any:
    """``font_dirs`` given as one path or an iterable of paths, as the tuple of strings the option holds."""
    if isinstance(value, (str, os.PathLike)):
        return (os.fspath(value),)
    if isinstance(value, (list, tuple)) and all(isinstance(item, (str, os.PathLike)) for item in value):
        return tuple(os.fspath(item) for item in value)
    return value


def _layout_name(value: Any) -> str:
    """A layout given as a path or a :class:`~reportkit.render.layouts.Layout`, as the string the option holds."""
    import os

    path = getattr(value, "path", value)
    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)
    raise InputError(f"option layout: expected a name or a path, got {type(value).__name__}", field="layout")


#: One line of documentation per option, from the table above (the README's option table is tested against it).
OPTION_DOCS: dict[str, str] = {
    name: field.description or ""
    for name, field in BuildOptions.model_fields.items()
    if name != "layout_options"
}
