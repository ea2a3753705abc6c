"""The package's shape is a contract: imports point one way, libraries stay in their modules, no private names cross.

The imports are read from the source with :mod:`ast` (every ``import``, at module level or
inside a function), so a lazy import counts like any other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reportkit"

#: The stages in the order data flows through them; a module may import its own stage or an earlier one.
LAYERS = ["base", "document", "input", "resolve", "render", "writers", "factcheck", "tools", "cli"]
BASE = {"errors", "limits", "files", "options", "distributions", "_version", "__init__", "__main__"}

#: Third-party libraries whose internals only one place may know.
CONFINED = {
    "weasyprint": "writers/pdf/",
    "pydyf": "writers/pdf/",
    "tinycss2": "writers/pdf/",
    "cssselect2": "writers/pdf/",
    "ebooklib": "writers/epub.py",
    "typst": "writers/pdf/typst/",
    "pikepdf": "writers/pdf/typst/",
}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``reportkit.render.renderer``)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def layer(module: str) -> str:
    """The stage a module belongs to."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in BASE:
        return "cli" if parts == ["__main__"] else "base"
    return parts[0]


def imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import statement of a module."""
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((target, [alias.name for alias in node.names], node.lineno))
    return found


def resolve_target(target: str, names: list[str], known: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """The package modules an import reaches: ``from . import x`` reaches the module ``x``."""
    reached = []
    plain = []
    for name in names:
        if f"{target}.{name}" in known:
            reached.append((f"{target}.{name}", []))
        else:
            plain.append(name)
    if target in known and (plain or not names):
        reached.append((target, plain))
    return reached


def edges() -> list[tuple[str, str, list[str], int]]:
    """(importer, imported package module, names, line) for every import inside the package."""
    known = modules()
    found = []
    for module, path in known.items():
        for target, names, line in imports(module, path):
            if target.split(".")[0] != "reportkit":
                continue
            for reached, taken in resolve_target(target, names, known):
                found.append((module, reached, taken, line))
    return found


def test_no_stage_imports_a_later_stage() -> None:
    wrong = [
        f"{importer} (line {line}) imports {imported}: {layer(importer)} may not import {layer(imported)}"
        for importer, imported, _, line in edges()
        if LAYERS.index(layer(imported)) > LAYERS.index(layer(importer)) and importer != "reportkit"
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for importer, imported, _, _ in edges():
        if importer != imported and importer != "reportkit" and not imported.startswith(importer + "."):
            graph.setdefault(importer, set()).add(imported)
    cycles = find_cycles(graph)
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk of ``graph`` (one per back edge)."""
    cycles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_private_name_crosses_modules() -> None:
    wrong = [
        f"{importer} (line {line}) takes {name} from {imported}"
        for importer, imported, names, line in edges()
        for name in names
        if name.startswith("_") and not name.startswith("__") and imported != importer
    ]
    assert not wrong, "\n".join(wrong)


def test_private_attributes_of_other_modules_are_not_used() -> None:
    wrong = []
    known = modules()
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level
            for alias in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                wrong.append(f"{module} (line {node.lineno}) uses {node.value.id}.{node.attr}")
    assert not wrong, "\n".join(wrong)


#: The CLI's commands, one module each; what several use lives in reportkit/cli/shared.py.
COMMANDS = "reportkit.cli.commands."


def cross_command_imports(found: list[tuple[str, str, list[str], int]]) -> list[str]:
    """The imports from one command's module into another command's module."""
    return [
        f"{importer} (line {line}) imports {imported}: move what both use to reportkit/cli/shared.py"
        for importer, imported, _, line in found
        if importer.startswith(COMMANDS) and imported.startswith(COMMANDS) and importer != imported
    ]


def test_commands_do_not_import_each_other() -> None:
    wrong = cross_command_imports(edges())
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_library_internals_stay_in_their_module(library: str) -> None:
    allowed = CONFINED[library]
    wrong = [
        f"{path.relative_to(PACKAGE)} (line {line}) imports {target}"
        for module, path in modules().items()
        for target, _, line in imports(module, path)
        if target.split(".")[0] == library and not str(path.relative_to(PACKAGE)).startswith(allowed)
    ]
    assert not wrong, "\n".join(wrong)


# --- the checks themselves fail on what they must catch ---------------------------------------


def test_cycle_finder_finds_a_cycle_and_passes_a_tree() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b", "c"}, "b": {"c"}}) == []


def test_layers_order_the_stages_as_data_flows() -> None:
    assert layer("reportkit.errors") == "base"
    assert layer("reportkit.input.loaders") == "input"
    assert layer("reportkit.writers.pdf.writer") == "writers"
    assert LAYERS.index(layer("reportkit.tools.build")) > LAYERS.index(layer("reportkit.factcheck"))
    assert layer("reportkit.cli.commands.build") == layer("reportkit.cli.shared") == "cli"


def test_an_import_between_two_commands_is_found_and_one_of_shared_code_is_not() -> None:
    found = [
        ("reportkit.cli.commands.build", "reportkit.cli.commands.bundle", ["bundle_pdfs"], 3),
        ("reportkit.cli.commands.build", "reportkit.cli.shared", ["echo"], 4),
        ("reportkit.cli", "reportkit.cli.commands.build", ["build"], 5),
    ]
    assert cross_command_imports(found) == [
        "reportkit.cli.commands.build (line 3) imports reportkit.cli.commands.bundle: "
        "move what both use to reportkit/cli/shared.py"
    ]


def test_relative_imports_are_read_as_the_modules_they_reach(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("from ..render import renderer\nfrom .text import _private\n", encoding="utf-8")
    found = imports("reportkit.input.mod", source)
    assert found == [("reportkit.render", ["renderer"], 1), ("reportkit.input.text", ["_private"], 2)]
