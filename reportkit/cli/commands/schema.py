"""``reportkit schema``: the JSON Schema of the input format."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared import echo, fail


@click.command()
@click.option("-o", "--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="Write the schema to this file instead of printing it.")
def schema(out_file: Path | None) -> None:
    """Print the JSON Schema of the input format (front matter, YAML, JSON), for editors.

    Hook it into an editor with a first line '# yaml-language-server: $schema=factcheck.schema.json'.
    """
    from ...document.schema import input_schema_json

    text = input_schema_json()
    if out_file is None:
        click.echo(text, nl=False)  # the schema: reportkit's own text
        return
    from ...errors import ReportkitError
    from ...files import atomic_write

    try:
        atomic_write(out_file, text.encode("utf-8"))
    except ReportkitError as exc:
        fail(str(exc), exc.exit_code)
    echo(f"wrote {out_file}")
