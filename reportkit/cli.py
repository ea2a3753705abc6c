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
              help="Comma-separated output formats: pdf, epub.")
@click.option("-l", "--layout", default="report", show_default=True,
              help="A built-in layout's name, or the path of a layout folder.")
@click.option("-p", "--page-size", default="A4", show_default=True,
              type=click.Choice(["A4", "Letter", "A5"], case_sensitive=False), help="Paper size of the PDF.")
@click.option("--strict", is_flag=True, help="Treat warnings (uncited sources, missing alt text) as errors.")
@click.option("--unsafe-images", type=click.Choice(["error", "placeholder"]), default="error", show_default=True,
              help="What to do with images from outside the input's folder or from the web.")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="Seconds one output may take to render before it is stopped.")
@click.option("--max-input-mb", type=click.FloatRange(min=0.001), default=8, show_default=True,
              help="Largest input file read, in MB.")
@click.option("--debug", is_flag=True, help="Show the traceback of unexpected failures.")
def build(
    inputs: tuple[Path, ...],
    out_dir: Path,
    formats: list[str],
    layout: str,
    page_size: str,
    strict: bool,
    unsafe_images: str,
    timeout: float,
    max_input_mb: float,
    debug: bool,
) -> None:
    """Build INPUTS (.md, .yaml, .json files, or folders of them) into OUT_DIR/<slug>.<format>.

    Every input is built even when another fails; the exit status is then non-zero:
    2 for invalid input, 1 for a rendering or writing failure.
    """
    from .build import build_file, expand_inputs
    from .limits import Limits

    files = expand_inputs(inputs)
    if not files:
        _fail("no fact-check files found in the inputs given", 2)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{out_dir}: cannot create the output folder: {exc.strerror}", 1)
    worst = 0
    limits = Limits(max_input_bytes=int(max_input_mb * 1024 * 1024), render_seconds=timeout)
    for file in files:
        result = build_file(file, out_dir, formats=formats, strict=strict, limits=limits,
                            unsafe_images=unsafe_images, layout=layout, page_size=page_size)
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


def _fail(message: str, code: int) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
