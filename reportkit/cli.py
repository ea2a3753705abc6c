"""The ``reportkit`` command: a thin layer over the library.

Exit status: 0 when everything was built, 2 when an input (or layout) is wrong,
1 when rendering or writing failed. User errors are one clear message, never a
traceback (``--debug`` shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._version import __version__

if TYPE_CHECKING:
    from .batch import BatchReport

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
@click.option("--debug", is_flag=True, help="Show the traceback of unexpected failures.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes building at once (0: one per core).")
@click.option("--force", is_flag=True, help="Rebuild every output, even those whose inputs did not change.")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Build on a Dask cluster, e.g. tcp://scheduler:8786 (needs reportkit[dask]).")
@click.option("--collect", is_flag=True,
              help="With --dask: workers send the files back and this machine writes them.")
def build(
    inputs: tuple[Path, ...],
    out_dir: Path,
    formats: list[str],
    layout: str,
    page_size: str,
    strict: bool,
    debug: bool,
    jobs: int = 1,
    force: bool = False,
    dask_address: str | None = None,
    collect: bool = False,
) -> None:
    """Build INPUTS (.md, .yaml, .json files, or folders of them) into OUT_DIR/<slug>.<format>.

    Every input is built even when another fails; the exit status is then non-zero:
    2 for invalid input, 1 for a rendering or writing failure, 130 when interrupted.
    Outputs whose input, images, layout and options did not change since they were
    built into OUT_DIR are skipped (--force rebuilds them).
    """
    from .build import expand_inputs

    files = expand_inputs(inputs)
    if not files:
        _fail("no fact-check files found in the inputs given", 2)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{out_dir}: cannot create the output folder: {exc.strerror}", 1)
    if collect and not dask_address:
        _fail("--collect only applies to --dask builds", 2)
    report = _build_batch(files, out_dir, formats=formats, strict=strict, debug=debug, jobs=jobs, force=force,
                          dask_address=dask_address, collect=collect, layout=layout, page_size=page_size)
    worst = report.exit_code
    if worst:
        sys.exit(worst)


def _build_batch(files: list[Path], out_dir: Path, *, debug: bool, jobs: int, dask_address: str | None,
                 **options: object) -> "BatchReport":
    """Build ``files`` with progress shown (a bar on a terminal, lines otherwise); Ctrl-C stops cleanly."""
    import signal

    from .batch import BatchInterrupted, build_many, default_jobs
    from .progress import choose

    progress = choose(len(files), debug=debug)
    executor, client = None, None
    if dask_address:
        executor, client = _dask_executor(dask_address)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a kill stops as cleanly as Ctrl-C
    try:
        return build_many(files, out_dir, executor=executor, jobs=jobs or default_jobs(), progress=progress,
                          **options)  # type: ignore[arg-type]
    except BatchInterrupted as stop:
        return stop.report
    except KeyboardInterrupt:  # a second Ctrl-C while the batch was already stopping
        _fail("interrupted", 130)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        if client is not None:
            client.close()


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM: stop as Ctrl-C does (whichever handler Ctrl-C has at that moment)."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGINT)


def _dask_executor(address: str) -> tuple[object, object]:
    """A concurrent.futures executor on the Dask cluster at ``address``, and its client."""
    try:
        from distributed import Client
    except ImportError:
        _fail("--dask needs the Dask extra: pip install 'reportkit[dask]'", 2)
    import dask

    try:  # Dask's connect timeout (30 s unless configured, e.g. DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
        client = Client(address, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except (OSError, TimeoutError) as exc:
        _fail(f"cannot reach the Dask scheduler at {address}: {exc}", 1)
    return client.get_executor(pure=False), client


def _fail(message: str, code: int) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
