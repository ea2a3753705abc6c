"""How often citeproc-py and Pandoc's citeproc give the CSL test suite's expected bibliography.

    python benchmarks/csl_processors.py FOLDER [--limit SECONDS]

FOLDER holds the test suite's ``processor-tests/humans/*.txt`` fixtures (a checkout of
citation-style-language/test-suite). Each fixture in ``bibliography`` mode, without the
sections that drive a processor's API (``BIBENTRIES``, ``BIBSECTION``, ``CITATIONS``), is
run through both processors, and through citeproc-py again with the workarounds reportkit applies
(``reportkit.render.csl.format_items``); an output passes when its text (tags dropped, spaces
collapsed) equals the fixture's ``RESULT``. Needs ``reportkit[csl,bench]``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECTION = re.compile(r">>=+ ([A-Z-]+) =+>>\n(.*?)\n<<=+ \1 =+<<", re.S)
SKIP = {"BIBENTRIES", "BIBSECTION", "CITATIONS", "CITATION-ITEMS"}


def sections(path: Path) -> dict[str, str]:
    return {name: body for name, body in SECTION.findall(path.read_text(encoding="utf-8"))}


def text(value: str) -> str:
    """Output as comparable text: tags dropped, entities decoded, spaces collapsed."""
    value = re.sub(r"<[^>]+>", " ", value)
    return " ".join(html.unescape(value).replace("\u00a0", " ").split())


def citeproc_py(style: Path, items: list[dict]) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    for item in items:
        item["id"] = str(item["id"]).lower()
    bibliography = CitationStylesBibliography(CitationStylesStyle(str(style), validate=False),
                                              CiteProcJSON(items), formatter.html)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return "\n".join(str(entry) for entry in bibliography.bibliography())


def citeproc_py_in_reportkit(style: Path, items: list[dict]) -> str:
    """citeproc-py as reportkit runs it: with the workarounds of ``reportkit.render.csl``."""
    from reportkit.render.csl import format_items

    return "\n".join(format_items(items, style).values())


def pandoc(style: Path, items: list[dict], folder: Path) -> str:
    import pypandoc

    refs = folder / "refs.json"
    refs.write_text(json.dumps(items), encoding="utf-8")
    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--citeproc", "--bibliography", str(refs), "--csl", str(style),
         "-f", "markdown", "-t", "html", "--wrap=none"],
        input="---\nnocite: |\n  @*\n---\n", capture_output=True, text=True, timeout=30,
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=float, default=100.0, help="stop after this many seconds")
    args = parser.parse_args()
    started = time.monotonic()
    passed = {"citeproc-py": 0, "citeproc-py in reportkit": 0, "pandoc": 0}
    failed_to_run = dict.fromkeys(passed, 0)
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in sorted(args.folder.glob("*.txt")):
            if time.monotonic() - started > args.limit:
                break
            parts = sections(path)
            if parts.get("MODE", "").strip() != "bibliography" or SKIP & set(parts) or "INPUT" not in parts:
                continue
            style = folder / f"{path.stem}.csl"  # one file a fixture: parsed styles are cached by path
            style.write_text(parts["CSL"], encoding="utf-8")
            expected = text(parts["RESULT"])
            count += 1
            for name, run in (("citeproc-py", lambda: citeproc_py(style, json.loads(parts["INPUT"]))),
                              ("citeproc-py in reportkit",
                               lambda: citeproc_py_in_reportkit(style, json.loads(parts["INPUT"]))),
                              ("pandoc", lambda: pandoc(style, json.loads(parts["INPUT"]), folder))):
                try:
                    passed[name] += text(run()) == expected
                except Exception:  # a processor that fails on a fixture fails that fixture
                    failed_to_run[name] += 1
    seconds = time.monotonic() - started
    print(f"{count} bibliography fixtures in {seconds:.0f} s")
    for name in passed:
        print(f"{name}: {passed[name]} passed ({passed[name] / max(count, 1):.0%}), "
              f"{failed_to_run[name]} raised an error")


if __name__ == "__main__":
    sys.exit(main())
