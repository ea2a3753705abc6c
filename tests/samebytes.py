"""Build the samples and a dossier in a fresh interpreter and print what came out, for tests/writers/pdf/test_same_bytes.py.

    python tests/samebytes.py OUT [--factor 16] [--hide-harfbuzz-subset]

``--hide-harfbuzz-subset`` makes the process one where WeasyPrint cannot load
``libharfbuzz-subset`` (cffi's ``dlopen`` refuses it), as on a machine without the library.
Prints one JSON object: whether WeasyPrint loaded the library, the Python version, the
versions the bytes depend on, and the SHA-256 of every file written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hide_harfbuzz_subset() -> None:
    """Make every later cffi ``dlopen`` of libharfbuzz-subset fail, as on a machine without it."""
    import cffi

    original = cffi.FFI.dlopen

    def dlopen(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name is not None and "harfbuzz-subset" in str(name):
            raise OSError(f"{name}: hidden by tests/samebytes.py")
        return original(self, name, *args, **kwargs)

    cffi.FFI.dlopen = dlopen  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--factor", type=int, default=16)
    parser.add_argument("--hide-harfbuzz-subset", action="store_true")
    args = parser.parse_args()
    if args.hide_harfbuzz_subset:
        hide_harfbuzz_subset()
    sys.path.insert(0, str(ROOT))
    import warnings

    import reportkit as rk
    from benchmarks.corpus import dossier
    from reportkit.writers.pdf.environment import environment

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    inputs = sorted(p for p in (ROOT / "samples").glob("*.md") if p.name != "README.md")
    if args.factor:
        inputs.append(dossier(out / "dossier-input", args.factor))
    written = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source in inputs:
            check = rk.load(source)
            slow = 3600.0  # a busy machine must not stop the dossier: the bytes are tested here, not the speed
            written += [
                check.to_pdf(out / f"{check.id}.pdf", timeout=slow),
                check.to_pdf(out / f"{check.id}-archival.pdf", archival=True, timeout=slow),
                check.to_epub(out / f"{check.id}.epub", timeout=slow),
            ]
    from weasyprint.text import ffi

    print(json.dumps({
        "harfbuzz_subset": ffi.harfbuzz_subset is not None,
        "python": ".".join(map(str, sys.version_info[:3])),
        "environment": environment(),
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written},
    }))


if __name__ == "__main__":
    main()
