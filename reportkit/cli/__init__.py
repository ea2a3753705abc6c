"""The ``reportkit`` command: a thin layer over the library.

Exit status: 0 when everything was built, 2 when an input (or layout) is wrong,
1 when rendering or writing failed. User errors are one clear message, never a
traceback (``--debug`` shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._version import __version__

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from ..tools.batch import BatchReport

FORMATS = ("pdf", "epub")


#: Help of the options naming a signing key (``build --sign``, ``sign --key``).
_KEY_HELP = "The signer's private key (PEM), or a PKCS#12 file (.p12/.pfx) holding key and certificate."


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    from ..writers import FORMATS as KNOWN

    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in KNOWN]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: choose from {', '.join(KNOWN)}")
    return list(dict.fromkeys(names))


def _quiet_interrupt_in_finaliser(unraisable: Any) -> None:
    """A Ctrl-C that lands in an object's finaliser prints no traceback.

    Python ignores an exception raised in ``__del__`` (a ``zipfile`` being closed while the user
    presses Ctrl-C) and prints it as "Exception ignored in ..."; the command handles the interrupt
    itself (exit 130, nothing half-written), so the traceback is noise. Other errors still print.
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reportkit")
def main() -> None:
    """Typeset fact-checks as print-ready PDF and EPUB 3.

    Write a fact-check as Markdown with a YAML front matter (see samples/), then:

        reportkit build samples/russia-nato.md -o out/
    """
    import warnings

    warnings.showwarning = _show_warning  # every command's warnings are printed as ours are: escaped
    sys.unraisablehook = _quiet_interrupt_in_finaliser
    _collect_less()


_exit_hook_set = False


def _collect_less() -> None:
    """Leave the objects of the imports out of Python's garbage collections, and every object out of the last one.

    A command's process imports a few hundred modules, whose objects live as long as it does;
    every collection during the build would walk them again. They are frozen (``gc.freeze``)
    as the command starts: about 0.06 s of CPU less per build (BENCHMARKS.md, "Typst engine").
    As the process ends, Python's finalisation would walk every object still alive in a full
    collection (about 0.1 s), only to give the memory back with the process: what is alive
    then is frozen too. Registered first, that hook runs after every other exit handler
    (temporary folders are removed as before); files are closed by the code that writes them
    (:mod:`reportkit.files`), never left to a collection. The PDF engine's own collections
    during a render (:mod:`reportkit.writers.pdf.gctune`) unfreeze everything as they end.
    """
    global _exit_hook_set
    import gc

    gc.freeze()
    if not _exit_hook_set:
        import atexit

        atexit.register(gc.freeze)
        _exit_hook_set = True


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Print a warning that no command caught as ``warning: ...``, its control characters escaped."""
    _secho(f"warning: {message}", fg="yellow", err=True)


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
              help="Sign each PDF built (PAdES; needs reportkit[sign]). " + _KEY_HELP)
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
    from ..tools.build import expand_inputs
    from ..limits import Limits

    files = expand_inputs(inputs)
    if not files:
        _fail("no fact-check files found in the inputs given", 2)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{out_dir}: cannot create the output folder: {exc.strerror}", 1)
    if bundle_path is not None and "pdf" not in formats:
        _fail("--bundle combines PDFs: add pdf to --format", 2)
    extra: dict[str, object] = {**_print_options(print_marks, pdf_x), **({"archival": True} if archival else {})}
    if csl_style:
        extra["csl_style"] = csl_style
    if untagged:
        if archival:
            _fail("--untagged cannot be archival: PDF/UA-1 (and PDF/A-3a) need the tags", 2)
        extra["untagged"] = True
    if engine:
        extra["engine"] = engine
    if font_dirs:
        extra["font_dirs"] = tuple(str(folder.resolve()) for folder in font_dirs)
    if recycle_after is not None:
        extra["recycle_after"] = recycle_after
    if collect and not dask_address:
        _fail("--collect only applies to --dask builds", 2)
    if sign_key is None and (sign_cert or tsa or ltv):
        _fail("--cert, --tsa and --ltv apply to --sign", 2)
    if sign_key is not None and "pdf" not in formats:
        _fail("--sign signs PDFs: add pdf to --format", 2)
    if sign_key is not None:
        from ..tools.sign import available

        if not available():
            _fail("--sign needs pyHanko: pip install 'reportkit[sign]'", 2)
    limits = Limits(max_input_bytes=int(max_input_mb * 1024 * 1024), render_seconds=timeout)
    report = _build_batch(list(inputs), out_dir, formats=formats, strict=strict, debug=debug, jobs=jobs, force=force,
                          dask_address=dask_address, collect=collect, limits=limits, unsafe_images=unsafe_images,
                          layout=layout, page_size=page_size, **extra)
    built_pdfs = [o for result in report.results for o in result.outputs if o.suffix == ".pdf"]
    worst = report.exit_code
    if sign_key is not None and not report.interrupted:
        worst = max(worst, _sign_built(report, _sign_options(sign_key, sign_cert, (), tsa, ltv, None)))
    if bundle_path is not None and built_pdfs and not report.interrupted:
        worst = max(worst, _bundle(built_pdfs, bundle_path, layout=layout))
    if worst:
        sys.exit(worst)


def _build_batch(files: list[Path], out_dir: Path, *, debug: bool, jobs: int, dask_address: str | None,
                 **options: object) -> "BatchReport":
    """Build ``files`` with progress shown (a bar on a terminal, lines otherwise); Ctrl-C stops cleanly."""
    import signal

    from ..tools.batch import BatchInterrupted, build_many, default_jobs
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


def _sign_built(report: Any, options: dict[str, Any]) -> int:
    """Sign the PDFs this run wrote (outputs skipped as unchanged were signed when they were built); the exit status."""
    from ..errors import ReportkitError
    from ..tools.sign import sign as sign_file

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
        _fail("--dask needs the Dask extra: pip install 'reportkit[dask]'", 2)
    try:  # Dask's connect timeout (30 s unless configured, e.g. DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
        client = Client(address, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except (OSError, TimeoutError) as exc:
        _fail(f"cannot reach the Dask scheduler at {address}: {exc}", 1)
    return client.get_executor(pure=False), client


def _print_options(print_marks: bool, pdf_x: bool) -> dict[str, bool]:
    """The writer options of --print-marks and --pdf-x (only those set, so other formats see nothing new)."""
    return {k: v for k, v in (("print_marks", print_marks), ("pdf_x", pdf_x)) if v}


def _bundle(pdfs: list[Path], output: Path, **options: object) -> int:
    """Write a digest of ``pdfs``; return the exit status (0, or the error's)."""
    from ..tools.bundle import bundle
    from ..errors import ReportkitError, ReportkitWarning

    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReportkitWarning)
        try:
            path = bundle(pdfs, output, **options)  # type: ignore[arg-type]
        except ReportkitError as exc:
            _secho(f"error: {exc}", fg="red", err=True)
            return exc.exit_code
        finally:
            for warning in caught:
                _secho(f"warning: {warning.message}", fg="yellow", err=True)
    _echo(f"wrote {path}")
    return 0


