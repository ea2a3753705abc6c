"""What every pinned patch of a library's internals checks and does: the source it was written for, its hunks.

The patches under :mod:`reportkit.writers.pdf` (:mod:`.footnotes`, :mod:`.footnotearea`,
:mod:`.pagination`, :mod:`.pdfobjects`) change a function of WeasyPrint or pydyf only when its
source is the one the patch was written for, compared by SHA-256, rewrite it by exact text
replacements, compile it where the original lives, and show the change as a diff to offer upstream.
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import textwrap
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

__all__ = ["apply_hunks", "compile_patched", "source_matches", "upstream_diff"]


def source_matches(read_source: Callable[[], str], sha256: str) -> bool:
    """Whether the source ``read_source()`` gives has the SHA-256 ``sha256``; False without source files (a frozen application)."""
    try:
        source = read_source()
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == sha256


def apply_hunks(source: str, hunks: Iterable[tuple[str, str]]) -> str:
    """``source`` with each ``(old, new)`` hunk applied; ValueError when a hunk's text is not found exactly once."""
    for old, new in hunks:
        if source.count(old) != 1:
            raise ValueError(f"the patch does not apply: {old.strip()!r} occurs {source.count(old)} times")
        source = source.replace(old, new)
    return source


def compile_patched(
    original: Callable[..., Any], hunks: Iterable[tuple[str, str]], module: ModuleType, helpers: Mapping[str, Any]
) -> Callable[..., Any]:
    """``original`` with ``hunks`` applied, compiled in a copy of ``module``'s namespace plus ``helpers``."""
    lines, first = inspect.getsourcelines(original)
    # Blank lines before the function keep its line numbers those of the library's file in tracebacks.
    text = "\n" * (first - 1) + textwrap.dedent(apply_hunks("".join(lines), hunks))
    code = compile(text, module.__file__ or module.__name__, "exec")
    namespace = {**module.__dict__, **helpers}
    exec(code, namespace)  # noqa: S102 - the library's own source, checked by digest
    function: Callable[..., Any] = namespace[original.__name__]
    function.__qualname__ = original.__qualname__
    return function


def upstream_diff(module: ModuleType, function_source: str, hunks: Iterable[tuple[str, str]]) -> str:
    """The change ``hunks`` make to ``function_source`` as a unified diff of ``module``'s file, to offer upstream."""
    module_source = inspect.getsource(module)
    changed = module_source.replace(function_source, apply_hunks(function_source, hunks))
    path = module.__name__.replace(".", "/")
    path += "/__init__.py" if (module.__file__ or "").endswith("__init__.py") else ".py"
    return "".join(difflib.unified_diff(
        module_source.splitlines(keepends=True), changed.splitlines(keepends=True), f"a/{path}", f"b/{path}",
    ))
