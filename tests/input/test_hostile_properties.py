"""Every input either builds or is refused with a message (exit status 2): never a traceback, a hang or a leak.

Hypothesis draws hostile shapes of every input format reportkit reads: YAML front matter
(aliases, anchors, tags, duplicate keys, deep nesting, huge numbers), JSON, BibTeX and
CSL-JSON sources files, and Markdown bodies. Each is built as the command line builds it
(:func:`reportkit.tools.build.build_file`), within a time and memory bound.
"""

from __future__ import annotations

import json
import time
import tracemalloc
import warnings
from pathlib import Path

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

import reportkit as rk
from reportkit.tools.build import build_file

#: Bounds one build must keep (the inputs are small: anything bigger is a runaway).
SECONDS = 20.0
PEAK_BYTES = 300 * 1024 * 1024

FIELDS = ["title", "subtitle", "slug", "language", "authors", "tags", "claim", "verdict", "summary", "sections",
          "sources", "publisher", "published", "rating_scale", "corrections", "url", "x"]
printable_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
# Mostly printable text; now and then any character at all (controls are refused, naming the field).
text = st.one_of(printable_text, printable_text, printable_text, st.text(st.characters(blacklist_categories=("Cs",)),
                                                                        max_size=40))
digits = st.integers(1, 6000).map(lambda n: "9" * n)
number = st.one_of(st.integers(-10, 10**6).map(str), digits, st.sampled_from(
    ["1e999", "-1e999", ".inf", ".nan", "NaN", "Infinity", "0x1F", "1_000", "2025-02-30", "2025-01-01"]))


def _quoted(value: str) -> str:
    """``value`` as a JSON string (also a YAML double-quoted one: characters beyond the BMP unescaped)."""
    return json.dumps(value, ensure_ascii=False)


def _json_value(depth: int = 0) -> st.SearchStrategy[str]:
    """JSON text (also YAML flow text) of any shape, numbers of any length, nesting of any depth."""
    leaves = st.one_of(text.map(_quoted), number, st.sampled_from(["true", "false", "null"]))
    if depth > 2:
        return leaves
    inner = st.deferred(lambda: _json_value(depth + 1))
    return st.one_of(
        leaves,
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(FIELDS + ["heading", "body", "key", "text", "rating"]), inner),
                 max_size=4).map(lambda pairs: "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in pairs) + "}"),
        st.integers(50, 4000).map(lambda n: "[" * n + "]" * n),
    )


yaml_extra = st.sampled_from([
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n",
    "title: &t Title\nsubtitle: *t\n", "<<: {title: merged}\n", "title: !!python/object:os.system echo\n",
    "title: !!binary aGVsbG8=\n", "title: dup\ntitle: dup\n", "claim:\n  text: a\n  text: b\n",
    "? [complex, key]\n: value\n", "slug: " + "a" * 300 + "\n", "title: \"\\e]0;x\\a\"\n", "title: |\n  a\n  b\n",
    "%YAML 1.1\n", "---\n", "...\n", "title: [unclosed\n", "\t title: tab\n", "title: " + "w" * 30000 + "\n",
])


@st.composite
def front_matter(draw) -> str:
    title = draw(st.one_of(st.just('"A title"'), text.map(_quoted)))
    lines = [f"title: {title}"] if draw(st.integers(0, 4)) else []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):  # a field of the right shape, with any text in it
            name = draw(st.sampled_from(["subtitle", "authors", "tags", "summary"]))
            lines.append(f"{name}: {_quoted(draw(text))}")
        else:
            lines.append(f"{draw(st.sampled_from(FIELDS))}: {draw(_json_value())}")
    if draw(st.integers(0, 2)) == 0:
        lines.append(draw(yaml_extra).rstrip("\n"))
    return "\n".join(draw(st.permutations(lines))) + "\n"


markdown_piece = st.one_of(
    text,
    st.sampled_from(["## Heading", "## ", "# Title", "[@key]", "[@missing]", "![alt](image.png)", "![](missing.svg)",
                     "![x](../../etc/passwd.png)", "![x](http://example.org/x.png)", "[link](javascript:alert(1))",
                     "<script>alert(1)</script>", "```", "| a | b |\n|---|---|", "> quote", "- item", "1. item",
                     "\x1b[31m", "\u202e", "[^1]", "&#0;", "&#x1b;", "*" * 500, "[" * 500, "<" * 500]),
    st.integers(1, 20000).map(lambda n: "w" * n),
)


@st.composite
def markdown_body(draw) -> str:
    lines = draw(st.lists(markdown_piece, max_size=8))
    if draw(st.integers(0, 4)):
        lines.insert(0, "## One")
    return "\n\n".join(lines) + "\n"


