"""Hostile and broken input files: refused early, with file, line and field, never a hang, a leak or a traceback.

Each class of attack has tests of its own here: special files and sizes (the base reader),
YAML and JSON that would expand or nest without bound, numbers too long to convert,
duplicate keys, text limits over every field, images too large to decode, slugs too long
for a file name, and the command line's exit status and messages for each.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest

import reportkit as rk
from conftest import run_cli
from reportkit.errors import InputError, LimitError

BODY = "\n## One\n\nText.\n"


def _md(tmp_path: Path, front: str, body: str = BODY, name: str = "check.md") -> Path:
    path = tmp_path / name
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def _load_error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        rk.load(path).resolve()
    return caught.value


# --- special files: refused before they are opened for reading ------------------------------


def _with_deadline(call, seconds: float = 10.0):
    """Run ``call`` in a thread; fail (instead of hanging the suite) when it does not return in time."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("value")


def test_a_fifo_as_input_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "check.md"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        _with_deadline(lambda: rk.load(fifo))


def test_dev_zero_behind_a_symlink_is_refused_without_reading(tmp_path):
    link = tmp_path / "check.md"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="device"):
        _with_deadline(lambda: rk.load(link))


@pytest.mark.parametrize("kind", ["sources", "image", "layout"])
def test_a_fifo_as_sources_file_image_or_layout_file_is_an_error_not_a_hang(tmp_path, kind):
    fifo_name = {"sources": "refs.bib", "image": "chart.png", "layout": "lay/layout.toml"}[kind]
    fifo = tmp_path / fifo_name
    fifo.parent.mkdir(exist_ok=True)
    os.mkfifo(fifo)
    front = "title: A FIFO somewhere\n" + ("sources: refs.bib\n" if kind == "sources" else "")
    body = "\n## One\n\nText.\n" + ("\n![A chart](chart.png)\n" if kind == "image" else "")
    source = _md(tmp_path, front, body)
    args = ["build", str(source), "-o", str(tmp_path / "out"), "-f", "html"]
    if kind == "layout":
        args += ["--layout", str(tmp_path / "lay")]
    result = run_cli(*args, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "FIFO" in result.stderr and "Traceback" not in result.stderr


def test_reportkit_import_of_a_fifo_is_an_error_not_a_hang(tmp_path):
    fifo = tmp_path / "article.md"
    os.mkfifo(fifo)
    refs = tmp_path / "refs.json"
    refs.write_text('[{"id": "a", "title": "A"}]', encoding="utf-8")
    result = run_cli("import", str(fifo), "-s", str(refs), "-o", str(tmp_path / "x.md"), timeout=60)
    assert result.returncode == 2 and "FIFO" in result.stderr


def test_build_with_jobs_and_timeout_finishes_on_special_files(tmp_path):
    os.mkfifo(tmp_path / "a.md")
    (tmp_path / "b.md").symlink_to("/dev/zero")
    started = time.monotonic()
    result = run_cli("build", str(tmp_path / "a.md"), str(tmp_path / "b.md"), "-j", "2", "--timeout", "5",
                     "-o", str(tmp_path / "out"), "-f", "html", timeout=120)
    assert result.returncode == 2
    assert time.monotonic() - started < 100
    assert "a.md: the file is a FIFO" in result.stderr and "b.md: the file is a device" in result.stderr


def test_read_regular_reads_at_most_the_limit_plus_one_byte_whatever_the_size_claims():
    from reportkit.files import read_regular

    status = Path("/proc/self/status")  # a regular file whose size says 0
    if not status.exists() or status.stat().st_size != 0:
        pytest.skip("needs Linux's /proc")
    with pytest.raises(LimitError):
        read_regular(status, max_bytes=10)
    assert len(read_regular(status, max_bytes=1 << 20)) > 10


def test_read_regular_reads_an_ordinary_file_whole_and_refuses_one_over_the_limit(tmp_path):
    from reportkit.files import read_regular

    path = tmp_path / "f.txt"
    path.write_bytes(b"x" * 100)
    assert read_regular(path, max_bytes=100) == b"x" * 100
    with pytest.raises(LimitError):
        read_regular(path, max_bytes=99)
    with pytest.raises(InputError, match="folder"):
        read_regular(tmp_path, max_bytes=100)


# --- YAML and JSON that would expand, nest or convert without bound -------------------------


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_at_once_naming_the_line(tmp_path):
    path = _md(tmp_path, "title: Bomb\n" + _alias_bomb())
    started = time.monotonic()
    error = _load_error(path)
    assert time.monotonic() - started < 2
    assert "alias" in error.message and error.line == 4  # the first *a0


def test_a_plain_alias_is_refused_too_and_a_file_without_aliases_loads(tmp_path):
    error = _load_error(_md(tmp_path, "title: &t Aliased\nsubtitle: *t\n"))
    assert error.line == 3 and "alias" in error.message
    assert rk.load(_md(tmp_path, "title: Plain\nsubtitle: Plain too\n", name="ok.md")).document.subtitle == "Plain too"


def test_yaml_nested_990_levels_is_an_input_error_with_a_line(tmp_path):
    path = _md(tmp_path, "title: Deep\nx: " + "[" * 990 + "]" * 990 + "\n")
    error = _load_error(path)
    assert "nested" in error.message and error.line == 3


@pytest.mark.parametrize("kind", ["yaml", "json", "md"])
def test_a_5000_digit_integer_is_an_input_error_with_a_line(tmp_path, kind):
    digits = "9" * 5000
    if kind == "json":
        path = tmp_path / "check.json"
        path.write_text('{"title": "T",\n "order": ' + digits + "}", encoding="utf-8")
    elif kind == "yaml":
        path = tmp_path / "check.yaml"
        path.write_text(f"title: T\norder: {digits}\n", encoding="utf-8")
    else:
        path = _md(tmp_path, f"title: T\norder: {digits}\n")
    error = _load_error(path)
    assert "5,000" in error.message and error.line in (2, 3)


def test_a_64_digit_number_is_still_read(tmp_path):
    path = _md(tmp_path, "title: T\nrating_scale: {name: s, ratings: [{key: a, label: A, order: "
               + "1" * 64 + ", colour: '#000000'}, {key: b, label: B, order: 2, colour: '#ffffff'}]}\n")
    assert rk.load(path).document.scale.ratings[0].order == int("1" * 64)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e99999"])
def test_json_without_finite_numbers_is_an_input_error(tmp_path, constant):
    path = tmp_path / "check.json"
    path.write_text('{"title": "T",\n "x": ' + constant + "}", encoding="utf-8")
    error = _load_error(path)
    assert error.line == 2


def test_deeply_nested_json_is_an_input_error_with_a_line(tmp_path):
    path = tmp_path / "check.json"
    path.write_text('{"title": "T",\n"x": ' + "[" * 3000 + "]" * 3000 + "}", encoding="utf-8")
    error = _load_error(path)
    assert "nested" in error.message and error.line == 2


def test_brackets_inside_json_strings_do_not_count_as_nesting(tmp_path):
    path = tmp_path / "check.json"
    path.write_text(json.dumps({"title": "[" * 500 + '\\"{' * 100, "sections": [{"heading": "H"}]}), encoding="utf-8")
    assert rk.load(path).document.title.startswith("[[[")


# --- duplicate keys ----------------------------------------------------------------------------


def test_a_duplicate_top_level_key_names_both_lines(tmp_path):
    error = _load_error(_md(tmp_path, "title: First\nsubtitle: S\ntitle: Second\n"))
    assert error.field == "title" and error.line == 4
    assert "lines 2 and 4" in error.message


def test_a_duplicate_key_deep_inside_names_both_lines_and_the_field(tmp_path):
    front = "title: T\nsources:\n  - key: a\n    title: A\n    url: https://example.org/a\n    title: B\n"
    error = _load_error(_md(tmp_path, front))
    assert error.field == "sources[0].title" and "lines 5 and 7" in error.message


def test_a_duplicate_key_in_json_is_an_input_error(tmp_path):
    path = tmp_path / "check.json"
    path.write_text('{"title": "T",\n "sections": [{"heading": "A",\n "heading": "B"}]}', encoding="utf-8")
    assert "twice" in _load_error(path).message


def test_the_same_key_in_two_mappings_is_not_a_duplicate(tmp_path):
    front = "title: T\nclaim: {text: C}\nverdict: {rating: 'false', label: No}\n"
    assert rk.load(_md(tmp_path, front)).document.claim.text == "C"


# --- references: BibTeX braces, CSL nesting and dates ------------------------------------------


def _with_sources(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return _md(tmp_path, f"title: T\nsources: {name}\n", "\n## One\n\nText [@k].\n")


def test_bibtex_braces_nested_3000_deep_are_an_input_error_with_a_line(tmp_path):
    path = _with_sources(tmp_path, "refs.bib", "@misc{k,\n title = {" + "{" * 3000 + "x" + "}" * 3000 + "}}\n")
    error = _load_error(path)
    assert error.file.endswith("refs.bib") and error.line == 2 and "nested" in error.message


def test_ordinary_bibtex_braces_are_read(tmp_path):
    path = _with_sources(tmp_path, "refs.bib", "@misc{k,\n title = {The {NATO} {{Story}}},\n year = {2020}}\n")
    from reportkit.document.richtext import to_plain

    # Braces protect case: they stay as CSL's nocase markup, and the text is read whole.
    assert to_plain(rk.load(path).document.sources[0].title) == "The NATO Story"


def test_infinity_in_a_csl_date_is_an_input_error(tmp_path):
    path = _with_sources(tmp_path, "refs.json", '[{"id": "k", "title": "T",\n "issued": {"date-parts": [[Infinity]]}}]')
    error = _load_error(path)
    assert error.file.endswith("refs.json") and error.line == 2


def test_deeply_nested_csl_json_is_an_input_error(tmp_path):
    path = _with_sources(tmp_path, "refs.json", "[" * 5000 + "]" * 5000)
    assert "nested" in _load_error(path).message


def test_a_huge_integer_in_a_csl_date_is_an_input_error(tmp_path):
    path = _with_sources(tmp_path, "refs.json", '[{"id": "k", "title": "T", "issued": {"date-parts": [[' + "9" * 5000 + "]]}}]")
    assert "digits" in _load_error(path).message


# --- text limits over every field ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "subtitle", "claim", "sources", "body"])
def test_a_100000_character_word_in_any_field_is_refused_before_rendering(tmp_path, field):
    word = "w" * 100_000
    front = {
        "title": f"title: {word}\n",
        "subtitle": f"title: T\nsubtitle: {word}\n",
        "claim": f"title: T\nclaim: {{text: {word}}}\n",
        "sources": f"title: T\nsources:\n  - {{key: k, title: {word}}}\n",
        "body": "title: T\n",
    }[field]
    body = f"\n## One\n\n{word}\n" if field == "body" else BODY
    started = time.monotonic()
    with pytest.raises(LimitError) as caught:
        rk.load(_md(tmp_path, front, body)).resolve()
    assert time.monotonic() - started < 10
    assert "100,000" in caught.value.message and caught.value.line is not None


def test_a_7_mb_subtitle_counts_towards_the_text_limit(tmp_path):
    path = _md(tmp_path, "title: T\nsubtitle: " + "word " * 1_400_000 + "\n")
    with pytest.raises(LimitError, match="characters of text"):
        rk.load(path).resolve()


def test_words_and_text_within_the_limits_build(tmp_path):
    check = rk.load(_md(tmp_path, f"title: {'w' * 2000}\n", f"\n## One\n\n{'x' * 2000} {'y ' * 1000}\n"))
    check.resolve()
    limited = rk.load(_md(tmp_path, "title: T\n", name="small.md"), limits=rk.Limits(max_word_chars=3))
    with pytest.raises(LimitError, match="word of 5 characters"):
        limited.resolve()  # 'Text.' in the body


# --- images and slugs ---------------------------------------------------------------------------


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels (no real image data follows)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_a_30000_by_30000_png_is_a_limit_error_naming_the_line(tmp_path):
    (tmp_path / "huge.png").write_bytes(_png_header(30000, 30000))
    path = _md(tmp_path, "title: T\n", "\n## One\n\nText.\n\n![Huge](huge.png)\n")
    with pytest.raises(LimitError) as caught:
        rk.load(path).resolve()
    assert "30,000 × 30,000" in caught.value.message and caught.value.line == 9


def test_the_pixel_limit_can_be_raised_and_a_small_png_passes(tmp_path):
    from PIL import Image

    Image.new("RGB", (40, 30), "red").save(tmp_path / "small.png")
    path = _md(tmp_path, "title: T\n", "\n## One\n\nText.\n\n![Small](small.png)\n")
    assert rk.load(path).resolve().assets
    with pytest.raises(LimitError, match="40 × 30 pixels, more than the limit of 1,000"):
        rk.load(path, limits=rk.Limits(max_image_pixels=1000)).resolve()


def test_a_slug_longer_than_a_file_name_allows_is_a_validation_error(tmp_path):
    slug = "-".join(["abcdefghi"] * 30)
    error = _load_error(_md(tmp_path, f"title: T\nslug: {slug}\n"))
    assert error.field == "slug" and error.line == 3
    assert rk.load(_md(tmp_path, f"title: T\nslug: {'a' * 200}\n", name="ok.md")).id == "a" * 200


# --- the command line: exit 2, file, line and field -----------------------------------------------


@pytest.mark.parametrize(
    ("front", "where"),
    [
        ("title: T\norder: " + "9" * 5000 + "\n", ":3:"),
        ("title: T\nx: " + "[" * 990 + "]" * 990 + "\n", ":3:"),
        ("title: T\nslug: " + "a" * 300 + "\n", ":3: slug:"),
        ("title: T\ntitle: U\n", ":3:"),
    ],
    ids=["huge-int", "deep-yaml", "long-slug", "duplicate"],
)
def test_input_errors_exit_2_with_file_line_and_field_not_rendering_failed(tmp_path, front, where):
    path = _md(tmp_path, front)
    result = run_cli("build", str(path), "-o", str(tmp_path / "out"), "-f", "html", timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"check.md{where}" in result.stderr
    assert "rendering failed" not in result.stderr and "Traceback" not in result.stderr


def test_the_images_of_one_document_together_are_bounded(tmp_path):
    from PIL import Image

    for index in range(3):
        Image.new("RGB", (64, 64), (index * 80, 0, 0)).save(tmp_path / f"i{index}.png")
    body = "\n## One\n\nText.\n\n" + "\n\n".join(f"![Image {i}](i{i}.png)" for i in range(3)) + "\n"
    path = _md(tmp_path, "title: T\n", body)
    sizes = sorted((tmp_path / f"i{i}.png").stat().st_size for i in range(3))
    assert len(rk.load(path).resolve().assets) == 3
    limited = rk.Limits(max_images_bytes=sum(sizes) - 1)
    with pytest.raises(LimitError, match="brings the document's images to more than"):
        rk.load(path, limits=limited).resolve()


def test_a_file_with_more_characters_than_the_text_limit_is_refused_before_parsing(tmp_path):
    path = _md(tmp_path, "title: T\n", "\n## One\n\n" + "[a " * 1_000_000 + "\n")  # costly for any Markdown parser
    started = time.monotonic()
    with pytest.raises(LimitError, match="characters of text"):
        rk.load(path)
    assert time.monotonic() - started < 5
