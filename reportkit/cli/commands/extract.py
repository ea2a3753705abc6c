"""``reportkit extract``: the fact-check back from an archival PDF."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared import echo, echo_json, fail, secho


@click.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="Write the fact-check to this .json or .md file, its images beside it. Default: JSON on stdout.")
def extract(pdf: Path, out: Path | None) -> None:
    """Get the fact-check back from an archival PDF's embedded source.

    Rebuilding it (with the layout and page size the PDF records) gives the same PDF, byte for byte.
    """
    from ...errors import ReportkitError
    from ...tools.extract import extract as extract_pdf
    from ...tools.verify import read_archive

    try:
        check = extract_pdf(pdf, out)
        archive = read_archive(pdf)
    except ReportkitError as exc:
        fail(str(exc), exc.exit_code)
        return
    images = [name for name in archive.files if archive.source is None or name != archive.source.name]
    if out is None:
        echo_json(check.to_json(), nl=False)
        if images:
            secho(f"note: {len(images)} image(s) not written: give -o FILE to get them too", fg="yellow", err=True)
        return
    echo(f"wrote {out}" + (f" and {len(images)} image(s) beside it" if images else ""))
    layout, size = archive.metadata.get("rk:layout"), archive.metadata.get("rk:pageSize")
    if layout and size:
        engine = " --engine typst" if archive.metadata.get("rk:pdfEngine") == "typst" else ""
        echo(f"rebuild with: reportkit build {out} --archival --layout {layout} --page-size {size}{engine}")