@st.composite
def bibtex(draw) -> str:
    entries = []
    for index in range(draw(st.integers(0, 3))):
        fields = [("title", draw(st.sampled_from(["A title", "{The {NATO} story}", "T"])))] + draw(st.lists(st.tuples(
            st.sampled_from(["title", "author", "year", "date", "month", "url", "doi", "journal", "note", "urldate"]),
            st.one_of(text, digits, st.integers(0, 3000).map(lambda n: "{" * n + "x" + "}" * n),
                      st.sampled_from(["{", "}", "\\", "@", "%", "\\\"{o}", "$x^2$", "{{NATO}}", "and and"]))),
            max_size=3))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        kind = draw(st.sampled_from(["article", "misc", "online", "book", "misc", "online", "string", "comment", "x"]))
        entries.append(f"@{kind}{{key{index},\n{body}\n}}")
    return "\n\n".join(entries) + draw(st.sampled_from(["", "", "", "@", "@misc{", "}}}}", "\x00"]))


@st.composite
def csl_json(draw) -> str:
    items = []
    for index in range(draw(st.integers(0, 3))):
        fields = [f'"id": {draw(st.sampled_from([json.dumps(f"key{index}")] * 4 + ["5", "null", "[]"]))}',
                  '"title": "A title"']
        for _ in range(draw(st.integers(0, 3))):
            name = draw(st.sampled_from(["title", "author", "issued", "accessed", "URL", "DOI", "type", "note"]))
            value = draw(st.one_of(_json_value(), st.sampled_from([
                '{"date-parts": [[Infinity]]}', '{"date-parts": [[' + "9" * 5000 + "]]}",
                '{"date-parts": [["2020", "x"]]}', '{"raw": "2020/2021"}', '[{"family": "F", "given": "G"}]',
                '[{"literal": 5}]', '{"date-parts": "x"}'])))
            fields.append(f'"{name}": {value}')
        items.append("{" + ", ".join(fields) + "}")
    return "[" + ", ".join(items) + "]"


def _builds_or_refuses(path: Path, out: Path) -> None:
    """The property: the build succeeds, or fails with an input error (exit 2) and a message, in bounds."""
    out.mkdir(exist_ok=True)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = build_file(path, out, formats=("html",), limits=rk.Limits(render_seconds=SECONDS))
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS + 5, f"{elapsed:.1f} s"
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MB"
    if result.error is not None:
        assert result.traceback is None, result.traceback
        assert result.error.exit_code == 2, f"{type(result.error).__name__}: {result.error}"
        assert str(result.error).strip()
        event(f"refused: {type(result.error).__name__} {result.error.message[:50]}")
    else:
        event("built")
        assert result.outputs and all(p.exists() for p in result.outputs)


HYPOTHESIS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                             HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(front=front_matter(), body=markdown_body())
def test_any_markdown_with_front_matter_builds_or_exits_2(tmp_path_factory, front, body):
    folder = tmp_path_factory.mktemp("md")
    path = folder / "check.md"
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8", errors="surrogatepass")
    _builds_or_refuses(path, folder / "out")


@HYPOTHESIS
@given(document=_json_value(), extra=st.lists(st.tuples(st.sampled_from(FIELDS), _json_value()), max_size=5))
def test_any_json_builds_or_exits_2(tmp_path_factory, document, extra):
    folder = tmp_path_factory.mktemp("json")
    path = folder / "check.json"
    if extra:
        document = "{" + ", ".join([f'"title": "T"', '"sections": [{"heading": "H"}]',
                                    *(f"{json.dumps(k)}: {v}" for k, v in extra)]) + "}"
    path.write_text(document, encoding="utf-8")
    _builds_or_refuses(path, folder / "out")


def _sources_case(folder: Path, name: str, references: str) -> None:
    """A fact-check citing ``key0`` of the sources file ``name`` (holding ``references``), built."""
    (folder / name).write_text(references, encoding="utf-8")
    path = folder / "check.md"
    path.write_text(f"---\ntitle: T\nsources: {name}\n---\n\n## One\n\nText [@key0].\n", encoding="utf-8")
    _builds_or_refuses(path, folder / "out")


@HYPOTHESIS
@given(references=bibtex())
def test_any_bibtex_sources_file_builds_or_exits_2(tmp_path_factory, references):
    _sources_case(tmp_path_factory.mktemp("bib"), "refs.bib", references)


@HYPOTHESIS
@given(references=csl_json())
def test_any_csl_json_sources_file_builds_or_exits_2(tmp_path_factory, references):
    _sources_case(tmp_path_factory.mktemp("csl"), "refs.json", references)
