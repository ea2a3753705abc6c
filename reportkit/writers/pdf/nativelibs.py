"""A quick lookup of the native libraries WeasyPrint loads when it is imported.

WeasyPrint opens Pango, GObject, HarfBuzz and Fontconfig through cffi, trying the names
each platform gives them: ``libgobject-2.0-0`` (Windows), ``gobject-2.0-0``, then
``gobject-2.0``, which Linux knows. cffi answers every name with
:func:`ctypes.util.find_library`, and on Linux each name it does not know costs three
programs: ``ldconfig -p``, then a trial link with ``gcc`` and another with ``ld``. Sixteen of
the names WeasyPrint tries fail, and their programs took 0.2 s of CPU, a third of
``import weasyprint`` and a tenth of a whole ``reportkit build`` (see BENCHMARKS.md).

:func:`quick_library_lookup` gives the same answers without those programs. It lists the
linker cache once, answers from it as ``find_library`` does first, and hands a name the
cache does not know to the real ``find_library`` only when a file the linker could find
(``lib<name>.so``) exists; a name with no such file cannot be found by the linker either.
Elsewhere than on Linux with glibc's ``ldconfig``, nothing changes.

Upstream: Kozea/WeasyPrint#1125 ("Why is weasyprint exec'ing gcc?") and CPython's bpo-18502
(``find_library`` starting ``gcc`` and ``ld``). Remove this module when WeasyPrint tries its
libraries' Linux names first or ``find_library`` stops starting programs;
``tests/writers/pdf/test_nativelibs.py`` checks every answer against the real ``find_library``.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["linker_cache", "quick_library_lookup", "quick_find_library"]

#: ``ldconfig -p``'s tag for this interpreter's ABI, as :mod:`ctypes.util` computes it.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}
#: Folders the linker searches besides those named by the environment and the cache.
_LINKER_FOLDERS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib")

_lock = threading.RLock()


def linker_cache() -> bytes:
    """The output of ``/sbin/ldconfig -p`` (empty when there is none), as ctypes reads it."""
    try:
        return subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env={"LC_ALL": "C", "LANG": "C"},
            check=False,
        ).stdout
    except OSError:
        return b""


def quick_find_library(cache: bytes, fallback: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """A ``find_library`` answering from ``cache``, calling ``fallback`` only for a file only the linker sees."""
    bits = "-32" if struct.calcsize("l") == 4 else "-64"
    abi = _ABI.get(os.uname().machine + bits, "libc6")
    folders = {
        *(os.fsdecode(m) for m in re.findall(rb"=> (\S+)/[^/\s]+\n", cache)),
        *_LINKER_FOLDERS,
        *(d for var in ("LD_LIBRARY_PATH", "LIBRARY_PATH") for d in os.environ.get(var, "").split(":") if d),
    }

    def find_library(name: str) -> str | None:
        found = re.search(os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), abi)), cache)
        if found:
            return os.fsdecode(found.group(1))
        if any((Path(folder) / f"lib{name}.so").exists() for folder in folders):
            return fallback(name)
        return None

    return find_library


@contextmanager
def quick_library_lookup() -> Iterator[None]:
    """Within the block (an ``import weasyprint``), answer ctypes' library lookups from one cache listing."""
    if not sys.platform.startswith("linux") or "weasyprint.text.ffi" in sys.modules:
        yield
        return
    with _lock:
        original = ctypes.util.find_library
        cache = linker_cache()
        if b"libc6" not in cache:  # no glibc ldconfig: keep ctypes' own search
            yield
            return
        ctypes.util.find_library = quick_find_library(cache, original)  # type: ignore[assignment]
        try:
            yield
        finally:
            ctypes.util.find_library = original
