"""Every InputError that can name where the problem is names it: the file, the line and the field,
each read off the input the test writes (the line a field is on, the index of a list item)."""

from __future__ import annotations

from pathlib import Path

import pytest

import reportkit as rk
from reportkit.options import BuildOptions

FRONT = "---\ntitle: Is it so?\nsources:\n  - key: a\n    title: A source\n---\n\nSummary [@a].\n\n## One\n\nText.\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> rk.InputError:
    with pytest.raises(rk.InputError) as caught:
        rk.load(path)
    return caught.value


def line_of(text: str, words: str) -> int:
    """The 1-based line of the first line of ``text`` that holds ``words``."""
    return next(n for n, line in enumerate(text.split("\n"), start=1) if words in line)


# --- files -------------------------------------------------------------------------------------


def test_a_front_matter_never_closed_names_the_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, "c.md", "---\ntitle: Is it so?\n\n## One\n\nText.\n")
    error = load_error(path)
    assert error.message == "the front matter is not closed by a line '---'"
    assert (error.file, error.line) == (str(path), 1)


def test_a_field_given_in_front_matter_and_text_names_its_line(tmp_path: Path) -> None:
    text = FRONT.replace("title: Is it so?\n", "title: Is it so?\nsections: []\n")
    path = write(tmp_path, "c.md", text)
    error = load_error(path)
    assert error.message == "'sections' is given both in the front matter and in the text below it"
    assert (error.file, error.line) == (str(path), line_of(text, "sections: []"))
    text = FRONT.replace("title: Is it so?\n", "title: Is it so?\n\nsummary: Given here\n")
    error = load_error(write(tmp_path, "c.md", text))
    assert error.line == line_of(text, "summary: Given here") and "'summary'" in error.message


def test_a_missing_sources_file_names_the_line_and_field_of_sources(tmp_path: Path) -> None:
    text = "---\ntitle: Is it so?\nlanguage: en\nsources: nope.bib\n---\n\n## One\n\nText.\n"
    path = write(tmp_path, "c.md", text)
    error = load_error(path)
    assert (error.file, error.line, error.field) == (str(path), 4, "sources")
    assert error.message == "the sources file 'nope.bib' does not exist"


def test_a_key_given_twice_in_json_names_its_line_and_column(tmp_path: Path) -> None:
    text = '{\n  "title": "Is it so?",\n  "language": "en",\n    "title": "Again?"\n}\n'
    path = write(tmp_path, "c.json", text)
    error = load_error(path)
    assert error.message == "the key 'title' is given twice in one object"
    assert (error.file, error.line, error.column) == (str(path), 2, 3)  # where '"title"' is first written


def test_a_json_number_too_large_names_its_line(tmp_path: Path) -> None:
    text = '{\n  "title": "Is it so?",\n  "scale": 1e999\n}\n'
    path = write(tmp_path, "c.json", text)
    error = load_error(path)
    assert error.message == "the number 1e999 is too large"
    assert (error.file, error.line, error.column) == (str(path), 3, 12)


def test_a_yaml_number_too_long_names_its_line_and_column(tmp_path: Path) -> None:
    text = "---\ntitle: Is it so?\nlanguage: en\nslug: " + "9" * 5000 + "\n---\n\n## One\n\nText.\n"
    path = write(tmp_path, "c.md", text)
    error = load_error(path)
    assert error.message.startswith("a number with 5,000 digits is more than a fact-check can hold")
    assert (error.file, error.line, error.column) == (str(path), 4, 7)