@main.command("bundle")
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
    code = _bundle(list(pdfs), output, title=title, layout=layout, language=language, page_size=page_size)
    if code:
        sys.exit(code)


@main.group("layouts", invoke_without_command=True)
@click.option("-d", "--dir", "folders", multiple=True, type=click.Path(path_type=Path),
              help="Another folder holding layouts (the current folder is always searched).")
@click.pass_context
def layouts_command(ctx: click.Context, folders: tuple[Path, ...]) -> None:
    """List the built-in layouts and those found here, in --dir and in $REPORTKIT_LAYOUTS."""
    if ctx.invoked_subcommand is not None:
        return
    from ..errors import LayoutError
    from ..render.layouts import is_builtin, list_layouts

    errors: list[LayoutError] = []
    found = list_layouts([Path("."), *folders], errors=errors)
    width = max((len(layout.name) for layout in found), default=0)
    for layout in found:
        where = "built-in" if is_builtin(layout) else str(layout.path)
        parent = f", extends {layout.parent.name}" if layout.parent else ""
        _echo(f"{layout.name:<{width}}  {layout.description}")
        _secho(f"{'':<{width}}  ({where}{parent}; {', '.join(layout.page_sizes)})", dim=True)
    for error in errors:
        _secho(f"warning: {error}", fg="yellow", err=True)


