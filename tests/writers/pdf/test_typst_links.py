"""The Typst engine's internal links: written by the templates as reserved-scheme URIs
(``x-reportkit-anchor:src-3``), turned into links to named destinations when the PDF is finished.

Expected values come from the input: the citations the resolver numbers, the sources' titles and the
pages where the sample's text puts them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk
from reportkit.errors import RenderError

pytest.importorskip("typst")
pytest.importorskip("pikepdf")

import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest import SAMPLES  # noqa: E402
from pdfutil import external_links, internal_links, pages_containing  # noqa: E402

SCHEME = "x-reportkit-anchor:"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, rk.FactCheck]:
    """The Russia-NATO sample built with the Typst engine, and its fact-check."""
    check = rk.load(SAMPLES / "russia-nato.md")
    return check.to_pdf(tmp_path_factory.mktemp("links") / "sample.pdf", engine="typst"), check


def _annotations(pdf: Path) -> list[tuple[int, dict]]:
    """(page index, link annotation) of every link of ``pdf``."""
    found = []
    for index, page in enumerate(PdfReader(pdf).pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link":
                found.append((index, annot))
    return found


def test_every_call_and_back_reference_links_to_a_named_destination_and_no_reserved_uri_is_left(sample):
    pdf, check = sample
    resolved = check.resolve()
    calls = [ref for refs in resolved.citations.refs.values() for ref in refs]
    links = [dest for _, dest in internal_links(pdf)]
    # One link per call to its source; a back-reference per part citing a source, to its first call there.
    firsts = {(ref.key, ref.part): ref.id for ref in reversed(calls)}
    assert sorted(d for d in links if d.startswith("src-")) == sorted(f"src-{ref.number}" for ref in calls)
    assert sorted(d for d in links if d.startswith("cite-")) == sorted(firsts.values())
    assert not [uri for _, uri, _ in external_links(pdf) if uri.lower().startswith(SCHEME)]
    for _, annot in _annotations(pdf):
        assert "/A" not in annot or annot["/A"]["/S"] == "/URI"
        assert not str(annot.get("/Contents", "")).startswith(SCHEME)


def test_links_go_to_the_page_of_the_source_and_of_the_call_and_say_it(sample):
    pdf, check = sample
    resolved = check.resolve()
    reader = PdfReader(pdf)
    names = reader.named_destinations
    page_of = {name: reader.get_destination_page_number(dest) for name, dest in names.items()}
    for number, source in enumerate(resolved.citations.cited, start=1):
        # The bibliography entry's page is where the source's title is printed last (after any footnote).
        assert page_of[f"src-{number}"] == pages_containing(pdf, source.title)[-1], source.key
    for ref in (r for refs in resolved.citations.refs.values() for r in refs):
        # A call's destination is on the page of a link from that call to its source.
        call_pages = {page for page, dest in internal_links(pdf) if dest == f"src-{ref.number}"}
        assert page_of[ref.id] in call_pages, ref.id
    for page, annot in _annotations(pdf):
        if "/Dest" in annot:  # as Typst writes for its own internal links: the target's page
            assert str(annot["/Contents"]) == f"page {page_of[str(annot['/Dest'])] + 1}"


def _typst_pdf(tmp_path: Path, body: str) -> bytes:
    import typst

    main = tmp_path / "m.typ"
    main.write_text(body, encoding="utf-8")
    return bytes(typst.compile(str(main), ignore_system_fonts=True))


def _finish(pdf: bytes, anchors: list) -> bytes:
    from reportkit.writers.pdf.typst.finish import finish

    return finish(pdf, anchors, lambda packet, fonts: packet or b"<x/>", {"Title": "t"}, b"0" * 16)


def test_finishing_turns_a_reserved_scheme_link_into_a_link_to_its_destination(tmp_path):
    pdf = _typst_pdf(tmp_path, f'#link("{SCHEME}there")[to it]\n#pagebreak()\nhere')
    finished = PdfReader(io.BytesIO(_finish(pdf, [("there", {"page": 2, "x": "20pt", "y": "30pt"})])))
    annot = finished.pages[0]["/Annots"][0].get_object()
    assert "/A" not in annot and annot["/Dest"] == "there" and annot["/Contents"] == "page 2"
    assert finished.get_destination_page_number(finished.named_destinations["there"]) == 1


def test_a_reserved_scheme_link_without_a_destination_is_an_error_not_a_dead_link(tmp_path):
    pdf = _typst_pdf(tmp_path, f'#link("{SCHEME}nowhere")[to it]')
    with pytest.raises(RenderError, match="nowhere"):
        _finish(pdf, [("elsewhere", {"page": 1, "x": "0pt", "y": "0pt"})])


def test_finishing_leaves_no_temporary_file_behind_when_it_succeeds_or_fails(tmp_path, monkeypatch):
    import tempfile

    pdf = _typst_pdf(tmp_path, f'#link("{SCHEME}there")[to it]\n#pagebreak()\nhere')
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    finished = _finish(pdf, [("there", {"page": 2, "x": "20pt", "y": "30pt"})])
    assert PdfReader(io.BytesIO(finished)).named_destinations["there"]
    with pytest.raises(RenderError):
        _finish(pdf, [("elsewhere", {"page": 1, "x": "0pt", "y": "0pt"})])
    assert list(scratch.iterdir()) == []


def test_a_pdf_file_is_finished_where_it_is_as_its_bytes_are_leaving_nothing_beside_it(tmp_path, monkeypatch):
    import tempfile

    from reportkit.writers.pdf.typst.finish import finish

    pdf = _typst_pdf(tmp_path, f'#link("{SCHEME}there")[to it]\n#pagebreak()\nhere')
    anchors = [("there", {"page": 2, "x": "20pt", "y": "30pt"})]
    from_bytes = _finish(pdf, anchors)
    folder = tmp_path / "root"
    folder.mkdir()
    (folder / "typst.pdf").write_bytes(pdf)

    def no_copy(*args, **kwargs):
        raise AssertionError("a PDF file is finished without a temporary copy")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_copy)
    with pytest.raises(AssertionError, match="temporary copy"):  # negative: bytes need the temporary folder
        _finish(pdf, anchors)
    from_file = finish(folder / "typst.pdf", anchors, lambda packet, fonts: packet or b"<x/>", {"Title": "t"}, b"0" * 16)
    assert from_file == from_bytes
    assert PdfReader(io.BytesIO(from_file)).named_destinations["there"]
    assert sorted(p.name for p in folder.iterdir()) == ["typst.pdf"] and (folder / "typst.pdf").read_bytes() == pdf
    with pytest.raises(RenderError):
        finish(folder / "typst.pdf", [("elsewhere", {"page": 1, "x": "0pt", "y": "0pt"})], lambda packet: packet,
               {"Title": "t"}, b"0" * 16)
    assert sorted(p.name for p in folder.iterdir()) == ["typst.pdf"]


def test_a_typst_link_to_a_label_where_an_anchor_lies_is_named_after_the_anchor(tmp_path):
    # A layout's own link to a label: Typst writes an explicit destination, 10 pt above the label.
    pdf = _typst_pdf(tmp_path, '#link(<there>)[to it]\n#pagebreak()\n#v(3cm)\n#box[here] <there>')
    dest = PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"][0].get_object()["/Dest"]
    height = float(PdfReader(io.BytesIO(pdf)).pages[1].mediabox.top)
    x, top = float(dest[2]), float(dest[3])
    anchor = {"page": 2, "x": f"{x}pt", "y": f"{height - (top - 10)}pt"}
    finished = PdfReader(io.BytesIO(_finish(pdf, [("there", anchor)])))
    assert finished.pages[0]["/Annots"][0].get_object()["/Dest"] == "there"
    elsewhere = {"page": 2, "x": f"{x + 50}pt", "y": anchor["y"]}  # not where the link aims: left as Typst wrote it
    unnamed = PdfReader(io.BytesIO(_finish(pdf, [("there", elsewhere)])))
    assert not isinstance(unnamed.pages[0]["/Annots"][0].get_object()["/Dest"], str)


def test_ordinary_web_links_are_left_as_they_are(tmp_path):
    pdf = _typst_pdf(tmp_path, '#link("https://example.org/x-reportkit-anchor:src-1")[web]')
    annot = PdfReader(io.BytesIO(_finish(pdf, []))).pages[0]["/Annots"][0].get_object()
    assert annot["/A"]["/URI"] == "https://example.org/x-reportkit-anchor:src-1" and "/Dest" not in annot


def _with_user_link(folder: Path) -> rk.FactCheck:
    return (
        rk.FactCheck("Links", published="2025-01-02", base_dir=folder)
        .source("s1", title="First source", url="https://example.org/a")
        .summary("A claim [@s1].")
        .section("Heading", "Go [to the first source](X-Reportkit-Anchor:src-1) now.")
    )


def test_a_user_link_with_the_reserved_scheme_does_not_become_an_internal_link(tmp_path):
    with pytest.warns(Warning, match="removed"):
        pdf = _with_user_link(tmp_path).to_pdf(tmp_path / "user.pdf", engine="typst")
    assert [dest for _, dest in internal_links(pdf)] == ["src-1", "cite-1-1"]  # the call and its back-reference
    assert not [uri for _, uri, _ in external_links(pdf) if SCHEME in uri.lower()]


def test_the_typst_engine_refuses_the_reserved_scheme_even_if_the_resolver_let_it_through(tmp_path, monkeypatch):
    from reportkit.resolve import resolver

    monkeypatch.setattr(resolver, "LINK_SCHEMES", (*resolver.LINK_SCHEMES, "x-reportkit-anchor"))
    with pytest.raises(RenderError, match="reserved"):
        _with_user_link(tmp_path).to_pdf(tmp_path / "user.pdf", engine="typst")
    assert not (tmp_path / "user.pdf").exists()


def test_upstream_typst_describes_its_internal_links_by_the_target_page(tmp_path):
    """finish.py writes the same /Contents for the links it makes: when Typst changes its wording, follow it."""
    reader = PdfReader(io.BytesIO(_typst_pdf(tmp_path, "#link(<t>)[to it]\n#pagebreak()\n#pagebreak()\n#box[here] <t>")))
    annot = reader.pages[0]["/Annots"][0].get_object()
    assert annot["/Contents"] == "page 3" and "/A" not in annot


def test_links_are_described_in_the_documents_language_as_typst_describes_its_own(tmp_path):
    # Typst's words for a link to page 3 in Turkish, from a label link of Typst's own.
    own = _typst_pdf(tmp_path, '#set text(lang: "tr")\n#link(<t>)[x]\n#pagebreak()\n#pagebreak()\n#box[h] <t>')
    words = str(PdfReader(io.BytesIO(own)).pages[0]["/Annots"][0].get_object()["/Contents"])
    assert words.endswith(" 3") and not words.startswith("page")
    pdf = rk.load(Path(__file__).resolve().parents[2] / "data" / "scripts" / "tr.md").to_pdf(tmp_path / "tr.pdf", engine="typst")
    reader = PdfReader(pdf)
    page_of = {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}
    described = [(str(a["/Contents"]), page_of[str(a["/Dest"])]) for _, a in _annotations(pdf) if "/Dest" in a]
    assert described and all(text == words.replace("3", str(page + 1)) for text, page in described)


def test_the_link_words_known_without_a_probe_are_those_typst_writes():
    from reportkit.writers.pdf.typst.job import KNOWN_LINK_WORDS, link_description, link_probe, link_words

    assert KNOWN_LINK_WORDS == {"en": "page {}"}
    for lang, words in KNOWN_LINK_WORDS.items():
        assert link_words(link_probe(lang)) == words == link_description(lang)


@pytest.mark.parametrize(("lang", "words"), [("de", "Seite {}"), ("tr", "sayfa {}")])
def test_the_link_words_of_other_languages_are_read_from_typst(lang, words):
    from reportkit.writers.pdf.typst.job import KNOWN_LINK_WORDS, link_description

    assert lang not in KNOWN_LINK_WORDS
    assert link_description(lang) == words