def test_bytes_that_are_not_utf8_name_their_line_and_column_in_a_sources_file(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_bytes(b"@misc{a,\n  title = {Caf\xe9}}\n")
    path = write(tmp_path, "c.md", FRONT.replace("sources:\n  - key: a\n    title: A source\n", "sources: refs.bib\n"))
    error = load_error(path)
    assert error.message == "the sources file is not UTF-8 text (byte 0xe9)"
    assert (error.file, error.line, error.column) == (str(tmp_path / "refs.bib"), 2, 15)


@pytest.mark.parametrize(("name", "old", "new", "column"), [("c.md", "Is it so?", "Is it\x07 so?", 13),
                                                           ("c.yaml", "A source", "A\x07 source", 13)])
def test_a_control_character_in_yaml_names_its_line_and_column(
    tmp_path: Path, name: str, old: str, new: str, column: int
) -> None:
    text = FRONT.replace(old, new)
    if name.endswith(".yaml"):
        text = text.split("---\n")[1]
    path = write(tmp_path, name, text)
    error = load_error(path)
    assert error.message == "contains the control character U+0007, which YAML does not allow"
    assert (error.file, error.line, error.column) == (str(path), line_of(text, "\x07"), column)


def test_a_control_character_in_json_names_the_field_and_its_line(tmp_path: Path) -> None:
    text = '{\n  "title": "Is it so?",\n  "summary": "A\\u0007 summary"\n}\n'
    path = write(tmp_path, "c.json", text)
    error = load_error(path)
    assert error.message == "contains the control character U+0007 at character 2"
    assert (error.file, error.field) == (str(path), "summary")


# --- the API --------------------------------------------------------------------------------------


def test_bytes_data_that_contains_itself_and_data_too_deep_name_their_field() -> None:
    data = {"title": "Q?", "sections": [{"title": "S", "body": b"raw"}]}
    with pytest.raises(rk.InputError) as caught:
        rk.FactCheck.from_dict(data)
    assert (caught.value.message, caught.value.field) == ("should be text, not bytes", "sections[0].body")
    looped: dict = {"title": "Q?", "claim": {"text": "C"}}
    looped["claim"]["again"] = looped["claim"]
    with pytest.raises(rk.InputError) as caught:
        rk.FactCheck.from_dict(looped)
    assert (caught.value.message, caught.value.field) == ("contains itself", "claim.again")
    deep: dict = {"title": "Q?"}
    inner = deep.setdefault("claim", {})
    for _ in range(70):
        inner = inner.setdefault("x", {})
    with pytest.raises(rk.InputError) as caught:
        rk.FactCheck.from_dict(deep)
    assert caught.value.message == "is nested more than 64 levels deep"
    assert caught.value.field == "claim" + ".x" * 63


def test_a_second_source_with_the_same_key_names_its_index() -> None:
    check = rk.FactCheck("Q?").source("a", title="A").source("b", title="B")
    with pytest.raises(rk.InputError) as caught:
        check.source("a", title="Again")
    assert (caught.value.message, caught.value.field) == ("duplicate source key 'a'", "sources[2].key")


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda c: c.rating_scale("s", "true, false"), "rating_scale.ratings", "should be a list of ratings, not str"),
        (lambda c: c.write("out", formats="pdf"), "formats",
         "should be a list of format names such as ['pdf', 'epub']"),
        (lambda c: c.write(True), "out_dir", "should be a folder path, not the boolean True"),
        (lambda c: c.write(3), "out_dir", "should be a folder path, not int"),
        (lambda c: c.sources_from(None), "sources_from", "should be a file path, not NoneType"),
        (lambda c: c.render("html", layout=3), "layout", "expected a layout name or path, got int"),
    ],
)
def test_a_wrong_argument_names_its_parameter(call, field: str, message: str) -> None:
    with pytest.raises(rk.InputError) as caught:
        call(rk.FactCheck("Q?").section("S", "Text."))
    assert (caught.value.field, caught.value.message) == (field, message)


def test_an_unknown_unsafe_images_policy_names_the_parameter() -> None:
    with pytest.raises(rk.InputError) as caught:
        rk.FactCheck("Q?", unsafe_images="maybe")
    assert caught.value.field == "unsafe_images" and caught.value.message.endswith("not 'maybe'")


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"pagesize": "a4"}, "pagesize", "unknown option 'pagesize'"),
        ({"font_dirs": "/nonexistent/fonts"}, "font_dirs", "option font_dirs: '/nonexistent/fonts' is not a folder"),
        ({"layout": 3}, "layout", "option layout: expected a name or a path, got int"),
    ],
)
def test_a_wrong_build_option_names_the_option(given: dict, field: str, message: str) -> None:
    with pytest.raises(rk.InputError) as caught:
        BuildOptions.parse(given)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_a_build_option_of_the_wrong_type_names_the_option_and_the_value() -> None:
    with pytest.raises(rk.InputError) as caught:
        BuildOptions.parse({"timeout": "soon"})
    assert caught.value.field == "timeout" and caught.value.message.startswith("option timeout: ")
    assert caught.value.message.endswith("(got 'soon')")