@layouts_command.command("new")
@click.argument("name")
@click.option("-e", "--extends", "parent", default="report", show_default=True, help="The layout to start from.")
@click.option("-d", "--dir", "folder", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Where to create the layout's folder.")
def layouts_new(name: str, parent: str, folder: Path) -> None:
    """Create a layout NAME that extends another and overrides one template block and one stylesheet.

    It renders at once: reportkit build INPUT --layout ./NAME
    """
    from ..errors import ReportkitError
    from ..render.layouts import scaffold

    try:
        path = scaffold(name, parent, folder)
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
    _echo(f"created {path}")
    _echo(f"try it: reportkit build INPUT --layout {path}")


@main.command("preview")
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
    from ..errors import ReportkitError
    from ..tools.preview import build_preview, watch

    if engine in ("auto", "pypdfium2", "pdftoppm"):  # what --engine meant before the PDF engines
        rasteriser, engine = engine, None

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{out_dir}: cannot create the output folder: {exc.strerror}", 1)
    options: dict[str, Any] = {"layout": layout, "page_size": page_size}
    if engine:
        options["engine"] = engine
    if not watching:
        try:
            pdf, images = build_preview(input, out_dir, dpi=dpi, rasteriser=rasteriser, **options)
        except ReportkitError as exc:
            _fail(str(exc), exc.exit_code)
        _echo(f"wrote {pdf}")
        for image in images:
            _echo(f"wrote {image}")
        return

    def report(pdf: Path, images: list[Path] | None, error: Exception | None) -> None:
        if error is not None:
            _secho(f"error: {error}", fg="red", err=True)
        else:
            _echo(f"wrote {pdf} and {len(images or [])} page image{'s' if len(images or []) != 1 else ''}")
        _secho("watching for changes (Ctrl-C stops)", dim=True, err=True)

    try:
        watch(input, out_dir, on_build=report, dpi=dpi, rasteriser=rasteriser, **options)
    except KeyboardInterrupt:
        _echo("stopped")
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)


#: How ``verify`` labels each verdict, and its colour.
_VERDICTS = {
    "verified": ("PASS", "green"),
    "structural": ("PASS (structural checks only: not rebuilt)", "yellow"),
    "different environment": ("CANNOT REBUILD (different environment)", "yellow"),
    "failed": ("FAIL", "red"),
}


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (a list, one object per file).")
@click.option("--structural", is_flag=True,
              help="Only the structural checks (no rebuild): a weaker verdict, labelled as such.")
@click.option("-l", "--layout", default=None, metavar="NAME|PATH",
              help="Rebuild with this layout (a user layout's folder) instead of the one the PDF names.")
@click.option("--trust", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="CA.pem",
              help="Check that signatures chain to these CA certificates (PEM).")
def verify(files: tuple[Path, ...], as_json: bool, structural: bool, layout: str | None, trust: Path | None) -> None:
    """Check archival PDFs, with a short report per file.

    Rebuilds each PDF from its embedded source (with the layout, options and library versions it
    records) and compares the whole file byte for byte; names the first page or object that
    differs. Structural checks: PDF/A and PDF/UA declared, output intent, fonts embedded, no
    encryption, no update after the build but a signature's, only the build's attachments, the
    embedded source and images unchanged (SHA-256 against the XMP metadata), the metadata
    matching the source, links, pages. Signatures (reportkit[sign]): intact, covering the file,
    signer, time, and trust against --trust.

    Exit status: 0 when every check of every file passes, 1 when a check fails (the file was
    changed), 2 when a file cannot be read as a PDF, 3 when a file cannot be rebuilt identically
    here (a different environment: the report names the versions it needs).
    """
    import json

    from ..errors import ReportkitError, printable
    from ..tools.verify import verify as verify_pdf

    worst, results = 0, []
    for file in files:
        try:
            report = verify_pdf(file, structural=structural, layout=layout, trust=trust)
        except ReportkitError as exc:
            worst = max(worst, exc.exit_code) if worst != 1 else 1
            results.append({"file": str(file), "ok": False, "error": exc.message})
            if not as_json:
                _secho(f"error: {exc}", fg="red", err=True)
            continue
        results.append(report.to_dict())
        verdict = report.verdict
        if verdict == "failed":
            worst = 1 if worst in (0, 3) else worst
        elif verdict == "different environment" and worst == 0:
            worst = 3
        if as_json:
            continue
        facts = [f"PDF/A-{report.pdfa}" if report.pdfa else "not PDF/A", f"PDF/UA-{report.pdfua}" if report.pdfua else "not PDF/UA"]
        facts.append(f"{report.pages} page{'s' if report.pages != 1 else ''}")
        label, colour = _VERDICTS[verdict]
        click.echo(f"{click.style(label, fg=colour)} {printable(file)} ({printable(', '.join(facts))})")  # styled: escape the parts
        for check in report.checks:
            if check.ok:
                mark = click.style("  ok  ", fg="green")
            elif check.undecided:
                mark = click.style("  ??  ", fg="yellow")
            else:
                mark = click.style("  FAIL", fg="red")
            click.echo(f"{mark} {check.name:<13} {printable(check.message)}")
        for change in report.font_changes:
            click.echo(f"{click.style('  note', fg='yellow')} {'fonts':<13} {printable(change)}: a rebuild here would differ")
    if as_json:
        _echo_json(json.dumps(results, indent=2, ensure_ascii=False))
    if worst:
        sys.exit(worst)


