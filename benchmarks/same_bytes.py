"""Build the samples at another commit and at this checkout, and compare the outputs byte for byte.

    python benchmarks/same_bytes.py [REV]        # REV defaults to HEAD~1

A refactoring that must not change the output (moves, renames, typed options) is checked with this:
each sample is built as a report (PDF, EPUB, HTML), as a brief and as an archival PDF, at REV (a
temporary ``git worktree``, imported through PYTHONPATH with this environment's libraries) and here.
Exits 1 and names the files that differ.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ["samples/russia-nato.md", "samples/energy-bills.md"]
BUILDS = {
    "report": ["--format", "pdf,epub,html"],
    "brief": ["--layout", "brief", "--format", "pdf,epub"],
    "archival": ["--archival", "--format", "pdf"],
    "letter": ["--page-size", "Letter", "--format", "pdf"],
}


def build(tree: Path, out: Path) -> dict[str, str]:
    """Build every sample in every way with the reportkit of ``tree``; return {relative path: SHA-256}."""
    env = {**os.environ, "PYTHONPATH": str(tree), "SOURCE_DATE_EPOCH": "1700000000"}
    for name, args in BUILDS.items():
        command = [sys.executable, "-m", "reportkit", "build", *SAMPLES, "-o", str(out / name), "--force", *args]
        subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.suffix in (".pdf", ".epub", ".html")}


def main() -> int:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), rev], cwd=ROOT, check=True, capture_output=True)
        try:
            before = build(old_tree, Path(tmp) / "before")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, check=False)
        after = build(ROOT, Path(tmp) / "after")
    differ = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    for name in sorted(after):
        print(f"{'same  ' if name not in differ else 'DIFFER'} {name}")
    print(f"{len(after) - len(differ)} of {len(after)} outputs identical to {rev}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
