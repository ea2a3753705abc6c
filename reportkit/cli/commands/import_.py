"""``reportkit import``: an existing article turned into a Markdown fact-check."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared import echo, fail, secho


@click.command(name="import")
@click.argument("article", type=click.Path(path_type=Path))
@click.option("-s", "--sources", "sources", required=True, type=click.Path(path_type=Path),
              help="The article's references, in citation order: CSL-JSON (.json) or BibTeX (.bib).")
@click.option("-o", "--out", "out_file", required=True, type=click.Path(path_type=Path),
              help="The Markdown fact-check to write.")
@click.option("--language", default="en", show_default=True, help="The article's language (BCP 47).")
@click.option("--inline-sources", is_flag=True,
              help="List the sources in the front matter even when the reference file could be named instead.")
@click.option("--strict", is_flag=True, help="Write nothing (exit 2) if anything could not be mapped.")
def import_(article: Path, sources: Path, out_file: Path, language: str, inline_sources: bool, strict: bool) -> None:
    """Turn an existing ARTICLE (.txt, .md, .html) into a reportkit Markdown fact-check.

    The article has a title, an "Executive summary", numbered section headings and numeric
    citations [1] [2]; citation n becomes [@key] of the n-th reference of --sources. What
    cannot be mapped is kept as text and reported.
    """
    import os

    from ...errors import ReportkitError
    from ...tools.importer import import_article
    from ...files import atomic_write

    sources_ref = None
    folder = out_file.resolve().parent
    if not inline_sources and sources.resolve().is_relative_to(folder):
        sources_ref = Path(os.path.relpath(sources.resolve(), folder)).as_posix()
    try:
        result = import_article(article, sources, language=language, sources_ref=sources_ref)
        for problem in result.problems:
            secho(f"warning: {article}: {problem}", fg="yellow", err=True)
        if strict and result.problems:
            fail(f"{len(result.problems)} thing(s) could not be mapped (--strict): nothing written", 2)
        atomic_write(out_file, result.markdown.encode("utf-8"))
    except ReportkitError as exc:
        fail(str(exc), exc.exit_code)
    where = f"sources from {sources_ref}" if sources_ref else "sources listed in the front matter"
    echo(
        f"wrote {out_file}: {len(result.sections)} sections, {result.citations} citations, {where}"
        + (f"; {len(result.problems)} warning(s)" if result.problems else "")
    )
