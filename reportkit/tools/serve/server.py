"""What the routes share: the configuration, the worker pool, the folder's listing, and the checks of names.

A request names a fact-check, a layout, a page size and an engine by name only; each is
looked up here among those the folder and the PDF writer have, so that no request can
point the server at a path of its choosing.
"""

from __future__ import annotations

import logging
from typing import Any

from ...errors import InputError, LayoutError, ReportkitError
from ..build import expand_inputs
from .config import ServeConfig
from .jobs import Build
from .pool import RenderPool

__all__ = ["Server", "pdf_engines"]

log = logging.getLogger("reportkit.serve")


def pdf_engines() -> tuple[str, ...]:
    """The PDF engines the PDF writer reports (its ``ENGINES``, the default first) that are installed.

    An engine besides the default is installed when the Python package of its name is (``typst``,
    from ``reportkit[typst]``). Without a list, the one engine there is: WeasyPrint.
    """
    from ...writers import pdf

    reported = tuple(getattr(pdf, "ENGINES", ()) or ("weasyprint",))
    return reported[:1] + tuple(name for name in reported[1:] if _installed(name))


def _installed(package: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


class Server:
    """What the routes share: the configuration, the worker pool, the folder's listing."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.pool = RenderPool(config.workers, config.queue, memory_mb=config.max_memory_mb)
        self.engines = pdf_engines()
        self._listing: list[dict[str, Any]] | None = None

    # --- what a request may name ------------------------------------------------------------

    def check_names(self) -> list[str]:
        """The fact-check files in the folder, by name (the only files a request can name)."""
        return [p.name for p in expand_inputs([self.config.root])]

    def check_name(self, name: str) -> str:
        """``name`` if it is a fact-check file in the folder, else an :class:`InputError`."""
        if name not in self.check_names():
            raise InputError(f"there is no fact-check {name[:100]!r} in the folder", field="file",
                             hint="choose one of the checks listed")
        return name

    def layouts(self) -> dict[str, Any]:
        """The layouts a request may choose: the built-in ones and those in the folder."""
        from ...render.layouts import list_layouts

        errors: list[LayoutError] = []
        return {layout.name: layout for layout in list_layouts([self.config.root], errors=errors)}

    def layout_path(self, name: str) -> str:
        """The folder of the layout called ``name`` (a name only: never a path from a request)."""
        layout = self.layouts().get(name)
        if layout is None:
            raise LayoutError(f"there is no layout {name[:100]!r}", field="layout",
                              hint="use one of: " + ", ".join(self.layouts()))
        return str(layout.path)

    def page_size(self, layout: str, size: str) -> str:
        """``size`` as the layout spells it, if the layout has it."""
        sizes = self.layouts()[layout].page_sizes
        for known in sizes:
            if known.lower() == size.lower():
                return str(known)
        raise InputError(f"layout {layout!r} has no page size {size[:20]!r}", field="page_size",
                         hint="use one of: " + ", ".join(sizes))

    @property
    def preview_engine(self) -> str:
        """The engine previews use unless the page asks for another: Typst when installed (it is the fastest)."""
        return "typst" if "typst" in self.engines else self.engines[0]

    def engine(self, name: str | None, *, default: str | None = None) -> str:
        """``name`` if the PDF writer has that engine (``default``, else the first one, when none is asked for)."""
        if not name:
            return default or self.engines[0]
        if name not in self.engines:
            raise InputError(f"there is no PDF engine {name[:40]!r}", field="engine",
                             hint="use one of: " + ", ".join(self.engines))
        return name

    def engine_options(self, engine: str | None) -> dict[str, Any]:
        """The build option choosing ``engine``: none when no engine is asked for (the layout's default is
        used), or while builds take no ``engine`` option (WeasyPrint is then the only engine)."""
        from ...options import BuildOptions

        return {"engine": engine} if engine and "engine" in BuildOptions.model_fields else {}

    def build_job(self, folder: str, name: str, fmt: str, *, layout: str, page_size: str, engine: str | None = None,
                  archival: bool = False) -> Build:
        """A checked :class:`Build` job for ``name`` in ``folder``."""
        path = self.layout_path(layout)
        options = self.engine_options(self.engine(engine) if engine else None)
        if archival:
            if fmt != "pdf":
                raise InputError("archival applies to the PDF only", field="archival", hint="ask for format=pdf")
            options["archival"] = True
        return Build(folder=folder, name=name, fmt=fmt, layout=path, page_size=self.page_size(layout, page_size),
                     options=options, limits=self.config.limits)

    # --- the folder's listing ---------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """Each fact-check in the folder: file, title, verdict, or the error that keeps it from loading."""
        if self._listing is None:
            self._listing = [self._entry(name) for name in self.check_names()]
        return self._listing

    def forget_listing(self) -> None:
        """Files changed: read the listing again when it is next asked for."""
        self._listing = None

    def _entry(self, name: str) -> dict[str, Any]:
        import warnings

        from ...factcheck import load
        from .jobs import describe

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check = load(self.config.root / name, limits=self.config.limits)
                fields = check.verdict_fields()
                verdict = {k: fields[k] for k in ("rating", "rating_label", "label") if k in fields}
                return {"file": name, "title": check.document.title, "verdict": verdict}
        except ReportkitError as exc:
            return {"file": name, "title": name, "verdict": {}, "error": describe(exc, self.config.root)}
        except Exception:  # noqa: BLE001 - one unreadable file must not hide the others
            log.exception("listing %s failed", name)
            return {"file": name, "title": name, "verdict": {}, "error": {"message": "cannot be read"}}
