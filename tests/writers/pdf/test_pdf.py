"""The PDF read back with pypdf (and poppler): footnotes on their call's page, bibliography, metadata, outline, links, fonts."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk
from reportkit.render.renderer import short_reference

from conftest import SAMPLES, require_tool
from pdfutil import external_links, first_call_pages, internal_links, page_texts, pages_containing, reader, squash

LOREM = (
    "Officials and historians have described the episode in different ways over the decades, and the record "
    "that survives in the archives is thinner than the retellings suggest; what can be established is set "
    "out below with the documents that support each step."
).split()


def long_check(base_dir: Path) -> rk.FactCheck:
    """A long dossier: 14 sections, 40 sources (some with very long titles), dense and adjacent citations."""
    rng = random.Random(7)
    check = rk.FactCheck("A long dossier: does every footnote stay on its page?", published="2025-01-02",
                         base_dir=base_dir, authors=["Test Writer"], tags=["test"])
    check.claim("Footnotes drift.", claimant="A sceptical typesetter")
    check.verdict("mixed", label="It depends", explanation="See the sections [@s1].")
    keys = [f"s{i}" for i in range(1, 41)]
    for key in keys:
        title = f"Source {key} " + " ".join(rng.choice(LOREM) for _ in range(rng.choice([6, 12, 90])))
        check.source(key, title=title, publisher="Archive " + key.upper(), url=f"https://archive.example.org/{key}/"
                     + "very-long-path-segment-" * rng.choice([1, 6]), published="2001-02-03")
    cursor = 1
    for section in range(1, 15):
        paragraphs = []
        for _ in range(3):
            words = [rng.choice(LOREM) for _ in range(rng.randint(40, 110))]
            for _ in range(rng.randint(1, 3)):
                position = rng.randint(3, len(words) - 1)
                group = [keys[min(cursor + j, 39)] for j in range(rng.choice([1, 1, 2, 3]))]
                cursor = (cursor + len(group)) % 40
                words.insert(position, "[" + "; ".join("@" + k for k in group) + "]")
            paragraphs.append(" ".join(words))
        check.section(f"Section heading number {section}", "\n\n".join(paragraphs))
    check.summary("The summary cites the first source [@s1; @s2, p. 4].")
    return check


@pytest.fixture(scope="session")
def long_pdf(tmp_path_factory) -> tuple[rk.FactCheck, Path]:
    folder = tmp_path_factory.mktemp("long")
    check = long_check(folder)
    return check, check.to_pdf(folder / "long.pdf")


CITATION = re.compile(r"\[(@[^\]]*)\]")


def first_citations_as_written(check: rk.FactCheck) -> list[tuple[str, str | None]]:
    """(key, locator as written) of each source's first citation, in reading order (explanation, summary,
    sections), read from the input's own text with a regular expression, not from reportkit's resolver."""
    doc = check.document
    texts = [doc.verdict.explanation] if doc.verdict and doc.verdict.explanation else []
    texts += [doc.summary] + [section.body for section in doc.sections]
    seen: dict[str, str | None] = {}
    for text in texts:
        for group in CITATION.findall(text):
            for item in group.split(";"):
                key, _, locator = item.strip().lstrip("@").partition(",")
                seen.setdefault(key.strip(), locator.strip() or None)
    return list(seen.items())


def assert_footnotes_on_call_pages(check: rk.FactCheck, pdf: Path) -> int:
    """Each source's footnote (its number, the start of its title as written, its locator) is on its call's page."""
    titles = {source.key: source.title for source in check.document.sources}
    # A note opens with its number, then the source's first author, or else its publisher, or else its title.
    leads = {s.key: [str(a) for a in s.authors[:1]] + [s.publisher or "", s.title[:20]] for s in check.document.sources}
    calls = first_call_pages(pdf)
    texts = [squash(text) for text in page_texts(pdf)]
    checked = 0
    for number, (key, locator) in enumerate(first_citations_as_written(check), start=1):
        title = squash(titles[key][:40])
        page = calls[number]
        note = texts[page]
        assert title in note, f"footnote {number} ({key}) is not on page {page + 1}, where it is cited"
        opening = [squash(f"{number}{lead}") for lead in leads[key] if lead]
        assert any(o in note for o in opening), f"footnote {number} does not open with its number and one of {leads[key]}"
        if locator:
            assert squash(locator) in note[note.index(title):], f"footnote {number} lacks its locator {locator!r}"
        checked += 1
    return checked


def test_every_footnote_sits_on_the_page_of_its_call(built):
    for slug, files in built.items():
        check = rk.load(files["source"])
        assert assert_footnotes_on_call_pages(check, files["pdf"]) == len(check.document.sources)


def test_the_footnote_check_fails_on_a_wrong_locator_or_order(built):
    files = built["russia-nato"]
    data = rk.load(files["source"]).to_dict()
    # north-atlantic-treaty is first cited with the locator "art. 10" (as the sample writes it)
    index = next(i for i, s in enumerate(data["sections"]) if "[@north-atlantic-treaty, art. 10]" in s["body"])
    sections = [dict(s) for s in data["sections"]]
    sections[index]["body"] = sections[index]["body"].replace("[@north-atlantic-treaty, art. 10]", "[@north-atlantic-treaty, art. 14]", 1)
    with pytest.raises(AssertionError, match="lacks its locator"):
        assert_footnotes_on_call_pages(rk.FactCheck.from_dict({**data, "sections": sections}, base_dir=SAMPLES), files["pdf"])
    swapped = dict(data)
    swapped["sources"] = [{**s, "title": other["title"]} for s, other in zip(data["sources"], data["sources"][1:] + data["sources"][:1])]
    with pytest.raises(AssertionError):
        assert_footnotes_on_call_pages(rk.FactCheck.from_dict(swapped, base_dir=SAMPLES), files["pdf"])


@pytest.mark.slow
def test_every_footnote_sits_on_the_page_of_its_call_in_a_long_document(long_pdf):
    check, pdf = long_pdf
    assert len(reader(pdf).pages) >= 10
    assert assert_footnotes_on_call_pages(check, pdf) == 40


@pytest.mark.slow
def test_long_titles_are_shortened_in_footnotes_but_complete_in_the_bibliography(long_pdf):
    check, pdf = long_pdf
    longest = max(check.document.sources, key=lambda s: len(s.title))
    note = short_reference(longest)
    assert note.count("…") == 1 and len(note) < 260
    assert pages_containing(pdf, longest.title)  # the full title, in the bibliography


def test_adjacent_citations_are_separated(built):
    text = "".join(page_texts(built["russia-nato"]["pdf"]))
    assert "3,4,5" in text.replace(" ", "")


def test_bibliography_lists_every_source_with_its_url_as_a_link(built):
    for slug, files in built.items():
        pdf = files["pdf"]
        doc = rk.load(files["source"]).document
        last = page_texts(pdf)[-1]
        assert "Sources" in "".join(page_texts(pdf)[-2:])
        uris = {uri for _, uri, _ in external_links(pdf)}
        for source in doc.sources:
            assert pages_containing(pdf, source.title), source.key
            assert source.url in uris
            if source.archived:
                assert source.archived in uris
        assert last


def test_back_references_give_the_page_of_each_citation(built):
    files = built["russia-nato"]
    pdf = files["pdf"]
    calls = first_call_pages(pdf)
    resolved = rk.load(files["source"]).resolve()
    text = squash("".join(page_texts(pdf)[-2:]))
    checked = 0
    for source in resolved.citations.cited:
        ref = resolved.citations.refs[source.key][0]
        if ref.part == "summary":
            label = "Summary"
        elif ref.part.startswith("sections["):
            label = "§ " + str(int(ref.part[9:ref.part.index("]")]) + 1)
        else:
            continue
        assert squash(f"{label} (p. {calls[ref.number] + 1})") in text, source.key
        checked += 1
    assert checked >= 5


def test_metadata_outline_and_language(built):
    files = built["russia-nato"]
    pdf = reader(files["pdf"])
    doc = rk.load(files["source"]).document
    meta = pdf.metadata
    assert meta.title == doc.title
    assert meta.author == ", ".join(doc.authors)
    assert meta.subject == doc.claim.text
    assert meta["/Keywords"] == ", ".join(doc.tags)
    assert meta["/CreationDate"].startswith("D:" + doc.published.replace("-", ""))
    assert meta["/ModDate"].startswith("D:" + doc.updated.replace("-", ""))
    assert meta["/Creator"].startswith("reportkit ")
    assert pdf.trailer["/Root"]["/Lang"] == "en"
    outline = [item.title for item in pdf.outline]
    assert outline == ["Summary", *[f"{i}. {s.heading}" for i, s in enumerate(doc.sections, 1)], "Corrections", "Sources"]
    sources_page = pdf.get_destination_page_number(pdf.outline[-1])
    assert sources_page == len(pdf.pages) - 1 or "Sources" in page_texts(files["pdf"])[sources_page]


def test_internal_links_point_at_existing_destinations(built):
    pdf_path = built["russia-nato"]["pdf"]
    names = set(reader(pdf_path).named_destinations)
    links = internal_links(pdf_path)
    assert links
    assert {dest for _, dest in links} <= names
    # Every citation links to its bibliography entry; every back-reference to a citation.
    assert any(dest.startswith("src-") for _, dest in links)
    assert any(dest.startswith("cite-") for _, dest in links)


def test_links_are_clickable_areas(built):
    for _, _, (x0, y0, x1, y1) in external_links(built["russia-nato"]["pdf"]):
        assert abs(x1 - x0) > 1 and abs(y1 - y0) > 3


def test_pages_have_running_heads_and_page_n_of_m(built):
    pdf = built["russia-nato"]["pdf"]
    texts = page_texts(pdf)
    total = len(texts)
    assert 4 <= total <= 10
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
    assert "HAS RUSSIA EVER FORMALLY" in texts[1].upper()
    assert "Northlight Fact Desk" in texts[1]


@pytest.mark.parametrize("layout", ["report", "brief"])
def test_page_n_of_m_stays_on_one_line_when_the_check_has_no_date(tmp_path, layout):
    # With no date, the footer's other margin box is empty; "Page 1 of 2" was set one word a line.
    check = rk.FactCheck.from_dict({
        "title": "Did the ministry publish the figures?",
        "verdict": {"rating": "mostly-false", "label": "Published, not those numbers",
                    "explanation": "The report exists; the circulating figures are not in it."},
        "summary": "The ministry's annual report has figures, but not the ones quoted online.",
        "sections": [{"heading": "Background", "body": "The report was published in March."}],
    })
    texts = page_texts(check.to_pdf(tmp_path / "undated.pdf", layout=layout))
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text, text[-80:]


def test_title_block_shows_question_verdict_claim_and_byline(built):
    first = page_texts(built["russia-nato"]["pdf"])[0]
    for words in ["Has Russia ever formally applied", "FALSE", "No formal application", "Russia once applied",
                  "Posts on social media", "Marta Lindqvist", "November 20, 2025"]:
        assert words in first, words


def test_letter_and_a5_page_sizes(tmp_path, samples):
    check = rk.load(samples / "energy-bills.md")
    letter = PdfReader(check.to_pdf(tmp_path / "letter.pdf", page_size="Letter"))
    a5 = PdfReader(check.to_pdf(tmp_path / "a5.pdf", page_size="a5"))
    assert [round(float(v)) for v in letter.pages[0].mediabox[2:]] == [612, 792]
    assert [round(float(v)) for v in a5.pages[0].mediabox[2:]] == [420, 595]
    with pytest.raises(rk.LayoutError, match="no page size 'B5'"):
        check.to_pdf(tmp_path / "b5.pdf", page_size="B5")


def test_fonts_are_embedded_and_come_from_the_layout(built):
    pdffonts = require_tool("pdffonts")
    out = subprocess.run([pdffonts, str(built["russia-nato"]["pdf"])], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), out  # the 'emb' column
    names = [row.split()[0].split("+", 1)[-1] for row in rows]
    assert any(n.startswith("IBM-Plex-Serif") for n in names) and any(n.startswith("IBM-Plex-Sans-Condensed") for n in names)
    # Nothing falls back to a system font: every machine sets the same pages.
    assert all(n.startswith("IBM-Plex") for n in names), names


def test_figures_and_the_claim_image_are_in_the_pdf(built):
    pdf = reader(built["russia-nato"]["pdf"])
    text = "".join(page_texts(built["russia-nato"]["pdf"]))
    assert "Figure 1" in text
    # The SVG figure is drawn as vector content; the claim's screenshot too: both leave their text.
    assert "eastwind" in text.lower()
    assert len(pdf.pages) >= 4


@pytest.mark.slow
def test_long_urls_and_words_stay_inside_the_page(long_pdf, built):
    for pdf in (long_pdf[1], built["russia-nato"]["pdf"]):
        width = float(reader(pdf).pages[0].mediabox[2])
        for page, uri, (x0, y0, x1, y1) in external_links(pdf):
            assert 0 <= min(x0, x1) and max(x0, x1) <= width - 28, (page, uri, x1, width)


@pytest.mark.slow
def test_headings_are_never_stranded_at_the_foot_of_a_page(long_pdf, built):
    cases = [(long_pdf[0], long_pdf[1]), (rk.load(built["russia-nato"]["source"]), built["russia-nato"]["pdf"])]
    for check, pdf in cases:
        for section in check.document.sections:
            first_words = " ".join(w for w in section.body.split()[:4] if not w.startswith("[@"))
            heading_pages = pages_containing(pdf, section.heading)
            assert heading_pages, section.heading
            assert heading_pages[0] in pages_containing(pdf, first_words), section.heading
