"""The quick native-library lookup gives ctypes' answers without running the linker."""

from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportkit.writers.pdf.nativelibs import linker_cache, quick_find_library, quick_library_lookup

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or b"libc6" not in linker_cache(), reason="needs glibc's ldconfig"
)

_RECORD = """
import ctypes.util, json
from reportkit.writers.pdf.nativelibs import linker_cache, quick_find_library
original, asked = ctypes.util.find_library, []
def recording(name):
    asked.append(name)
    return original(name)
ctypes.util.find_library = recording
import weasyprint
quick = quick_find_library(linker_cache(), original)
names = asked + ["c", "m", "z", "ssl", "no-such-library-anywhere"]
print(json.dumps([[name, original(name), quick(name)] for name in names]))
"""


def test_every_name_weasyprint_asks_for_gets_ctypes_answer() -> None:
    result = subprocess.run([sys.executable, "-c", _RECORD], capture_output=True, text=True, check=True)
    answers = json.loads(result.stdout)
    assert len(answers) > 10  # WeasyPrint asked for its libraries under several names
    assert any(found for _, found, _ in answers)
    for name, slow, quick in answers:
        assert quick == slow, name


def test_a_library_only_the_linker_sees_is_left_to_ctypes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "libonlyhere.so").write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path))
    asked: list[str] = []

    def fallback(name: str) -> str | None:
        asked.append(name)
        return "from-ctypes"

    find = quick_find_library(linker_cache(), fallback)
    assert find("onlyhere") == "from-ctypes"
    assert find("no-such-library-anywhere") is None
    assert asked == ["onlyhere"]


def test_lookup_is_restored_after_the_block_even_on_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "weasyprint.text.ffi", raising=False)
    original = ctypes.util.find_library
    with pytest.raises(RuntimeError), quick_library_lookup():
        assert ctypes.util.find_library is not original
        raise RuntimeError("import failed")
    assert ctypes.util.find_library is original


def test_importing_the_pdf_writer_runs_only_one_program() -> None:
    script = (
        "import sys\n"
        "started = []\n"
        "sys.addaudithook(lambda event, args: started.append(args[1]) if event == 'subprocess.Popen' else None)\n"
        "import reportkit.writers.pdf.writer\n"
        "print(started)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[['/sbin/ldconfig', '-p']]"
