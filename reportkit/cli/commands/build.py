"""``reportkit build``: fact-checks into PDF, EPUB, HTML and ClaimReview, many at once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..shared import KEY_HELP, bundle_pdfs, fail, parse_formats, sign_options

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from ...tools.batch import BatchReport


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Folder the outputs go to (created if missing).")
@click.option("-f", "--format", "formats", default="pdf,epub", show_default=True, callback=parse_formats,
              help="Comma-separated output formats: pdf, epub, html, claimreview.")
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
@click.option("--archival", is_flag=True,
              help="PDF/A-3a + PDF/UA-1 with the fact-check's source embedded (see 'reportkit verify').")
@click.option("--csl-style", default=None, metavar="NAME|PATH",
              help="Format the sources with a CSL style (apa, chicago-author-date, a .csl file); needs reportkit[csl].")
@click.option("--engine", type=click.Choice(["weasyprint", "typst"]), default=None,
              help="PDF engine: weasyprint (HTML and CSS layouts) or typst (faster; needs reportkit[typst]). "
              "Default: the layout's, else weasyprint.")
@click.option("--font-dir", "font_dirs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of font files (.ttf, .otf, .woff, .woff2) for scripts the layout's fonts lack; repeatable.")
@click.option("--debug", is_flag=True, help="Show the traceback of unexpected failures.")
@click.option("--print-marks", is_flag=True, help="PDF with crop marks and 3 mm bleed, for a print shop.")
@click.option("--pdf-x", is_flag=True, help="PDF/X-4 for printers (reproducible: same input, same bytes).")
@click.option("--untagged", is_flag=True,
              help="Leave out the PDF/UA-1 tags every PDF has by default (a few percent faster; not accessible).")
@click.option("--bundle", "bundle_path", type=click.Path(path_type=Path),
              help="Also combine the PDFs built into one digest at this path, behind a cover.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes building at once (0: one per core).")
@click.option("--recycle-after", type=click.IntRange(min=0), default=None, metavar="N",
              help="With -j N: replace each worker process after N documents (0: never; default 500).")
@click.option("--force", is_flag=True, help="Rebuild every output, even those whose inputs did not change.")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Build on a Dask cluster, e.g. tcp://scheduler:8786 (needs reportkit[dask]).")
@click.option("--collect", is_flag=True,
              help="With --dask: workers send the files back and this machine writes them.")
@click.option("--sign", "sign_key", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="KEY",
              help="Sign each PDF built (PAdES; needs reportkit[sign]). " + KEY_HELP)
@click.option("--cert", "sign_cert", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="With --sign: the signer's certificate.")
@click.option("--tsa", default=None, metavar="URL", help="With --sign: add an RFC 3161 timestamp from this TSA.")
@click.option("--ltv", is_flag=True, help="With --sign: embed the validation data for offline checks.")
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
    archival: bool,
    csl_style: str | None,
    debug: bool,
    engine: str | None = None,
    print_marks: bool = False,
    pdf_x: bool = False,
    untagged: bool = False,
    bundle_path: Path | None = None,
    jobs: int = 1,
    force: bool = False,
    dask_address: str | None = None,
    collect: bool = False,
    font_dirs: tuple[Path, ...] = (),
    sign_key: Path | None = None,
    sign_cert: Path | None = None,
    tsa: str | None = None,
    ltv: bool = False,
    recycle_after: int | None = None,
) -> None:
    """Build INPUTS (.md, .yaml, .json files, or folders of them) into OUT_DIR/<slug>.<format>.

    Every input is built even when another fails; the exit status is then non-zero:
    2 for invalid input, 1 for a rendering or writing failure, 130 when interrupted.
    Outputs whose input, images, layout and options did not change since they were
    built into OUT_DIR are skipped (--force rebuilds them).
    """
    if jobs != 1 and not dask_address and (len(inputs) > 1 or any(path.is_dir() for path in inputs)):
        from ...tools.workers import default_jobs, start_server

        if (jobs or default_jobs()) > 1:
            start_server(formats, layout, engine)  # it imports what the workers need while this process goes on
    from ...tools.build import expand_inputs
    from ...limits import Limits

    files = expand_inputs(inputs)
    if not files:
        fail("no fact-check files found in the inputs given", 2)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{out_dir}: cannot create the output folder: {exc.strerror}", 1)
    if bundle_path is not None and "pdf" not in formats:
        fail("--bundle combines PDFs: add pdf to --format", 2)
    extra: dict[str, object] = {**_print_options(print_marks, pdf_x), **({"archival": True} if archival else {})}
    if csl_style:
        extra["csl_style"] = csl_style
    if untagged:
        if archival:
            fail("--untagged cannot be archival: PDF/UA-1 (and PDF/A-3a) need the tags", 2)
        extra["untagged"] = True
    if engine:
        extra["engine"] = engine
    if font_dirs:
        extra["font_dirs"] = tuple(str(folder.resolve()) for folder in font_dirs)
    if recycle_after is not None:
        extra["recycle_after"] = recycle_after
    if collect and not dask_address:
        fail("--collect only applies to --dask builds", 2)
    if sign_key is None and (sign_cert or tsa or ltv):
        fail("--cert, --tsa and --ltv apply to --sign", 2)
    if sign_key is not None and "pdf" not in formats:
        fail("--sign signs PDFs: add pdf to --format", 2)
    if sign_key is not None:
        from ...tools.sign import available

        if not available():
            fail("--sign needs pyHanko: pip install 'reportkit[sign]'", 2)
    limits = Limits(max_input_bytes=int(max_input_mb * 1024 * 1024), render_seconds=timeout)
    batch_options: dict[str, Any] = dict(formats=formats, strict=strict, debug=debug, jobs=jobs, force=force,
                                         dask_address=dask_address, collect=collect, limits=limits,
                                         unsafe_images=unsafe_images, layout=layout, page_size=page_size, **extra)
    if _splits(inputs, files, formats, jobs=jobs, layout=layout, engine=engine, bundled=bundle_path is not None,
               signed=sign_key is not None, dask=dask_address is not None):
        from ...tools.split import split_build

        def progress() -> Any:
            from ..progress import choose

            return choose(1, debug=debug)

        import signal

        previous = signal.signal(signal.SIGTERM, _interrupt)  # a kill stops as cleanly as Ctrl-C
        try:
            status = split_build(files[0], out_dir, progress=progress,
                                 fallback=lambda: _build_batch(list(inputs), out_dir, **batch_options).exit_code,
                                 strict=strict, force=force,
                                 options={"limits": limits, "unsafe_images": unsafe_images, "layout": layout,
                                          "page_size": page_size, **extra})
        finally:
            signal.signal(signal.SIGTERM, previous)
        if status:
            sys.exit(status)
        return
    report = _build_batch(list(inputs), out_dir, **batch_options)
    built_pdfs = [o for result in report.results for o in result.outputs if o.suffix == ".pdf"]
    worst = report.exit_code
    if sign_key is not None and not report.interrupted:
        worst = max(worst, _sign_built(report, sign_options(sign_key, sign_cert, (), tsa, ltv, None)))
    if bundle_path is not None and built_pdfs and not report.interrupted:
        worst = max(worst, bundle_pdfs(built_pdfs, bundle_path, layout=layout))
    if worst:
        sys.exit(worst)


def _splits(inputs: tuple[Path, ...], files: list[Path], formats: list[str], *, jobs: int, layout: str,
            engine: str | None, bundled: bool, signed: bool, dask: bool) -> bool:
    """Whether the build runs in three processes, one after the other (:mod:`reportkit.tools.split`): one
    input file, a PDF only, with the Typst engine (asked for, or the layout's), one job, no --bundle,
    --sign or --dask, on a system that forks. ``REPORTKIT_SPLIT=0`` builds in one process."""
    import os

    from ...tools.split import can_fork

    if os.environ.get("REPORTKIT_SPLIT", "1") == "0" or not can_fork():
        return False
    if len(inputs) != 1 or len(files) != 1 or inputs[0].is_dir() or formats != ["pdf"]:
        return False
    if jobs != 1 or bundled or signed or dask:
        return False
    from ...tools.workers import typst_batch

    return typst_batch(formats, layout, engine)  # a broken layout: False, and the ordinary build reports it


def _build_batch(files: list[Path], out_dir: Path, *, debug: bool, jobs: int, dask_address: str | None,
                 **options: object) -> "BatchReport":
    """Build ``files`` with progress shown (a bar on a terminal, lines otherwise); Ctrl-C stops cleanly."""
    import signal

    from ...tools.batch import BatchInterrupted, build_many, default_jobs
    from ..progress import choose

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
        fail("interrupted", 130)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        if client is not None:
            client.close()


def _sign_built(report: Any, options: dict[str, Any]) -> int:
    """Sign the PDFs this run wrote (outputs skipped as unchanged were signed when they were built); the exit status."""
    from ...errors import ReportkitError
    from ...tools.sign import sign as sign_file

    worst = 0
    for result in report.results:
        for output in result.outputs:
            if output.suffix != ".pdf" or output in result.unchanged:
                continue
            try:
                sign_file(output, **options)
            except ReportkitError as exc:
                click.secho(f"error: {exc}", fg="red", err=True)
                worst = max(worst, exc.exit_code)
            else:
                click.echo(f"signed {output}")
    return worst


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM: stop as Ctrl-C does (whichever handler Ctrl-C has at that moment)."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGINT)


def _dask_executor(address: str) -> tuple[Executor, Any]:
    """A concurrent.futures executor on the Dask cluster at ``address``, and its client."""
    try:
        import dask
        from distributed import Client
    except ImportError:
        fail("--dask needs the Dask extra: pip install 'reportkit[dask]'", 2)
    try:  # Dask's connect timeout (30 s unless configured, e.g. DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
        client = Client(address, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except (OSError, TimeoutError) as exc:
        fail(f"cannot reach the Dask scheduler at {address}: {exc}", 1)
    return client.get_executor(pure=False), client


def _print_options(print_marks: bool, pdf_x: bool) -> dict[str, bool]:
    """The writer options of --print-marks and --pdf-x (only those set, so other formats see nothing new)."""
    return {k: v for k, v in (("print_marks", print_marks), ("pdf_x", pdf_x)) if v}
