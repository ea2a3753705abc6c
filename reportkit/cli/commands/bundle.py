"""``reportkit bundle``: report PDFs combined into one digest behind a cover."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..shared import bundle_pdfs


@click.command("bundle")
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "output", type=click.Path(path_type=Path), required=True, help="The digest's PDF.")
@click.option("-t", "--title", default=None, help="The digest's title (default: 'Fact check digest', translated).")
@click.option("-l", "--layout", default="report", show_default=True, help="The layout that draws the cover.")
@click.option("--language", default=None, help="The cover's language (default: the reports' common language).")
@click.option("-p", "--page-size", default=None, type=click.Choice(["A4", "Letter", "A5"], case_sensitive=False),
              help="The cover's paper size (default: the first report's).")
def bundle_command(
    pdfs: tuple[Path, ...], output: Path, title: str | None, layout: str, language: str | None, page_size: str | None
) -> None:
    """Combine report PDFS into one digest: a cover with the checks, their verdicts and a chart, then the reports.

    Each report's bookmarks are nested under its title; pages are labelled 1-1, 1-2... 2-1.
    """
    code = bundle_pdfs(list(pdfs), output, title=title, layout=layout, language=language, page_size=page_size)
    if code:
        sys.exit(code)
