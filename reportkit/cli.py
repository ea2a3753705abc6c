"""The ``reportkit`` command: a thin layer over the library.

Exit status: 0 when everything was built, 2 when an input (or layout) is wrong,
1 when rendering or writing failed. User errors are one clear message, never a
traceback (``--debug`` shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._version import __version__

FORMATS = ("pdf", "epub")


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    from .writers import FORMATS as KNOWN

    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in KNOWN]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: choose from {', '.join(KNOWN)}")
    return list(dict.fromkeys(names))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reportkit")
def main() -> None:
    """Typeset fact-checks as print-ready PDF and EPUB 3.

    Write a fact-check as Markdown with a YAML front matter (see samples/), then:

        reportkit build samples/russia-nato.md -o out/
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Folder the outputs go to (created if missing).")
@click.option("-f", "--format", "formats", default="pdf,epub", show_default=True, callback=_formats,
              help="Comma-separated output formats: pdf, epub, html, claimreview.")
@click.option("-l", "--layout", default="report", show_default=True,
              help="A built-in layout's name, or the path of a layout folder.")
@click.option("-p", "--page-size", default="A4", show_default=True,
              type=click.Choice(["A4", "Letter", "A5"], case_sensitive=False), help="Paper size of the PDF.")
@click.option("--strict", is_flag=True, help="Treat warnings (uncited sources, missing alt text) as errors.")
@click.option("--csl-style", default=None, metavar="NAME|PATH",
              help="Format the sources with a CSL style (apa, chicago-author-date, a .csl file); needs reportkit[csl].")
@click.option("--debug", is_flag=True, help="Show the traceback of unexpected failures.")
def build(
    inputs: tuple[Path, ...],
    out_dir: Path,
    formats: list[str],
    layout: str,
    page_size: str,
    strict: bool,
    csl_style: str | None,
    debug: bool,
) -> None:
    """Build INPUTS (.md, .yaml, .json files, or folders of them) into OUT_DIR/<slug>.<format>.

    Every input is built even when another fails; the exit status is then non-zero:
    2 for invalid input, 1 for a rendering or writing failure.
    """
    from .build import build_file, expand_inputs

    files = expand_inputs(inputs)
    if not files:
        _fail("no fact-check files found in the inputs given", 2)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{out_dir}: cannot create the output folder: {exc.strerror}", 1)
    worst = 0
    for file in files:
        extra = {"csl_style": csl_style} if csl_style else {}
        result = build_file(file, out_dir, formats=formats, strict=strict, layout=layout, page_size=page_size, **extra)
        for message in result.warnings:
            click.secho(f"warning: {message}", fg="yellow", err=True)
        for output in result.outputs:
            click.echo(f"wrote {output}")
        if result.error is not None:
            click.secho(f"error: {result.error}", fg="red", err=True)
            if debug and result.error.__cause__ is not None:
                import traceback

                traceback.print_exception(result.error.__cause__)
            worst = max(worst, result.error.exit_code)
    if worst:
        sys.exit(worst)


@main.command()
@click.option("-o", "--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="Write the schema to this file instead of printing it.")
def schema(out_file: Path | None) -> None:
    """Print the JSON Schema of the input format (front matter, YAML, JSON), for editors.

    Hook it into an editor with a first line '# yaml-language-server: $schema=factcheck.schema.json'.
    """
    from .schema import input_schema_json

    text = input_schema_json()
    if out_file is None:
        click.echo(text, nl=False)
        return
    from .errors import ReportkitError
    from .output import atomic_write

    try:
        atomic_write(out_file, text.encode("utf-8"))
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
    click.echo(f"wrote {out_file}")


@main.command(name="import")
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

    from .errors import ReportkitError
    from .importer import import_article
    from .output import atomic_write

    sources_ref = None
    folder = out_file.resolve().parent
    if not inline_sources and sources.resolve().is_relative_to(folder):
        sources_ref = Path(os.path.relpath(sources.resolve(), folder)).as_posix()
    try:
        result = import_article(article, sources, language=language, sources_ref=sources_ref)
        for problem in result.problems:
            click.secho(f"warning: {article}: {problem}", fg="yellow", err=True)
        if strict and result.problems:
            _fail(f"{len(result.problems)} thing(s) could not be mapped (--strict): nothing written", 2)
        atomic_write(out_file, result.markdown.encode("utf-8"))
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
    where = f"sources from {sources_ref}" if sources_ref else "sources listed in the front matter"
    click.echo(
        f"wrote {out_file}: {len(result.sections)} sections, {result.citations} citations, {where}"
        + (f"; {len(result.problems)} warning(s)" if result.problems else "")
    )


def _fail(message: str, code: int) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