def test_a_claimreview_without_verdict_names_the_verdict_field() -> None:
    from reportkit.render.claimreview import claimreview

    with pytest.raises(rk.InputError) as caught:
        claimreview(rk.FactCheck("Is it so?").section("S", "Text.").document)
    assert (caught.value.field, caught.value.message) == ("verdict", "a ClaimReview needs a verdict")


# --- the server's requests --------------------------------------------------------------------------


def test_each_refused_request_value_names_its_request_field(tmp_path: Path) -> None:
    from reportkit.errors import LayoutError
    from reportkit.tools.serve import ServeConfig
    from reportkit.tools.serve.config import check_host
    from reportkit.tools.serve.server import Server

    (tmp_path / "check.md").write_text(FRONT, encoding="utf-8")
    server = Server(ServeConfig(root=tmp_path))
    assert server.check_name("check.md") == "check.md"
    with pytest.raises(rk.InputError) as caught:
        server.check_name("other.md")
    assert (caught.value.field, caught.value.message) == ("file", "there is no fact-check 'other.md' in the folder")
    with pytest.raises(LayoutError) as caught:
        server.layout_path("no-such-layout")
    assert (caught.value.field, caught.value.message) == ("layout", "there is no layout 'no-such-layout'")
    with pytest.raises(rk.InputError) as caught:
        server.page_size("report", "Folio")
    assert (caught.value.field, caught.value.message) == ("page_size", "layout 'report' has no page size 'Folio'")
    with pytest.raises(rk.InputError) as caught:
        server.engine("no-such-engine")
    assert (caught.value.field, caught.value.message) == ("engine", "there is no PDF engine 'no-such-engine'")
    with pytest.raises(rk.InputError) as caught:
        server.build_job(str(tmp_path), "check.md", "epub", layout="report", page_size="A4", archival=True)
    assert (caught.value.field, caught.value.message) == ("archival", "archival applies to the PDF only")
    with pytest.raises(rk.InputError) as caught:
        check_host("0.0.0.0", frozenset())
    assert (caught.value.field, caught.value.message) == ("--host", "refusing to listen on 0.0.0.0 without authentication")


def test_an_image_without_alt_text_in_an_archival_pdf_names_its_line_and_section(tmp_path: Path) -> None:
    (tmp_path / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8")
    text = FRONT.replace("## One\n\nText.\n", "## One\n\nText.\n\n## Two\n\nBefore.\n\n![](chart.svg)\n")
    path = write(tmp_path, "c.md", text)
    with pytest.warns(rk.ReportkitWarning, match="has no alt text"), pytest.raises(rk.InputError) as caught:
        rk.load(path).to_pdf(tmp_path / "c.pdf", archival=True)
    error = caught.value
    assert error.message.startswith("image 'chart.svg' in section 2 ('Two') has no alt text")
    assert (error.file, error.line, error.field) == (str(path), line_of(text, "![](chart.svg)"), "sections[1].body")
    assert not (tmp_path / "c.pdf").exists()


def test_each_refused_upload_names_its_form_part(tmp_path: Path) -> None:
    import asyncio

    import httpx

    from reportkit.tools.serve import ServeConfig
    from reportkit.tools.serve.app import create_app

    # The errors come before any build: the app is called in this process, its worker pool (lifespan) never started.
    app = create_app(ServeConfig(root=tmp_path))
    check = ("check", ("c.md", FRONT.encode(), "text/markdown"))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'

    async def post(files: list) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            return await client.post("/api/build", files=files)

    def refused(files: list) -> dict:
        answer = asyncio.run(post(files))
        assert answer.status_code == 400, answer.text
        body = answer.json()
        assert (body["error"], body.get("file"), body.get("line")) == ("InputError", None, None)  # a form: no file or line
        return body

    body = refused([("images", ("a.svg", svg, "image/svg+xml"))])
    assert (body["field"], body["message"]) == ("check", "the form has no part 'check' (the fact-check)")
    body = refused([check, ("figure", ("check.md", svg, "image/svg+xml"))])
    assert (body["field"], body["message"]) == ("figure", "an image cannot be named check.md")
    for part, filename in [("chart", "../up.svg"), ("photo", "/tmp/abs.svg"), ("logo", ".hidden.svg"),
                           ("deep", "a/b/c/d/e.svg"), ("spaced", "my image.svg")]:
        body = refused([check, (part, (filename, svg, "image/svg+xml"))])
        assert (body["field"], body["message"]) == (part, f"the uploaded file name {filename!r} is not allowed")
        assert not (tmp_path / "up.svg").exists()
