"""``reportkit preview``: a fact-check's PDF and PNG images of its pages, rebuilt as it is edited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..shared import echo, fail, secho


@click.command("preview")
@click.argument("input", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Folder of the PDF and its PNG pages.")
@click.option("-l", "--layout", default="report", show_default=True,
              help="A built-in layout's name, or the path of a layout folder.")
@click.option("-p", "--page-size", default="A4", show_default=True,
              type=click.Choice(["A4", "Letter", "A5"], case_sensitive=False), help="Paper size of the PDF.")
@click.option("--dpi", default=80, show_default=True, type=click.IntRange(20, 600), help="Resolution of the images.")
@click.option("--engine", default=None, type=click.Choice(["weasyprint", "typst", "auto", "pypdfium2", "pdftoppm"]),
              help="PDF engine: weasyprint or typst (Typst rebuilds an edited check incrementally, in a fraction of "
              "a second). Default: the layout's, else weasyprint. auto, pypdfium2 and pdftoppm are still read as "
              "--rasteriser.")
@click.option("--rasteriser", default="auto", show_default=True, type=click.Choice(["auto", "pypdfium2", "pdftoppm"]),
              help="What draws the pages.")
@click.option("-w", "--watch", "watching", is_flag=True,
              help="Build again whenever the input's folder or the layout changes (Ctrl-C stops).")
def preview_command(
    input: Path,
    out_dir: Path,
    layout: str,
    page_size: str,
    dpi: int,
    engine: str | None,
    rasteriser: str,
    watching: bool,
) -> None:
    """Build INPUT's PDF and write PNG images of its pages next to it (OUT/<slug>-1.png ...)."""
    from ...errors import ReportkitError
    from ...tools.preview import build_preview, watch

    if engine in ("auto", "pypdfium2", "pdftoppm"):  # what --engine meant before the PDF engines
        rasteriser, engine = engine, None

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{out_dir}: cannot create the output folder: {exc.strerror}", 1)
    options: dict[str, Any] = {"layout": layout, "page_size": page_size}
    if engine:
        options["engine"] = engine
    if not watching:
        try:
            pdf, images = build_preview(input, out_dir, dpi=dpi, rasteriser=rasteriser, **options)
        except ReportkitError as exc:
            fail(str(exc), exc.exit_code)
        echo(f"wrote {pdf}")
        for image in images:
            echo(f"wrote {image}")
        return

    def report(pdf: Path, images: list[Path] | None, error: Exception | None) -> None:
        if error is not None:
            secho(f"error: {error}", fg="red", err=True)
        else:
            echo(f"wrote {pdf} and {len(images or [])} page image{'s' if len(images or []) != 1 else ''}")
        secho("watching for changes (Ctrl-C stops)", dim=True, err=True)

    try:
        watch(input, out_dir, on_build=report, dpi=dpi, rasteriser=rasteriser, **options)
    except KeyboardInterrupt:
        echo("stopped")
    except ReportkitError as exc:
        fail(str(exc), exc.exit_code)
