"""Previews: PNG images of a PDF's pages, and a watcher that rebuilds them when the input or layout changes.

Pages are rasterised by pypdfium2 (``pip install reportkit[preview]``) or, without it,
by poppler's ``pdftoppm``. The images sit next to the PDF as ``<stem>-<page>.png``
(``russia-nato-1.png``...), ready for a quick look or a review tool; stale images of
pages that no longer exist are removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import OutputError, RenderError

__all__ = ["ENGINES", "build_preview", "draw_pages", "preview", "watch", "watched_paths"]

PathLike = str | os.PathLike[str]

#: Rasterisers, in the order ``engine="auto"`` tries them.
ENGINES = ("pypdfium2", "pdftoppm")


def _engine(engine: str) -> str:
    if engine not in ("auto", *ENGINES):
        raise ValueError(f"unknown preview engine {engine!r}: use auto, {', '.join(ENGINES)}")
    if engine in ("auto", "pypdfium2"):
        try:
            import pypdfium2  # noqa: F401

            return "pypdfium2"
        except ImportError:
            if engine == "pypdfium2":
                raise RenderError("pypdfium2 is not installed", hint="pip install 'reportkit[preview]'") from None
    if shutil.which("pdftoppm"):
        return "pdftoppm"
    raise RenderError(
        "no way to draw PDF pages: neither pypdfium2 nor poppler's pdftoppm is installed",
        hint="pip install 'reportkit[preview]' (or install poppler-utils)",
    )


def preview(pdf: PathLike, *, dpi: int = 80, engine: str = "auto") -> list[Path]:
    """Write ``<stem>-<n>.png`` next to ``pdf`` for each of its pages; return the images' paths."""
    source = Path(pdf)
    if not source.is_file():
        raise OutputError(f"{source} does not exist", file=source)
    chosen = _engine(engine)
    images = _pypdfium2(source, dpi) if chosen == "pypdfium2" else _pdftoppm(source, dpi)
    paths = []
    for number, data in enumerate(images, start=1):
        target = source.with_name(f"{source.stem}-{number}.png")
        from ..files import atomic_write

        atomic_write(target, data)
        paths.append(target)
    # Images of pages the PDF no longer has (it got shorter) would mislead a reviewer.
    number = len(paths) + 1
    while (stale := source.with_name(f"{source.stem}-{number}.png")).is_file():
        stale.unlink()
        number += 1
    return paths


def draw_pages(pdf: bytes, *, dpi: int = 80) -> list[bytes]:
    """PNG images of the pages of the PDF ``pdf`` (its bytes), drawn by pypdfium2 or poppler's pdftoppm.

    The images are for a screen now, not for keeping: they are compressed lightly, which is
    several times faster than the smallest PNG and makes files about as large for pages of text.
    """
    import tempfile

    chosen = _engine("auto")
    if chosen == "pypdfium2":
        return list(_pypdfium2(pdf, dpi, optimize=False))
    with tempfile.NamedTemporaryFile(prefix="reportkit-preview-", suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return list(_pdftoppm(Path(handle.name), dpi))


def _pypdfium2(source: Path | bytes, dpi: int, *, optimize: bool = True) -> Iterator[bytes]:
    """The pages as PNG; ``optimize=False`` compresses lightly, several times faster (for a live preview)."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72)
            buffer = io.BytesIO()
            if optimize:
                bitmap.to_pil().save(buffer, format="PNG", optimize=True)
            else:
                bitmap.to_pil().save(buffer, format="PNG", compress_level=1)
            yield buffer.getvalue()
    finally:
        document.close()


def _pdftoppm(source: Path, dpi: int) -> Iterator[bytes]:
    with tempfile.TemporaryDirectory(prefix="reportkit-preview-") as folder:
        result = subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), str(source), f"{folder}/page"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RenderError(f"pdftoppm could not draw {source}: {result.stderr.strip()[:200]}", file=source)
        pages = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        for page in pages:
            yield page.read_bytes()


def _rasteriser(rasteriser: str, options: dict[str, Any]) -> str:
    """The rasteriser asked for; ``engine="pypdfium2"`` (its old name) still names one, ``engine="typst"`` the PDF engine."""
    if options.get("engine") in ("auto", *ENGINES):
        return str(options.pop("engine"))
    return rasteriser


def build_preview(
    input: PathLike,
    out_dir: PathLike,
    *,
    dpi: int = 80,
    rasteriser: str = "auto",
    **options: Any,
) -> tuple[Path, list[Path]]:
    """Build ``input`` into ``out_dir/<slug>.pdf`` and draw its pages; return the PDF and the images.

    ``options`` are the build's (``engine="typst"`` for Typst's incremental rebuilds); ``rasteriser``
    draws the pages (``auto``, ``pypdfium2``, ``pdftoppm``).
    """
    rasteriser = _rasteriser(rasteriser, options)
    from ..factcheck import load
    from ..writers import output_path

    check = load(input)
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror}", file=folder) from None
    pdf = check.to_file("pdf", output_path(folder, check.id, "pdf"), **options)
    return pdf, preview(pdf, dpi=dpi, engine=rasteriser)


def watched_paths(input: PathLike, layout: Any = "report") -> list[Path]:
    """What a preview depends on: the input's folder (text and images) and the layout's folders."""
    from ..render.layouts import Layout, find_layout

    chosen = layout if isinstance(layout, Layout) else find_layout(layout)
    folders = [Path(input).resolve().parent, *(l.path for l in chosen.chain)]
    return list(dict.fromkeys(folders))


def watch(
    input: PathLike,
    out_dir: PathLike,
    *,
    on_build: Callable[[Path, list[Path] | None, Exception | None], None] | None = None,
    stop_event: threading.Event | None = None,
    dpi: int = 80,
    rasteriser: str = "auto",
    **options: Any,
) -> None:
    """Build the preview, then again whenever the input's folder or the layout changes, until ``stop_event`` is set.

    ``on_build(pdf, images, error)`` is called after every build (``error`` set when the
    build failed; the watcher keeps watching, so that the author can fix the input).
    """
    from watchfiles import watch as watch_changes

    from ..errors import ReportkitError

    out = Path(out_dir).resolve()

    def build() -> None:
        try:
            pdf, images = build_preview(input, out, dpi=dpi, rasteriser=rasteriser, **options)
        except ReportkitError as exc:
            if on_build:
                on_build(Path(input), None, exc)
            return
        if on_build:
            on_build(pdf, images, None)

    def relevant(change: Any, path: str) -> bool:
        changed = Path(path)
        # The outputs land in the watched folder when out_dir is the input's folder: ignore them.
        if changed.parent == out and changed.suffix.lower() in (".pdf", ".png", ".part"):
            return False
        return not changed.name.startswith(".")

    build()
    layout = options.get("layout", "report")
    paths: Iterable[Path] = watched_paths(input, layout)
    for _changes in watch_changes(*paths, watch_filter=relevant, stop_event=stop_event, debounce=400):
        build()
