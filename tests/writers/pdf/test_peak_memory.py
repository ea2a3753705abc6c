"""What the PDF writer keeps alive through a layout that it no longer needs (issue 16: peak memory).

Each check runs in a fresh process, where the writer's module is imported for the first time.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

#: Prints how many of linecache's entries are WeasyPrint's or pydyf's files after importing the PDF
#: writer (whose patches read those files), whether the patches are in place, and the count once
#: the probe itself reads one of those sources.
_LINECACHE_PROBE = """
import inspect, json, linecache
from reportkit.writers.pdf import footnotes, pagination, writer

def count():
    return sum(("weasyprint" in name or "pydyf" in name) for name in linecache.cache)

after_import = count()
inspect.getsource(pagination.PATCHES[0].original)
print(json.dumps([after_import, pagination.installed() and footnotes.installed(), count()]))
"""


def test_importing_the_writer_keeps_no_weasyprint_source_lines_in_memory() -> None:
    result = subprocess.run([sys.executable, "-c", _LINECACHE_PROBE], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=True)
    after_import, patched, after_reading = json.loads(result.stdout.splitlines()[-1])
    assert patched  # the patches read those sources, and are in place
    assert after_import == 0
    assert after_reading > 0  # the count sees an entry when a source is read and kept
