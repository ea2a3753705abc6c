"""The command line's shape: one module per command under reportkit/cli/commands/, and a quick start.

The expected command names come from the folder's file names, never from the code under test;
what a process imports is read from ``sys.modules`` in a new process started as a user starts it.
"""

from __future__ import annotations

import ast
import keyword
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conftest import ROOT, SAMPLES, run_cli

CLI = ROOT / "reportkit" / "cli"
COMMANDS = CLI / "commands"

#: Libraries that take long to import; starting the command must not load them.
HEAVY = ("weasyprint", "pydantic", "jinja2", "typst", "pikepdf")

#: The modules Python imports when ``reportkit`` starts (the group, its commands and what they share).
STARTUP_MODULES = [CLI / "__init__.py", CLI / "shared.py", *sorted(COMMANDS.glob("*.py"))]


def command_files() -> dict[str, Path]:
    """{command name: module} for every module in the commands folder (``import_.py`` holds ``import``)."""
    return {path.stem.removesuffix("_"): path for path in sorted(COMMANDS.glob("*.py")) if path.stem != "__init__"}


def listed_commands(help_text: str) -> list[str]:
    """The command names a group's ``--help`` lists under "Commands:"."""
    names, inside = [], False
    for line in help_text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            inside = line.strip() == "Commands:"
        elif inside and line.startswith("  ") and not line.startswith("   "):
            names.append(line.split()[0])
    return names


def default_name(function: str) -> str:
    """The name click gives a command from its function's (``layouts_command`` -> ``layouts``)."""
    name = function.lower().replace("_", "-").strip("-")
    for suffix in ("-command", "-cmd", "-group", "-grp"):
        name = name.removesuffix(suffix)
    return name