def _sign_options(key: Path, cert: Path | None, chain: tuple[Path, ...], tsa: str | None, ltv: bool,
                  trust: Path | None) -> dict[str, Any]:
    """The keyword options of :func:`reportkit.tools.sign.sign` the CLI was given."""
    return {"key": key, "cert": cert, "chain": chain, "tsa": tsa, "ltv": ltv, "trust": trust}


@main.command("sign")
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key", required=True, type=click.Path(path_type=Path, dir_okay=False), help=_KEY_HELP)
@click.option("--cert", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The signer's certificate (PEM or DER); not needed with a PKCS#12 key.")
@click.option("--chain", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Certificates of the issuing CAs (PEM), embedded with the signature; repeatable.")
@click.option("--tsa", default=None, metavar="URL", help="Add an RFC 3161 timestamp from this time-stamping authority.")
@click.option("--ltv", is_flag=True, help="Embed the validation data (certificates, revocation data) for offline checks.")
@click.option("--trust", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="CA.pem",
              help="With --ltv: the root CA certificates the validation data leads to.")
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the signed PDF here. Default: sign PDF in place (atomically).")
def sign_command(pdf: Path, key: Path, cert: Path | None, chain: tuple[Path, ...], tsa: str | None, ltv: bool,
                 trust: Path | None, out: Path | None) -> None:
    """Sign PDF with a PAdES signature (pyHanko; pip install 'reportkit[sign]').

    The signature is an incremental update: the build's bytes stay the file's first revision, so
    'reportkit verify' still rebuilds and compares them, then checks the signature. An encrypted
    key's passphrase is read from the REPORTKIT_KEY_PASSPHRASE environment variable.
    """
    from ..errors import ReportkitError
    from ..tools.sign import sign as sign_file

    try:
        written = sign_file(pdf, out, **_sign_options(key, cert, chain, tsa, ltv, trust))
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
        return
    click.echo(f"signed {written}" + (" with a timestamp" if tsa else "") + (" and validation data" if ltv else ""))


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="Write the fact-check to this .json or .md file, its images beside it. Default: JSON on stdout.")
def extract(pdf: Path, out: Path | None) -> None:
    """Get the fact-check back from an archival PDF's embedded source.

    Rebuilding it (with the layout and page size the PDF records) gives the same PDF, byte for byte.
    """
    from ..errors import ReportkitError
    from ..tools.extract import extract as extract_pdf
    from ..tools.verify import read_archive

    try:
        check = extract_pdf(pdf, out)
        archive = read_archive(pdf)
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
        return
    images = [name for name in archive.files if archive.source is None or name != archive.source.name]
    if out is None:
        _echo_json(check.to_json(), nl=False)
        if images:
            _secho(f"note: {len(images)} image(s) not written: give -o FILE to get them too", fg="yellow", err=True)
        return
    _echo(f"wrote {out}" + (f" and {len(images)} image(s) beside it" if images else ""))
    layout, size = archive.metadata.get("rk:layout"), archive.metadata.get("rk:pageSize")
    if layout and size:
        engine = " --engine typst" if archive.metadata.get("rk:pdfEngine") == "typst" else ""
        _echo(f"rebuild with: reportkit build {out} --archival --layout {layout} --page-size {size}{engine}")


@main.command()
@click.option("-o", "--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="Write the schema to this file instead of printing it.")
def schema(out_file: Path | None) -> None:
    """Print the JSON Schema of the input format (front matter, YAML, JSON), for editors.

    Hook it into an editor with a first line '# yaml-language-server: $schema=factcheck.schema.json'.
    """
    from ..document.schema import input_schema_json

    text = input_schema_json()
    if out_file is None:
        click.echo(text, nl=False)  # the schema: reportkit's own text
        return
    from ..errors import ReportkitError
    from ..files import atomic_write

    try:
        atomic_write(out_file, text.encode("utf-8"))
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
    _echo(f"wrote {out_file}")


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

    from ..errors import ReportkitError
    from ..tools.importer import import_article
    from ..files import atomic_write

    sources_ref = None
    folder = out_file.resolve().parent
    if not inline_sources and sources.resolve().is_relative_to(folder):
        sources_ref = Path(os.path.relpath(sources.resolve(), folder)).as_posix()
    try:
        result = import_article(article, sources, language=language, sources_ref=sources_ref)
        for problem in result.problems:
            _secho(f"warning: {article}: {problem}", fg="yellow", err=True)
        if strict and result.problems:
            _fail(f"{len(result.problems)} thing(s) could not be mapped (--strict): nothing written", 2)
        atomic_write(out_file, result.markdown.encode("utf-8"))
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
    where = f"sources from {sources_ref}" if sources_ref else "sources listed in the front matter"
    _echo(
        f"wrote {out_file}: {len(result.sections)} sections, {result.citations} citations, {where}"
        + (f"; {len(result.problems)} warning(s)" if result.problems else "")
    )


@main.command("serve")
@click.argument("folder", required=False, default=Path("."), type=click.Path(path_type=Path, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any other than a loopback address needs tokens.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--token-file", type=click.Path(path_type=Path),
              help="Bearer tokens the API and the page accept, one a line (also: $REPORTKIT_TOKENS).")
@click.option("-j", "--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes rendering at once.")
@click.option("--queue", type=click.IntRange(min=0), default=None,
              help="Requests that may wait for a worker (default: 4 per worker); more are answered 429.")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="Seconds one build may take before it is stopped.")
@click.option("--max-input-mb", type=click.FloatRange(min=0.001), default=8, show_default=True,
              help="Largest fact-check read, in MB.")
@click.option("--max-upload-mb", type=click.FloatRange(min=0.001), default=32, show_default=True,
              help="Largest request accepted (a fact-check with its images), in MB.")
@click.option("--max-memory-mb", type=click.IntRange(min=0), default=2048, show_default=True,
              help="Memory each worker process may use, in MB (0: no limit).")
def serve(folder: Path, host: str, port: int, token_file: Path | None, workers: int, queue: int | None,
          timeout: float, max_input_mb: float, max_upload_mb: float, max_memory_mb: int) -> None:
    """Preview the fact-checks in FOLDER in the browser as you edit them, and serve the HTTP API.

    Open http://127.0.0.1:8000/ : the page lists the checks with their verdicts and shows one as
    web page and PDF pages, updated on every save. Systems send fact-checks to POST /api/build
    (see /api/openapi.json). Needs the serve extra: pip install "reportkit[serve]".
    """
    from ..errors import ReportkitError
    from ..limits import Limits

    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401

        from ..tools.serve import ServeConfig, check_host, read_tokens, run
    except ImportError:
        _fail("reportkit serve needs the serve extra: pip install 'reportkit[serve]'", 2)
    if not folder.is_dir():
        _fail(f"{folder}: no such folder", 2)
    try:
        tokens = read_tokens(token_file)
        check_host(host, tokens)
    except ReportkitError as exc:
        _fail(str(exc), exc.exit_code)
    limits = Limits(max_input_bytes=int(max_input_mb * 1024 * 1024), render_seconds=timeout)
    config = ServeConfig(root=folder.resolve(), host=host, port=port, token_digests=tokens, workers=workers,
                         queue=queue, limits=limits, max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                         max_memory_mb=max_memory_mb)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {folder} at http://{shown}:{port}/" + (" (tokens required)" if tokens else "")
               + " - Ctrl-C stops")
    run(config)


def _fail(message: str, code: int) -> None:
    _secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def _echo(message: object = "", **options: Any) -> None:
    """click.echo with every control character escaped: what is echoed may come from the input."""
    from ..errors import printable

    click.echo(printable(message, newlines=True), **options)


def _secho(message: object = "", **options: Any) -> None:
    """click.secho with every control character escaped (the colours are added after)."""
    from ..errors import printable

    click.secho(printable(message, newlines=True), **options)


def _echo_json(text: str, **options: Any) -> None:
    """Print JSON with the control characters json.dumps leaves as they are written as \\u escapes."""
    from ..errors import json_safe

    click.echo(json_safe(text), **options)


if __name__ == "__main__":  # pragma: no cover
    main()
