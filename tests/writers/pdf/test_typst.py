"""The Typst PDF engine: the PDF checks of the WeasyPrint engine run on both, then what is Typst's own.

Shared checks (parametrised by engine): text on the right page, every source in the notes and
the bibliography, every footnote on its call's page, links to named destinations, outline,
metadata, fonts. Typst's own: hostile text stays text, archival output passes veraPDF, verify
and extract work, rebuilds are byte-identical, engine selection, layouts' typst/ folders, and
the upstream behaviours the engine works around.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

import reportkit as rk
from reportkit.render.renderer import short_reference
from reportkit.tools.verify import read_archive

pytest.importorskip("typst")

from conftest import SAMPLES, require_tool, run_cli  # noqa: E402
from pdfutil import external_links, first_call_pages, internal_links, page_texts, pages_containing, squash  # noqa: E402
from validators import VeraPDF  # noqa: E402

ENGINES = ("weasyprint", "typst")
SOURCES = sorted(p for p in SAMPLES.glob("*.md") if p.name != "README.md")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Every sample built with each engine: {engine: {slug: path}}."""
    out = tmp_path_factory.mktemp("engines")
    built: dict[str, dict[str, Path]] = {}
    for engine in ENGINES:
        (out / engine).mkdir()
        for source in SOURCES:
            check = rk.load(source)
            built.setdefault(engine, {})[check.id] = check.to_pdf(out / engine / f"{check.id}.pdf", engine=engine)
    return built


# --- the PDF checks, on both engines -----------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_every_footnote_sits_on_the_page_of_its_call(pdfs, engine):
    for source in SOURCES:
        check = rk.load(source)
        pdf = pdfs[engine][check.id]
        resolved = check.resolve()
        calls = first_call_pages(pdf)
        bibliography = min(pages_containing(pdf, "Sources" + "1"), default=len(page_texts(pdf)))
        by_key = {s.key: s for s in resolved.doc.sources}
        for key, refs in resolved.citations.refs.items():
            note = str(refs[0].number) + short_reference(by_key[key], refs[0].locator)
            pages = [p for p in pages_containing(pdf, note) if p < bibliography]
            assert pages, f"{engine}: footnote {refs[0].number} not found"
            assert calls[refs[0].number] == pages[0], f"{engine}: footnote {refs[0].number} is off its call's page"
        assert len(resolved.citations.refs) == len(check.document.sources)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_source_is_in_the_bibliography_with_its_addresses_as_links(pdfs, engine):
    for source in SOURCES:
        check = rk.load(source)
        pdf = pdfs[engine][check.id]
        uris = {uri for _, uri, _ in external_links(pdf)}
        sources_page = pages_containing(pdf, "Sources")[-1]
        for entry in check.document.sources:
            assert sources_page in pages_containing(pdf, entry.title) or pages_containing(pdf, entry.title)[-1] >= sources_page
            assert entry.url in uris
            if entry.archived:
                assert entry.archived in uris


@pytest.mark.parametrize("engine", ENGINES)
def test_back_references_give_the_page_of_each_first_citation(pdfs, engine):
    pdf = pdfs[engine]["russia-nato"]
    resolved = rk.load(SAMPLES / "russia-nato.md").resolve()
    calls = first_call_pages(pdf)
    text = squash("".join(page_texts(pdf)[-2:]))
    checked = 0
    for source in resolved.citations.cited:
        ref = resolved.citations.refs[source.key][0]
        if ref.part == "summary" or ref.part.startswith("sections["):
            label = "Summary" if ref.part == "summary" else "§ " + str(int(ref.part[9 : ref.part.index("]")]) + 1)
            assert squash(f"{label} (p. {calls[ref.number] + 1})") in text, (engine, source.key)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("engine", ENGINES)
def test_links_lead_to_named_destinations_of_calls_and_sources(pdfs, engine):
    pdf = pdfs[engine]["russia-nato"]
    names = set(PdfReader(pdf).named_destinations)
    links = [dest for _, dest in internal_links(pdf)]
    resolved = rk.load(SAMPLES / "russia-nato.md").resolve()
    calls = [ref.id for refs in resolved.citations.refs.values() for ref in refs]
    assert {f"src-{n}" for n in range(1, len(resolved.doc.sources) + 1)} <= set(links) <= names
    assert set(calls) <= names  # every back-reference's target
    assert any(dest.startswith("cite-") for dest in links)


