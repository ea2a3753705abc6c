"""Real reference libraries (Zotero and Better BibTeX exports, biblatex's examples, the CSL test suite's
names and dates, Pandoc's tests) build to PDF, EPUB and HTML, listing only the entries cited.

Every file of ``tests/data/real/references`` (see its PROVENANCE.md) is the sources file of one
fact-check that cites every entry with a title but one; the entries and the values expected are read
from the files themselves. All fact-checks are built by one ``reportkit build`` run per module.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import bibtexparser
import pytest
from pypdf import PdfReader

from conftest import messages, run_cli

REAL = Path(__file__).parent.parent / "data" / "real" / "references"
FILES = sorted(p.name for p in REAL.iterdir() if p.suffix in (".bib", ".json"))
#: A citation key as Pandoc reads it (letters of any script, digits, '_', and ':.-/' inside).
KEY = re.compile(r"^\w(?:[\w:.\-/]*\w)?$")
#: Two periods or commas in a row, or a period and a comma: never right in a bibliography ('...' is).
DOUBLED = re.compile(r"(?<!\.)\.\s?\.(?!\.)|,\s?,|,\.")
#: Markup that must not reach the page: HTML tags, LaTeX macros and braces.
RAW_MARKUP = re.compile(r"</?(?:i|b|sub|sup|span|sc)\b[^>]*>|\\[A-Za-z]+|\{\\|[{}]")


#: Entries the tests of this module look at, cited whatever their place in the file.
LOOKED_AT = {
    "biblatex-examples.bib": ("westfahl:space", "knuth:ct:b", "kastenholz", "nietzsche:ksa1", "set", "aksin",
                              "sigfridsson", "jaffe", "averroes/bland"),
    "bbt-dates-360-811.json": ("t1", "t5", "t6"),
    "csl-test-suite-names.json": ("name_AsianGlyphs-item-1", "name_OnlyGivenname-ITEM-1",
                                  "name_ParticleFormatting-ITEM-1", "name_ArticularWithComma-item-1"),
}


def entries_with_titles(name: str) -> list[str]:
    """The keys of the file's entries that have a title (or are sets), read without reportkit."""
    text = (REAL / name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return [str(i["id"]) for i in json.loads(text) if isinstance(i.get("title"), str) and i["title"].strip()]
    library = bibtexparser.parse_string(text, parse_stack=[])
    return [e.key for e in library.entries
            if e.entry_type.lower() != "xdata" and ("title" in e.fields_dict or e.entry_type.lower() == "set")]


def cited_keys(name: str) -> list[str]:
    """The keys the fact-check of ``name`` cites: the entries the tests below look at, then up to 24 others with
    a title; the first entry with a title stays uncited (unless it is the only one)."""
    keys = [k for k in entries_with_titles(name) if KEY.match(k)]
    others = keys[1:25] if len(keys) > 1 else keys
    return list(dict.fromkeys([*LOOKED_AT.get(name, ()), *others]))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every real file as the sources of one fact-check, built to PDF, EPUB and HTML in one run."""
    work = tmp_path_factory.mktemp("real")
    inputs = work / "in"
    inputs.mkdir()
    for name in FILES:
        shutil.copy(REAL / name, inputs / name)
        body = "\n\n".join(f"Entry {n} says so [@{key}]." for n, key in enumerate(cited_keys(name), start=1))
        (inputs / f"{slug(name)}.md").write_text(
            f"---\ntitle: Does {name} build?\nslug: {slug(name)}\nsources: {name}\n---\n\n## The entries\n\n{body}\n",
            encoding="utf-8",
        )
    documents = [str(inputs / f"{slug(name)}.md") for name in FILES]
    result = run_cli("build", *documents, "-o", str(work / "out"), "-f", "pdf,epub,html", timeout=900)
    assert result.returncode == 0, result.stderr
    built: dict = {name: {kind: work / "out" / f"{slug(name)}.{kind}" for kind in ("pdf", "epub", "html")}
                   for name in FILES}
    built["stderr"] = result.stderr
    return built


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def sources_part(text: str) -> str:
    """The text of the PDF from the bibliography's heading on."""
    return text[text.rindex("Sources"):]


@pytest.mark.parametrize("name", FILES)
def test_each_real_file_builds_to_pdf_epub_and_html(built, name: str) -> None:
    for path in built[name].values():
        assert path.stat().st_size > 0, path


@pytest.mark.parametrize("name", FILES)
def test_only_the_cited_entries_are_listed(built, name: str) -> None:
    page = built[name]["html"].read_text(encoding="utf-8")
    listed = re.findall(r'<li class="source"', page)
    assert len(listed) == len(cited_keys(name))
    assert len(entries_with_titles(name)) == 1 or len(listed) < len(entries_with_titles(name))


@pytest.mark.parametrize("name", FILES)
def test_the_pdf_shows_no_raw_markup_and_no_doubled_punctuation(built, name: str) -> None:
    text = sources_part(pdf_text(built[name]["pdf"]))
    assert not RAW_MARKUP.search(text), RAW_MARKUP.search(text)
    doubled = DOUBLED.search(text)
    assert doubled is None, text[max(0, doubled.start() - 60): doubled.end() + 20]


def test_the_checks_of_this_module_catch_what_they_look_for() -> None:
    assert DOUBLED.search("J. Organomet. Chem.. 2006") and DOUBLED.search("Bennett Jr..") and DOUBLED.search("a,, b")
    assert not DOUBLED.search("Wait... then. A, b.")
    assert RAW_MARKUP.search("a <i>b</i>") and RAW_MARKUP.search(r"\emph{x}") and RAW_MARKUP.search("{\\TeX}")
    assert not RAW_MARKUP.search("a < b and c > d")


@pytest.mark.slow
def test_every_epub_passes_epubcheck(built, epubcheck) -> None:
    reports = epubcheck.run(*(built[name]["epub"] for name in FILES))
    for path, report in reports.items():
        assert messages(report) == [], path


# --- what the files hold reaches the page ---------------------------------------------------------


def source_entries(built, name: str) -> dict[str, str]:
    """The text of each bibliography entry of the HTML, by its number."""
    page = built[name]["html"].read_text(encoding="utf-8")
    items = re.findall(r'<li class="source" id="(src-\d+)">(.*?)</li>', page, re.S)
    return {id_: html.unescape(re.sub(r"<[^>]+>", "", body)) for id_, body in items}


def entry_html(built, name: str, words: str) -> str:
    page = built[name]["html"].read_text(encoding="utf-8")
    items = re.findall(r'<li class="source" id="src-\d+">(.*?)</li>', page, re.S)
    found = [item for item in items if words in html.unescape(re.sub(r"<[^>]+>", "", item))]
    assert found, f"no entry with {words!r}"
    return found[0]


def test_csl_rich_text_is_markup_in_html_and_text_in_the_pdf(built) -> None:
    name = "bbt-pandoc-citation.json"
    titles = {i["id"]: i["title"] for i in json.loads((REAL / name).read_text(encoding="utf-8"))}
    cited = cited_keys(name)
    for key in cited:
        marked = re.findall(r"<(i|b|sub)>([^<]+)</\1>", titles[key])
        for tag, words in marked:
            assert f"<{tag}>{words}</{tag}>" in built[name]["html"].read_text(encoding="utf-8")
    assert any(re.search(r"<(i|b|sub)>", titles[k]) for k in cited)  # the check above checked something
    assert "<b>" not in pdf_text(built[name]["pdf"])


def test_short_dois_of_a_zotero_library_are_dois(built) -> None:
    name = "bbt-zotero-library-shortdoi-1179.json"
    items = {i["id"]: i for i in json.loads((REAL / name).read_text(encoding="utf-8"))}
    short = [k for k in cited_keys(name) if str(items[k].get("DOI", "")).startswith("10/")]
    assert len(short) >= 10
    assert "not a DOI" not in built["stderr"]
    titles = "\n".join(source_entries(built, name).values())
    for key in short:
        assert items[key]["title"][:40] in titles


def test_biblatex_crossref_concatenation_and_macros_reach_the_entries(built) -> None:
    name = "biblatex-examples.bib"
    text = "\n".join(source_entries(built, name).values())
    cited = cited_keys(name)
    if "westfahl:space" in cited:  # its container, publisher and year come from its crossref parent
        assert "Space and Beyond" in entry_html(built, name, "The True Frontier") and "Greenwood, 2000" in text
    if "knuth:ct:b" in cited:
        assert "TeX: The Program" in text
    if "kastenholz" in cited:
        assert "methodology-independent" in text
    if "nietzsche:ksa1" in cited or "nietzsche:historie" in cited:
        assert "Deutscher Taschenbuch-Verlag and Walter de Gruyter" in text and " # " not in text
    assert {"westfahl:space", "knuth:ct:b", "kastenholz"} & set(cited)


def test_bc_dates_seasons_and_ranges_are_words(built) -> None:
    text = "\n".join(source_entries(built, "bbt-dates-360-811.json").values())
    items = {i["id"]: i for i in json.loads((REAL / "bbt-dates-360-811.json").read_text(encoding="utf-8"))}
    cited = cited_keys("bbt-dates-360-811.json")
    for key in cited:
        parts = items[key].get("issued", {}).get("date-parts", [])
        for part in parts:
            if part and int(part[0]) < 0:  # CSL's -44 is 44 BC
                assert f"{-int(part[0])} BC" in text
    assert any(p and int(p[0]) < 0 for k in cited for p in items[k].get("issued", {}).get("date-parts", []))


def test_cjk_names_are_family_name_first_without_a_space(built) -> None:
    name = "csl-test-suite-names.json"
    items = {i["id"]: i for i in json.loads((REAL / name).read_text(encoding="utf-8"))}
    cjk = [a for k in cited_keys(name) for a in items[k].get("author", [])
           if re.search("[\u4e00-\u9fff]", a.get("family", "")) and a.get("given")]
    assert cjk
    text = "\n".join(source_entries(built, name).values())
    for author in cjk:
        assert author["family"] + author["given"] in text
        assert f'{author["given"]} {author["family"]}' not in text
