"""``import reportkit`` is cheap: the public names that need pydantic, Jinja2 or WeasyPrint are imported on first use."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

#: Libraries a build needs and a bare ``import reportkit`` must not load (``reportkit --version`` pays for them).
BUILD_LIBRARIES = ("pydantic", "jinja2", "yaml", "markdown_it", "babel", "weasyprint", "pikepdf", "typst")


def loaded_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def bare_import() -> set[str]:
    return loaded_after("import reportkit")


@pytest.mark.parametrize("library", BUILD_LIBRARIES)
def test_import_reportkit_loads_no_build_library(bare_import: set[str], library: str) -> None:
    assert "reportkit" in bare_import  # the probe saw the import
    assert library not in bare_import


def test_the_probe_sees_the_libraries_a_public_name_pulls_in() -> None:
    # The negative of the test above: asking for the builder loads pydantic and markdown-it then.
    loaded = loaded_after("from reportkit import FactCheck, find_layout")
    assert {"pydantic", "markdown_it"} <= loaded


def test_every_public_name_is_importable_and_is_the_defining_modules_object() -> None:
    import importlib

    import reportkit

    for name in reportkit.__all__:
        value = getattr(reportkit, name)
        module = getattr(value, "__module__", None)
        if module is not None and module.startswith("reportkit"):
            assert getattr(importlib.import_module(module), name) is value, name


def names_after(code: str, expression: str) -> set[str]:
    """The names ``expression`` lists in a fresh interpreter after running ``code``."""
    probe = f"import json\n{code}\nprint(json.dumps(sorted({expression})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=True)
    return set(json.loads(result.stdout))


def test_star_import_binds_every_public_name() -> None:
    import reportkit

    assert set(reportkit.__all__) <= names_after("from reportkit import *", "dir()")


def test_dir_lists_the_lazily_loaded_names_before_their_first_use() -> None:
    names = names_after("import reportkit", "dir(reportkit)")
    assert {"FactCheck", "load", "BuildOptions", "Layout", "find_layout", "verify"} <= set(names)


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    import reportkit

    with pytest.raises(AttributeError, match="no attribute 'FactChek'"):
        reportkit.FactChek  # noqa: B018
    with pytest.raises(ImportError):
        exec("from reportkit import FactChek", {})


#: Libraries a Typst PDF build has no use for: the WeasyPrint engine's, and Jinja2 (the Typst templates read
#: the Markdown trees: no HTML is made).
NOT_FOR_TYPST = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "pyphen", "cffi", "fontTools", "uharfbuzz",
                 "PIL", "jinja2", "ebooklib", "rich")

#: Runs ``reportkit build ARGS...`` in this process and prints the top-level modules loaded as it ends.
BUILD_PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}))))
sys.argv = ["reportkit", "build", *sys.argv[1:]]
from reportkit.cli import main
main()
"""


def loaded_by_build(*args: str) -> set[str]:
    """The top-level modules a ``reportkit build`` process has loaded when it ends.

    The build runs in one process (``REPORTKIT_SPLIT=0``): a single Typst PDF build is otherwise
    split between processes (reportkit/tools/split.py), which load between them what this one does.
    """
    env = {**os.environ, "REPORTKIT_SPLIT": "0"}
    result = subprocess.run([sys.executable, "-c", BUILD_PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def typst_build(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    pytest.importorskip("typst")
    out = tmp_path_factory.mktemp("typst")
    return loaded_by_build(str(ROOT / "samples" / "russia-nato.md"), "-f", "pdf", "--engine", "typst", "-o", str(out))


@pytest.mark.parametrize("library", NOT_FOR_TYPST)
def test_a_typst_pdf_build_loads_neither_weasyprint_nor_jinja2(typst_build: set[str], library: str) -> None:
    assert {"typst", "pikepdf"} <= typst_build  # the probe saw the build
    assert library not in typst_build


def test_the_build_probe_sees_jinja2_when_a_build_renders_templates(tmp_path) -> None:
    # The negative of the test above: an HTML build renders the layout's Jinja2 templates.
    loaded = loaded_by_build(str(ROOT / "samples" / "russia-nato.md"), "-f", "html", "-o", str(tmp_path))
    assert "jinja2" in loaded and "weasyprint" not in loaded
