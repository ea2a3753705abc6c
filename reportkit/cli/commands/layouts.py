"""``reportkit layouts``: the layouts there are, and ``layouts new`` to start one."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared import echo, fail, secho


@click.group("layouts", invoke_without_command=True)
@click.option("-d", "--dir", "folders", multiple=True, type=click.Path(path_type=Path),
              help="Another folder holding layouts (the current folder is always searched).")
@click.pass_context
def layouts_command(ctx: click.Context, folders: tuple[Path, ...]) -> None:
    """List the built-in layouts and those found here, in --dir and in $REPORTKIT_LAYOUTS."""
    if ctx.invoked_subcommand is not None:
        return
    from ...errors import LayoutError
    from ...render.layouts import is_builtin, list_layouts

    errors: list[LayoutError] = []
    found = list_layouts([Path("."), *folders], errors=errors)
    width = max((len(layout.name) for layout in found), default=0)
    for layout in found:
        where = "built-in" if is_builtin(layout) else str(layout.path)
        parent = f", extends {layout.parent.name}" if layout.parent else ""
        echo(f"{layout.name:<{width}}  {layout.description}")
        secho(f"{'':<{width}}  ({where}{parent}; {', '.join(layout.page_sizes)})", dim=True)
    for error in errors:
        secho(f"warning: {error}", fg="yellow", err=True)


@layouts_command.command("new")
@click.argument("name")
@click.option("-e", "--extends", "parent", default="report", show_default=True, help="The layout to start from.")
@click.option("-d", "--dir", "folder", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Where to create the layout's folder.")
def layouts_new(name: str, parent: str, folder: Path) -> None:
    """Create a layout NAME that extends another and overrides one template block and one stylesheet.

    It renders at once: reportkit build INPUT --layout ./NAME
    """
    from ...errors import ReportkitError
    from ...render.layouts import scaffold

    try:
        path = scaffold(name, parent, folder)
    except ReportkitError as exc:
        fail(str(exc), exc.exit_code)
    echo(f"created {path}")
    echo(f"try it: reportkit build INPUT --layout {path}")