def click_commands(path: Path) -> list[tuple[str, int]]:
    """(command name, line) of every top-level function decorated with ``click.command``/``click.group``."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            func = call.func if call else decorator
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "click" \
                    and func.attr in ("command", "group"):
                named = [a.value for a in call.args if isinstance(a, ast.Constant)] if call else []
                named += [k.value.value for k in call.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)] \
                    if call else []
                found.append((named[0] if named else default_name(node.name), node.lineno))
    return found


def eager_imports(source: str) -> list[str]:
    """The modules a source imports when it is loaded (its top level, not ``if TYPE_CHECKING:``) that are
    neither the standard library, click, nor reportkit's CLI itself."""
    wrong = []
    allowed_relative = {"shared", "commands", "_version"}  # reportkit/cli/* and reportkit._version

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, (ast.If, ast.Try)):
                visit(node.body + node.orelse + getattr(node, "finalbody", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                wrong.extend(a.name for a in node.names if a.name.split(".")[0] not in (*sys.stdlib_module_names, "click"))
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    if (node.module or "").split(".")[0] not in (*sys.stdlib_module_names, "__future__", "click"):
                        wrong.append(node.module or "")
                elif (node.module or "").split(".")[0] not in allowed_relative:
                    wrong.append("." * node.level + (node.module or ""))

    visit(ast.parse(source).body)
    return wrong


def modules_loaded(*args: str, before: str = "", cwd: Path | None = None) -> tuple[int, set[str]]:
    """Run ``python -m reportkit ARGS`` in a new process; its exit status and every module it had loaded at exit.

    ``before`` is Python run first in that process (to show the probe sees what is imported).
    """
    probe = (
        "import atexit, runpy, sys\n"
        f"{before}\n"
        "atexit.register(lambda: print('MODULES', *sorted(sys.modules), file=sys.stderr))\n"
        "sys.argv = ['reportkit', *sys.argv[1:]]\n"
        "runpy.run_module('reportkit', run_name='__main__', alter_sys=True)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=cwd,
                            timeout=300)
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES "))
    return result.returncode, set(line.split()[1:])


# --- one module per command ------------------------------------------------------------------


def test_help_lists_exactly_the_commands_in_the_commands_folder() -> None:
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    files = command_files()
    assert len(files) >= 10  # build, bundle, extract, import, layouts, preview, schema, serve, sign, verify
    assert sorted(listed_commands(result.stdout)) == sorted(files)


@pytest.mark.parametrize("name", sorted(command_files()))
def test_each_command_module_defines_its_command_and_no_other(name: str) -> None:
    path = command_files()[name]
    assert [found for found, _ in click_commands(path)] == [name]
    result = run_cli(name, "--help")
    assert result.returncode == 0 and result.stdout.startswith("Usage:"), result.stderr


def test_the_cli_package_defines_no_command_but_the_group() -> None:
    for path in (CLI / "__init__.py", CLI / "shared.py", CLI / "progress.py"):
        decorated = [name for name, _ in click_commands(path)]
        assert decorated == (["main"] if path.name == "__init__.py" else []), path
    assert "@main.command" not in (CLI / "__init__.py").read_text(encoding="utf-8")


def test_the_registered_commands_are_the_modules_own() -> None:
    from reportkit.cli import main

    context = click.Context(main)
    assert sorted(main.list_commands(context)) == sorted(command_files())
    assert main.get_command(context, "no-such-command") is None
    for name, path in command_files().items():
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        assert command.callback is not None
        assert command.callback.__module__ == "reportkit.cli.commands." + path.stem, name


def test_the_command_modules_have_names_python_can_import() -> None:
    assert all(path.stem.isidentifier() and not keyword.iskeyword(path.stem) for path in command_files().values())


def test_help_parser_reads_only_the_commands_section() -> None:
    group = click.Group("tool", params=[click.Option(["--flag"], is_flag=True, help="A flag.")])
    group.add_command(click.Command("first", help="The first.\n\nMore text."))
    group.add_command(click.Command("second-one", help="The second."))
    text = group.get_help(click.Context(group, info_name="tool"))
    assert listed_commands(text) == ["first", "second-one"]
    without = "\n".join(line for line in text.splitlines() if "second-one" not in line)
    assert listed_commands(without) == ["first"]
    assert listed_commands(text.replace("Commands:", "Other:")) == []


def test_command_finder_sees_commands_and_groups_and_not_subcommands(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "import click\n\n@click.command()\ndef plain_name():\n    pass\n\n@click.command()\ndef sign_command():\n    pass\n\n"
        "@click.group('named', invoke_without_command=True)\ndef group_():\n    pass\n\n"
        "@group_.command('sub')\ndef sub():\n    pass\n\n"
        "@click.command(name='import')\ndef import_():\n    pass\n\n"
        "def helper():\n    pass\n",
        encoding="utf-8",
    )
    assert [name for name, _ in click_commands(source)] == ["plain-name", "sign", "named", "import"]


# --- a quick start -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", STARTUP_MODULES, ids=lambda path: path.relative_to(CLI).as_posix())
def test_modules_loaded_at_startup_import_libraries_inside_their_functions(path: Path) -> None:
    assert eager_imports(path.read_text(encoding="utf-8")) == []


def test_eager_import_finder_flags_top_level_imports_and_not_lazy_ones() -> None:
    source = (
        "from __future__ import annotations\nimport sys\nimport click\nimport weasyprint\n"
        "from ...tools.build import expand_inputs\nfrom ..shared import echo\nfrom pydantic import BaseModel\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ...tools.batch import BatchReport\n"
        "try:\n    import jinja2\nexcept ImportError:\n    pass\n"
        "def build():\n    import typst\n    from ...writers import FORMATS\n"
    )
    assert eager_imports(source) == ["weasyprint", "...tools.build", "pydantic", "jinja2"]


@pytest.fixture(scope="module")
def version_run() -> tuple[int, set[str]]:
    return modules_loaded("--version")


@pytest.mark.parametrize("library", HEAVY)
def test_version_imports_no_heavy_library(version_run: tuple[int, set[str]], library: str) -> None:
    code, loaded = version_run
    assert code == 0
    assert "reportkit.cli" in loaded  # the probe saw the command start
    assert library not in loaded


@pytest.mark.parametrize("args", [("--help",), ("build", "--help"), ("layouts", "new", "--help")])
def test_help_imports_no_library_a_build_needs(args: tuple[str, ...]) -> None:
    code, loaded = modules_loaded(*args)
    assert code == 0
    assert not loaded & {"weasyprint", "typst", "pikepdf", "reportkit.tools.build", "reportkit.writers.pdf.writer"}


def test_the_probe_sees_the_libraries_a_command_imports_as_it_runs(tmp_path: Path) -> None:
    code, loaded = modules_loaded("build", str(SAMPLES / "energy-bills.md"), "-f", "pdf", "-o", str(tmp_path))
    assert code == 0 and (tmp_path / "energy-bills.pdf").exists()
    assert "weasyprint" in loaded  # imported inside the command, after start-up
    _, preloaded = modules_loaded("--version", before="import pikepdf")
    assert "pikepdf" in preloaded


#: Prints (on standard error) the command modules a process imported running ``reportkit`` with the arguments given.
_COMMAND_MODULES = """
import sys
from reportkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(*sorted(name for name in sys.modules if name.startswith("reportkit.cli.commands.")), file=sys.stderr)
"""


def test_a_command_imports_its_own_module_and_no_other_command_module() -> None:
    def imported(*args: str) -> list[str]:
        result = subprocess.run([sys.executable, "-c", _COMMAND_MODULES, *args], capture_output=True, text=True,
                                timeout=120)
        return result.stderr.split()

    assert imported("schema", "--help") == ["reportkit.cli.commands.schema"]
    assert imported("layouts", "--help") == ["reportkit.cli.commands.layouts"]
    # Negative: listing the commands imports every command's module.
    assert imported("--help") == sorted(f"reportkit.cli.commands.{path.stem}" for path in command_files().values())