@pytest.mark.parametrize("engine", ENGINES)
def test_outline_metadata_and_language(pdfs, engine):
    reader = PdfReader(pdfs[engine]["russia-nato"])
    doc = rk.load(SAMPLES / "russia-nato.md").document
    meta = reader.metadata
    assert meta.title == doc.title
    assert meta.author == ", ".join(doc.authors)
    assert meta.subject == doc.claim.text
    assert meta["/Keywords"] == ", ".join(doc.tags)
    assert meta["/CreationDate"].startswith("D:" + doc.published.replace("-", ""))
    assert meta["/ModDate"].startswith("D:" + doc.updated.replace("-", ""))
    assert meta["/Creator"].startswith("reportkit ")
    assert ("Typst" in meta["/Producer"]) == (engine == "typst")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    outline = [item.title for item in reader.outline]
    assert outline == ["Summary", *[f"{i}. {s.heading}" for i, s in enumerate(doc.sections, 1)], "Corrections", "Sources"]


@pytest.mark.parametrize("engine", ENGINES)
def test_running_heads_page_n_of_m_and_the_title_block(pdfs, engine):
    texts = page_texts(pdfs[engine]["russia-nato"])
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
    assert "HAS RUSSIA EVER FORMALLY" in texts[1].upper() and "Northlight Fact Desk" in texts[1]
    assert "HAS RUSSIA EVER FORMALLY" not in texts[0].upper().split("\n", 3)[0]  # no running head on page 1
    for words in ["Has Russia ever formally applied", "FALSE", "No formal application", "Russia once applied",
                  "Posts on social media", "Marta Lindqvist", "November 20, 2025", "Figure 1"]:
        assert squash(words) in squash("".join(texts)), (engine, words)
    assert "eastwind" in texts[0].lower()  # the claim's screenshot, drawn as vector content
    assert "3,4,5" in "".join(texts).replace(" ", "")  # adjacent calls are separated


@pytest.mark.parametrize("engine", ENGINES)
def test_fonts_are_embedded_and_are_the_layouts_ibm_plex(pdfs, engine):
    pdffonts = require_tool("pdffonts")
    out = subprocess.run([pdffonts, str(pdfs[engine]["russia-nato"])], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), out
    names = [row.split()[0].split("+", 1)[-1].replace("-", "") for row in rows]
    assert any(n.startswith("IBMPlexSerif") for n in names) and any(n.startswith("IBMPlexSansCond") for n in names)
    assert all(n.startswith("IBMPlex") for n in names), names


# --- Typst's own ---------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_poppler_reads_every_pdf_without_a_complaint(pdfs, engine):
    # A script that treats a tool's standard error as failure must not reject a good file.
    for tool in ("pdfinfo", "pdftotext"):
        command = require_tool(tool)
        for path in pdfs[engine].values():
            done = subprocess.run([command, str(path), "-"] if tool == "pdftotext" else [command, str(path)],
                                  capture_output=True, text=True, check=True)
            assert done.stderr == "", (tool, path.name, done.stderr)


def test_typst_pdfs_mark_their_tags_without_a_suspects_entry(pdfs):
    for path in pdfs["typst"].values():
        with pikepdf.open(path) as pdf:
            assert pdf.Root.MarkInfo.Marked is True and "/Suspects" not in pdf.Root.MarkInfo, path.name


#: Debian's fonts-noto-color-emoji (.ci/run installs it): colour emoji, which Typst draws as Type 3 fonts.
NOTO_EMOJI = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
EMOJI_LINE = "Emoji \U0001F600 and \U0001F1FA\U0001F1E6 flags \u2705, then \U0001F600\U0001F600 twice."


def emoji_pdf() -> bytes:
    """A Typst PDF whose summary has colour emoji among words (skipped, or failed under CI, without the font)."""
    from conftest import missing

    if not NOTO_EMOJI.is_file():
        missing("Noto Color Emoji", "apt-get install fonts-noto-color-emoji")
    check = (
        rk.FactCheck("Do emoji keep their words?", published="2025-01-02")
        .summary(EMOJI_LINE + " [@a]")
        .section("Only section", "Text [@a].")
        .source("a", title="Source A", url="https://example.org/a")
    )
    return check.render("pdf", engine="typst", font_dirs=[str(NOTO_EMOJI.parent)])


