"""``reportkit verify``: archival PDFs rebuilt from their embedded source and checked."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..shared import echo_json, secho


#: How ``verify`` labels each verdict, and its colour.
_VERDICTS = {
    "verified": ("PASS", "green"),
    "structural": ("PASS (structural checks only: not rebuilt)", "yellow"),
    "different environment": ("CANNOT REBUILD (different environment)", "yellow"),
    "failed": ("FAIL", "red"),
}


@click.command()
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

    from ...errors import ReportkitError, printable
    from ...tools.verify import verify as verify_pdf

    worst, results = 0, []
    for file in files:
        try:
            report = verify_pdf(file, structural=structural, layout=layout, trust=trust)
        except ReportkitError as exc:
            worst = max(worst, exc.exit_code) if worst != 1 else 1
            results.append({"file": str(file), "ok": False, "error": exc.message})
            if not as_json:
                secho(f"error: {exc}", fg="red", err=True)
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
        echo_json(json.dumps(results, indent=2, ensure_ascii=False))
    if worst:
        sys.exit(worst)