def poppler_text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext's text of ``pdf``."""
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run([require_tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_poppler_reads_the_words_around_colour_emoji_in_a_typst_pdf(tmp_path):
    text = poppler_text(emoji_pdf(), tmp_path)
    assert EMOJI_LINE in text, text


def _without_poppler_fixes(pdf: bytes, *, suspects: bool = False, m: bool = False) -> bytes:
    """``pdf`` with one of reportkit's poppler changes undone: ``/Suspects false`` back, or the Type 3 fonts' ``m`` gone."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if suspects:
            document.Root.MarkInfo.Suspects = False
        if m:
            for font in document.pages[0].Resources.Font.values():
                if font.get("/Subtype") == "/Type3":
                    del font.Encoding.Differences[-2:]
                    del font.Widths[-1]
                    del font.CharProcs["/m"]
                    font.LastChar = int(font.LastChar) - 1
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def test_upstream_poppler_still_misreads_the_line_of_an_emoji_of_a_type3_font_without_an_m(tmp_path):
    """poppler.size_type3_fonts: when poppler reads them without it, the added glyph can go."""
    text = poppler_text(_without_poppler_fixes(emoji_pdf(), m=True), tmp_path)
    assert EMOJI_LINE not in text, text  # words lost, or the line cut and put out of order


def test_upstream_poppler_still_calls_suspects_false_a_syntax_error(pdfs, tmp_path):
    """poppler.drop_false_suspects: when poppler takes false, the removal can go."""
    path = tmp_path / "suspects.pdf"
    path.write_bytes(_without_poppler_fixes(next(iter(pdfs["typst"].values())).read_bytes(), suspects=True))
    done = subprocess.run([require_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True)
    assert "Suspects object is wrong type" in done.stderr


def test_the_typst_data_has_exactly_the_documented_keys_and_is_the_renderers_context():
    from reportkit.render.layouts import find_layout
    from reportkit.render.renderer import Medium, Renderer
    from reportkit.writers.pdf.typst.context import DATA, context_data

    resolved = rk.load(SAMPLES / "russia-nato.md").resolve()
    renderer = Renderer(resolved, find_layout("report"), Medium("print", lambda a: "", lambda n: n))
    data = context_data(renderer, {ref: f"/assets/{ref}" for ref in resolved.assets})
    assert set(data) == set(DATA)
    json.dumps(data)  # plain data only
    assert [s["number"] for s in data["sources"]] == [v.number for v in renderer.context["sources"]]
    assert [s["heading"] for s in data["sections"]] == [s.heading for s in resolved.doc.sections]
    assert data["claim"]["image"] == "/assets/claim.svg"
    figures = [n for s in data["sections"] for n in s["blocks"] if n["t"] == "figure"]
    assert [(f["number"], f["path"]) for f in figures] == [(1, "/assets/enlargement-timeline.svg")]
    tables = [n for s in data["sections"] for n in s["blocks"] if n["t"] == "table"]
    assert tables and tables[0]["head"][0][0] == [{"t": "text", "v": "Year"}]


def test_every_footnote_of_a_long_dossier_sits_on_its_calls_page_with_typst(tmp_path):
    from test_pdf import assert_footnotes_on_call_pages, long_check

    check = long_check(tmp_path)
    pdf = check.to_pdf(tmp_path / "long.pdf", engine="typst")
    assert len(PdfReader(pdf).pages) >= 8
    assert assert_footnotes_on_call_pages(check, pdf) == 40

#: Typst's markup and code characters; in Markdown fields without '*' and '\', which Markdown itself reads.
HOSTILE = '#x[y]$z$@k<l>//c/*d*/\\e#set-page'
HOSTILE_MD = '#x[y]$z$@k<l>//c#set-page'
#: A citation's locator ends at the first ']'.
LOCATOR = '#x$z$@k<l>//c'


def hostile_check(folder: Path) -> rk.FactCheck:
    """A fact-check with Typst syntax in every field."""
    h, m = HOSTILE, HOSTILE_MD
    return (
        rk.FactCheck(f"Q {h}", subtitle=f"S {h}", authors=[f"A {h}"], editors=[f"E {h}"], tags=[f"T {h}"],
                     publisher={"name": f"P {h}"}, published="2025-01-02", base_dir=folder)
        .claim(f"C {h}", claimant=f"W {h}")
        .verdict("false", label=f"L {h}", explanation=f"X {m} [@s1]")
        .source("s1", title=f"N {h}", publisher=f"U {h}", note=f"O {h}", url="https://example.org/a#b")
        .summary(f"M {m} [@s1] `{h}` [@s1, p. {LOCATOR}]")
        .section(f"H {h}", f"B {m} [@s1]\n\n| K {m} | V |\n|---|---|\n| R {m} | 2 |\n\n- I {m}\n\n> Q {m}")
        .correction("2025-01-03", f"F {h}")
    )


def test_typst_syntax_in_every_field_comes_out_as_literal_text(tmp_path):
    pdf = hostile_check(tmp_path).to_pdf(tmp_path / "hostile.pdf", engine="typst")
    text = "".join(page_texts(pdf)).replace("\n", "")
    for prefix in "QSAEPCWLNUOHF":  # the plain fields
        assert f"{prefix} {HOSTILE}" in text, prefix
    for prefix in "XMBKRIQ":  # the Markdown fields
        assert f"{prefix} {HOSTILE_MD}" in text, prefix
    assert f"1, p. {LOCATOR}" in text and HOSTILE in text  # a locator at a later call, inline code
    assert len(PdfReader(pdf).pages) <= 2  # no "#set page" took effect


def test_typst_syntax_stays_text_in_the_brief_too(tmp_path):
    pdf = hostile_check(tmp_path).to_pdf(tmp_path / "brief.pdf", engine="typst", layout="brief")
    text = "".join(page_texts(pdf)).replace("\n", "")
    for prefix in "QCL":  # question, claim, verdict label
        assert f"{prefix} {HOSTILE}" in text, prefix
    for prefix in "MB":  # summary, a finding
        assert f"{prefix} {HOSTILE_MD}" in text, prefix


def test_hostile_text_is_not_literal_when_parsed_as_markup(tmp_path):
    # The negative: the same text given to Typst as markup is not what comes out.
    typst = pytest.importorskip("typst")
    main = tmp_path / "m.typ"
    main.write_text(f"Q {HOSTILE_MD.replace('#set-page', '')}", encoding="utf-8")
    try:
        pdf = typst.compile(str(main), ignore_system_fonts=True)
    except typst.TypstError:
        return  # refused as markup: not literal either
    assert f"Q {HOSTILE_MD}" not in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def typst_archives(tmp_path_factory) -> dict[str, Path]:
    from archivalutil import edge_check

    out = tmp_path_factory.mktemp("typst-archival")
    result = {p.stem: rk.load(p).to_pdf(out / f"{p.stem}.pdf", archival=True, engine="typst") for p in SOURCES}
    result["brief"] = rk.load(SOURCES[0]).to_pdf(out / "brief.pdf", archival=True, engine="typst", layout="brief")
    result["edge"] = edge_check(tmp_path_factory.mktemp("edge")).to_pdf(out / "edge.pdf", archival=True, engine="typst")
    return result


def test_typst_archival_pdfs_pass_verapdf_for_pdfa_3a_and_pdfua_1(typst_archives):
    results = VeraPDF().validate(typst_archives.values())
    for name, path in typst_archives.items():
        profiles = {r.profile: r for r in results[path]}
        assert any("PDF/A-3A" in p for p in profiles) and any("PDF/UA-1" in p for p in profiles), (name, list(profiles))
        for profile, result in profiles.items():
            assert result.compliant, f"{name} {profile}: {result.failures}"


def test_verify_passes_typst_archives_and_their_xmp_names_the_engine(typst_archives):
    for name, path in typst_archives.items():
        result = rk.verify(path)
        assert result.ok, (name, [c for c in result.failures])
        assert result.pdfa and result.pdfua
    meta = read_archive(typst_archives["russia-nato"]).metadata
    assert meta["rk:pdfEngine"] == "typst" and meta["rk:typstVersion"]
    assert "rk:weasyprintVersion" not in meta


def test_typst_archives_record_the_font_files_they_embed_with_their_sha256(typst_archives):
    from reportkit.render.fonts import font_files
    from reportkit.render.layouts import find_layout

    for name, path in typst_archives.items():
        recorded = read_archive(path).metadata["rk:fonts"].splitlines()
        with pikepdf.open(path) as pdf:
            embedded = {
                str(font.get("/BaseFont"))[1:].split("+", 1)[-1]
                for page in pdf.pages for font in (page.Resources.get("/Font") or {}).values()
            }
        # One line a file, as the WeasyPrint engine records them: the installed fontpkg file of that name and SHA-256.
        installed = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                     for path in font_files(find_layout("report").all_fonts)}
        assert recorded == sorted(recorded) and len(recorded) == len(embedded), (name, recorded, embedded)
        for line in recorded:
            file, digest = line.split(" ")
            assert installed.get(file) == digest, (name, line)


def test_verify_fails_a_typst_archive_whose_source_changed(typst_archives, tmp_path):
    data = typst_archives["energy-bills"].read_bytes()
    # The source JSON is stored compressed: change the hash the XMP records instead.
    changed = tmp_path / "changed.pdf"
    meta_hash = re.search(rb"<rk:sourceSHA256>([0-9a-f]{64})</rk:sourceSHA256>", data)
    assert meta_hash
    changed.write_bytes(data.replace(meta_hash.group(1), b"0" * 64))
    result = rk.verify(changed)
    assert not result.ok and any(c.name == "source-hash" for c in result.failures)


def test_extract_gives_back_a_source_that_rebuilds_the_typst_archive_byte_for_byte(typst_archives, tmp_path):
    original = typst_archives["russia-nato"]
    out = tmp_path / "back" / "russia-nato.md"
    out.parent.mkdir()
    proc = run_cli("extract", str(original), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "--engine typst" in proc.stdout
    check = rk.load(out)
    assert check == rk.load(SAMPLES / "russia-nato.md")
    rebuilt = check.to_pdf(tmp_path / "rebuilt.pdf", archival=True, engine="typst")
    assert hashlib.sha256(rebuilt.read_bytes()).digest() == hashlib.sha256(original.read_bytes()).digest()


def test_typst_pdfs_keep_pages_tags_and_links_in_compressed_object_streams(pdfs):
    # Typst writes each object on its own: the finished PDF stores the page dictionaries, the structure elements
    # (tags) and the link annotations in compressed object streams, so none of them is legible in the raw file.
    for path in pdfs["typst"].values():
        raw = path.read_bytes()
        with pikepdf.open(path) as pdf:
            streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Type") == "/ObjStm"]
            assert streams and len(pdf.pages) > 1 and pdf.Root.StructTreeRoot is not None
        assert b"/ObjStm" in raw
        for key in (b"/Type /Page", b"/Type/Page", b"/StructElem", b"/Subtype /Link", b"/Subtype/Link"):
            assert key not in raw, (path.name, key)


def test_plain_typst_rebuilds_are_byte_identical_and_differ_when_the_text_does(tmp_path):
    check = rk.load(SAMPLES / "energy-bills.md")
    first = check.render("pdf", engine="typst")
    assert check.render("pdf", engine="typst") == first
    changed = rk.FactCheck.from_dict({**check.to_dict(), "subtitle": "Another subtitle"}, base_dir=SAMPLES)
    assert changed.render("pdf", engine="typst") != first


@pytest.mark.parametrize(("size", "box"), [("A4", [595, 842]), ("Letter", [612, 792]), ("A5", [420, 595])])
def test_typst_page_sizes(size, box):
    for layout in ("report", "brief"):
        pdf = rk.load(SAMPLES / "energy-bills.md").render("pdf", engine="typst", page_size=size, layout=layout)
        reader = PdfReader(io.BytesIO(pdf))
        assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == box


def test_the_brief_of_each_sample_fits_one_page_by_copyfitting():
    for source in SOURCES:
        pdf = rk.load(source).render("pdf", engine="typst", layout="brief")
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, source.name


def test_the_brief_runs_on_when_copyfitting_is_off():
    pdf = rk.load(SAMPLES / "russia-nato.md").render("pdf", engine="typst", layout="brief", fit_steps=0)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2


def test_arabic_reports_are_set_right_to_left_in_ibm_plex_sans_arabic():
    data = rk.load(SAMPLES / "russia-nato.md").to_dict()
    pdf = rk.FactCheck.from_dict({**data, "language": "ar"}, base_dir=SAMPLES).render("pdf", engine="typst")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    for label in ["الادعاء", "المصادر", "تصحيحات"]:
        assert label in text
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    fonts = {f.get_object()["/BaseFont"] for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("IBMPlexSansArabic" in str(f) for f in fonts)
    # The source numbers hang at the right of the text: the bibliography's "1" lies right of its title.
    last = reader.pages[-1]
    spots: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + cm[4]
        if text.strip() == "1":
            spots.setdefault("number", x)
        elif "Geoffrey Roberts" in text:
            spots.setdefault("entry", x)

    last.extract_text(visitor_text=visit)
    assert spots["number"] > spots["entry"]


def test_print_marks_and_pdf_x_are_refused_by_typst_with_the_way_out(tmp_path):
    check = rk.load(SAMPLES / "energy-bills.md")
    for option in ("print_marks", "pdf_x"):
        with pytest.raises(rk.ReportkitError, match="--engine weasyprint"):
            check.render("pdf", engine="typst", **{option: True})


def test_an_unknown_engine_is_refused_in_the_api_the_cli_and_a_layout(tmp_path):
    with pytest.raises(rk.InputError, match="option engine"):
        rk.load(SAMPLES / "energy-bills.md").render("pdf", engine="latex")
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "layout.toml").write_text('name = "odd"\nextends = "report"\n[options]\nengine = "latex"\n', "utf-8")
    with pytest.raises(rk.ReportkitError, match="unknown PDF engine 'latex'"):
        rk.load(SAMPLES / "energy-bills.md").render("pdf", layout=str(folder))
    proc = run_cli("build", str(SAMPLES / "energy-bills.md"), "-f", "pdf", "--engine", "latex", "-o", str(tmp_path))
    assert proc.returncode == 2 and "latex" in proc.stderr


def test_the_cli_and_a_layout_default_choose_the_engine(tmp_path):
    proc = run_cli("build", str(SAMPLES / "energy-bills.md"), "-f", "pdf", "--engine", "typst", "-o", str(tmp_path / "a"))
    assert proc.returncode == 0, proc.stderr
    assert "Typst" in PdfReader(tmp_path / "a" / "energy-bills.pdf").metadata["/Producer"]
    folder = tmp_path / "fast"
    folder.mkdir()
    (folder / "layout.toml").write_text('name = "fast"\nextends = "report"\n[options]\nengine = "typst"\n', "utf-8")
    pdf = rk.load(SAMPLES / "energy-bills.md").render("pdf", layout=str(folder))
    assert "Typst" in PdfReader(io.BytesIO(pdf)).metadata["/Producer"]
    pdf = rk.load(SAMPLES / "energy-bills.md").render("pdf", layout=str(folder), engine="weasyprint")
    assert "WeasyPrint" in PdfReader(io.BytesIO(pdf)).metadata["/Producer"]


def test_a_user_layout_extends_the_reports_typst_templates(tmp_path):
    folder = tmp_path / "house"
    (folder / "typst").mkdir(parents=True)
    (folder / "layout.toml").write_text('name = "house"\nextends = "report"\n', "utf-8")
    (folder / "typst" / "document.typ").write_text(
        '#import "/report/typst/report.typ": *\n'
        '#report(title-block: () => heading(level: 1, [House style: #data.title]))\n', "utf-8")
    pdf = rk.load(SAMPLES / "energy-bills.md").render("pdf", layout=str(folder), engine="typst")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "House style: Have household energy bills doubled" in text
    assert "Sources" in text and "Page 1 of" in text  # the rest is the report's


def test_a_user_layout_that_breaks_pdf_ua_is_warned_and_claims_no_conformance(tmp_path):
    folder = tmp_path / "house"
    (folder / "typst").mkdir(parents=True)
    (folder / "layout.toml").write_text('name = "house"\nextends = "report"\n', "utf-8")
    (folder / "typst" / "document.typ").write_text(
        '#import "/report/typst/report.typ": *\n'
        '#report(title-block: () => { [House style: ]; text(data.title) })\n', "utf-8")  # no level-1 heading
    with pytest.warns(rk.ReportkitWarning, match="breaks PDF/UA-1 .the first heading must be of level 1"):
        pdf = rk.load(SAMPLES / "energy-bills.md").render("pdf", layout=str(folder), engine="typst")
    assert b"pdfuaid" not in pdf
    assert "House style" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_a_layout_without_typst_templates_and_a_broken_template_are_layout_errors(tmp_path):
    bare = tmp_path / "bare"
    (bare / "print").mkdir(parents=True)
    (bare / "layout.toml").write_text('name = "bare"\n', "utf-8")
    with pytest.raises(rk.LayoutError, match="no typst/document.typ"):
        rk.load(SAMPLES / "energy-bills.md").render("pdf", layout=str(bare), engine="typst")
    broken = tmp_path / "broken"
    (broken / "typst").mkdir(parents=True)
    (broken / "layout.toml").write_text('name = "broken"\nextends = "report"\n', "utf-8")
    (broken / "typst" / "document.typ").write_text('#import "/report/typst/report.typ": *\n\n#report(nope: 1)\n', "utf-8")
    with pytest.raises(rk.LayoutError) as info:
        rk.load(SAMPLES / "energy-bills.md").render("pdf", layout=str(broken), engine="typst")
    assert info.value.line == 3 and str(info.value.file).endswith("broken/typst/document.typ")


def test_a_two_worker_batch_builds_with_typst(tmp_path):
    report = rk.build_many(SOURCES, tmp_path, formats=("pdf",), jobs=2, engine="typst", cache=False)
    assert report.ok
    for source in SOURCES:
        assert "Typst" in PdfReader(tmp_path / f"{rk.load(source).id}.pdf").metadata["/Producer"]


def test_without_the_typst_package_the_error_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "typst", None)
    with pytest.raises(rk.ReportkitError) as info:
        rk.load(SAMPLES / "energy-bills.md").render("pdf", engine="typst")
    assert "reportkit[typst]" in str(info.value.hint)


# --- upstream behaviours the engine works around ---------------------------------------------------


def test_upstream_typst_still_names_only_headings_as_pdf_destinations(tmp_path):
    """typst/typst#1352: when Typst names labelled elements itself, finish.py's naming can go."""
    typst = pytest.importorskip("typst")
    main = tmp_path / "m.typ"
    main.write_text('#link(<target>)[to it]\n#pagebreak()\n#box[here] <target>\n= Head <head>\n#link(<head>)[h]', "utf-8")
    reader = PdfReader(io.BytesIO(typst.compile(str(main), ignore_system_fonts=True)))
    assert set(reader.named_destinations) == {"head"}


def test_upstream_typst_still_writes_suspects_false(tmp_path):
    """poppler.drop_false_suspects: poppler 22.12 calls Typst's /Suspects false a syntax error; when Typst
    stops writing it, the removal can go."""
    typst = pytest.importorskip("typst")
    main = tmp_path / "m.typ"
    main.write_text('#set document(title: "t")\n#set text(lang: "en")\nText.', "utf-8")
    pdf = typst.compile(str(main), ignore_system_fonts=True, pdf_standards=["ua-1"])
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert document.Root.MarkInfo.get("/Suspects") is False


def test_upstream_typst_sets_condensed_text_with_the_variable_ibm_plex_sans_when_both_are_there(tmp_path):
    """_families(): IBM Plex Sans joins only when needed, because Typst prefers it to the condensed faces."""
    from reportkit.render.layouts import find_layout
    from reportkit.writers.pdf.typst import _families, _font_folders
    from reportkit.writers.pdf.typst.job import font_book

    typst = pytest.importorskip("typst")
    layout = find_layout("report")
    main = tmp_path / "m.typ"
    main.write_text('#text(font: "IBM Plex Sans", stretch: 75%, weight: 600)[Condensed]', "utf-8")

    def names(families) -> set[str]:
        pdf = typst.compile(str(main), font_paths=font_book(_font_folders(families)), ignore_system_fonts=True)
        fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
        return {str(f.get_object()["/BaseFont"]).split("+")[-1] for f in fonts}

    assert names(("IBM Plex Sans Condensed",)) == {"IBMPlexSansCond-SemiBold"}
    assert names(("IBM Plex Sans Condensed", "IBM Plex Sans")) == {"IBMPlexSans-Regular"}
    assert "IBM Plex Sans" not in _families(layout, "Latin only")
    assert "IBM Plex Sans" in _families(layout, "Кириллица")


def test_upstream_typst_links_aim_ten_points_above_their_target(tmp_path):
    """finish.LINK_HEADROOM: the distance between a label's position and the link's destination."""
    from reportkit.writers.pdf.typst.finish import LINK_HEADROOM

    typst = pytest.importorskip("typst")
    main = tmp_path / "m.typ"
    main.write_text('#link(<target>)[to it]\n#v(5cm)\n#box[here] <target>\n'
                    '#context [#metadata(locate(<target>).position()) <where>]', "utf-8")
    compiler = typst.Compiler(str(main), ignore_system_fonts=True)
    reader = PdfReader(io.BytesIO(compiler.compile(format="pdf")))
    where = json.loads(compiler.query("<where>", field="value", one=True))
    annotation = reader.pages[0]["/Annots"][0].get_object()
    height = float(reader.pages[0].mediabox[3])
    assert float(annotation["/Dest"][3]) == pytest.approx(height - float(where["y"][:-2]) + LINK_HEADROOM, abs=0.01)


# --- live preview ----------------------------------------------------------------------------------


def test_preview_watch_with_typst_rebuilds_an_edited_check_in_the_same_compiler(tmp_path):
    import threading
    import time

    from reportkit.tools.preview import watch
    from reportkit.writers.pdf import typst as engine

    source = tmp_path / "check.json"
    data = rk.load(SAMPLES / "energy-bills.md").to_dict()
    source.write_text(json.dumps(data), "utf-8")
    builds: list[tuple[Path, object, object, float]] = []
    stop = threading.Event()

    def on_build(pdf, images, error):
        builds.append((pdf, images, error, time.perf_counter()))
        if len(builds) >= 2:
            stop.set()

    worker = threading.Thread(target=watch, args=(source, tmp_path / "out"),
                              kwargs={"on_build": on_build, "stop_event": stop, "dpi": 20, "engine": "typst"})
    worker.start()
    deadline = time.monotonic() + 60
    while not builds and time.monotonic() < deadline:
        time.sleep(0.1)
    sessions = dict(engine._SESSIONS)
    time.sleep(0.5)
    source.write_text(json.dumps({**data, "title": "Have energy bills tripled since 2021?"}), "utf-8")
    worker.join(timeout=60)
    stop.set()
    assert len(builds) >= 2 and all(error is None for _, _, error, _ in builds), builds
    last = builds[-1][0]
    assert "Have energy bills tripled since 2021?" in page_texts(last)[0]
    assert "Typst" in PdfReader(last).metadata["/Producer"]
    assert sessions and all(engine._SESSIONS.get(key) is session for key, session in sessions.items())


def test_footnote_drift_names_the_notes_off_their_calls_page_and_only_those():
    from reportkit.writers.pdf.typst import footnote_drift

    anchors = [["cite-1-1", {"page": 1}], ["cite-2-1", {"page": 1}], ["cite-2-2", {"page": 3}], ["src-2", {"page": 4}]]
    assert footnote_drift({"anchors": anchors, "notes": [[1, 1], [2, 2]]}) == [2]
    assert footnote_drift({"anchors": anchors, "notes": [[1, 1], [2, 1]]}) == []


def test_the_preview_command_takes_the_pdf_engine_and_still_reads_a_rasteriser_from_engine(tmp_path):
    proc = run_cli("preview", str(SAMPLES / "energy-bills.md"), "-o", str(tmp_path / "t"), "--engine", "typst",
                   "--dpi", "20")
    assert proc.returncode == 0, proc.stderr
    assert "Typst" in PdfReader(tmp_path / "t" / "energy-bills.pdf").metadata["/Producer"]
    assert (tmp_path / "t" / "energy-bills-1.png").is_file()
    proc = run_cli("preview", str(SAMPLES / "energy-bills.md"), "-o", str(tmp_path / "w"), "--engine", "pdftoppm",
                   "--dpi", "20")
    assert proc.returncode == 0, proc.stderr
    assert "WeasyPrint" in PdfReader(tmp_path / "w" / "energy-bills.pdf").metadata["/Producer"]
