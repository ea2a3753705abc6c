"""A sources file is a library: only the entries cited are read, validated and listed; what reference
managers write (EDTF dates, names of every shape, rich text, BibLaTeX inheritance and LaTeX) is read."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.document.model import Source
from reportkit.errors import ReportkitWarning
from reportkit.input.references import from_csl, read_references, to_csl

from conftest import run_cli

GOOD = {"id": "good", "title": "A usable entry", "type": "report", "issued": {"date-parts": [[2020]]}}
#: Entries nobody cites that would each be an error if they were cited.
BROKEN = [
    {"id": "no-title", "type": "book"},
    {"id": "banksy-only", "title": "x", "author": [{"given": "Banksy"}], "DOI": "not a doi"},
    {"id": "bad-date", "title": "x", "issued": {"date-parts": [["soon"]]}},
    {"id": "bad key", "title": "x"},
]


def write(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def read_quietly(path: Path, keys: set[str] | None) -> tuple[list[dict], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fields = read_references(path, keys=keys)
    return fields, [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]


def test_uncited_entries_are_never_read_so_they_neither_fail_nor_warn(tmp_path: Path) -> None:
    path = write(tmp_path, "refs.json", [GOOD, *BROKEN])
    fields, warned = read_quietly(path, {"good"})
    assert [f["key"] for f in fields] == ["good"] and warned == []


def test_the_same_entries_cited_fail_naming_entry_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "refs.json", [GOOD, *BROKEN])
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"good", "no-title"})
    assert caught.value.field == "[1] (id 'no-title').title" and caught.value.file == str(path)
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"bad-date"})
    assert caught.value.field == "[3] (id 'bad-date').issued" and "'soon' is not a number" in caught.value.message


def test_reading_the_whole_library_reads_every_entry(tmp_path: Path) -> None:
    with pytest.raises(rk.InputError):
        read_references(write(tmp_path, "refs.json", [GOOD, *BROKEN]))
    assert [f["key"] for f in read_references(write(tmp_path, "ok.json", [GOOD]))] == ["good"]


def test_an_uncited_bibtex_entry_with_a_syntax_error_or_a_duplicate_key_is_ignored(tmp_path: Path) -> None:
    text = "@misc{good, title={Fine}}\n@misc{dup, title={One}}\n@misc{dup, title={Two}}\n@misc{noti, year=2020}\n"
    fields, warned = read_quietly(write(tmp_path, "refs.bib", text), {"good"})
    assert [f["key"] for f in fields] == ["good"] and warned == []
    with pytest.raises(rk.InputError, match="duplicate key 'dup'"):
        read_references(tmp_path / "refs.bib", keys={"dup"})


@pytest.mark.parametrize(
    ("name", "content", "field", "message"),
    [
        ("url.bib", "@misc{a, title={x}, year={2020}, url={ftp://example.org/x}}\n", "url", "not a web address"),
        ("type.json", [{"id": "a", "title": "x", "issued": {"date-parts": [[2020]]}, "type": "webpgae"}], "type",
         "did you mean 'webpage'"),
        ("doi.json", [{"id": "a", "title": "x", "issued": {"date-parts": [[2020]]}, "DOI": "doi-less"}], "doi",
         "is not a DOI"),
        ("month.json", [{"id": "a", "title": "x", "issued": {"date-parts": [[2020, 30]]}, "DOI": "10/fqd6hj"}],
         "published", "not a date"),
    ],
)
def test_a_cited_entry_with_an_odd_field_loses_only_that_field_with_a_warning(
    tmp_path: Path, name: str, content: object, field: str, message: str
) -> None:
    path = write(tmp_path, name, content)
    fields, warned = read_quietly(path, {"a"})
    assert len(warned) == 1 and str(path) in warned[0] and message in warned[0] and "left out" in warned[0]
    assert f".{field}" in warned[0] or f".{ {'published': 'issued'}.get(field, field)}" in warned[0]
    assert field not in fields[0] and fields[0]["title"] == "x"
    assert "published" in fields[0] or field == "published"


def test_short_dois_are_dois(tmp_path: Path) -> None:
    fields, warned = read_quietly(write(tmp_path, "r.json", [{"id": "a", "title": "x", "DOI": "10/fqd6hj"}]), None)
    assert fields[0]["doi"] == "10/fqd6hj" and fields[0]["url"] == "https://doi.org/10/fqd6hj" and warned == []


# --- CSL-JSON dates and names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "published"),
    [
        ({"date-parts": [[-44, 3, 15]]}, "-0043-03-15"),  # CSL's -44 is 44 BC, EDTF's -0043
        ({"date-parts": [["2017", 21]]}, "2017-21"),
        ({"date-parts": [[2017, 13]]}, "2017-21"),  # citeproc-js's seasons 13-16
        ({"date-parts": [[1985]], "season": 1}, "1985-21"),
        ({"date-parts": [[1985]], "season": "Winter"}, "1985-24"),
        ({"date-parts": [[1985]], "circa": True}, "1985~"),
        ({"date-parts": [[2014, 12, 31], [2015, 1, 1]]}, "2014-12-31/2015-01-01"),
        ({"date-parts": [[2014, 12, 31], [0]]}, "2014-12-31/.."),
        ({"raw": "2004-01-01/2005"}, "2004-01-01/2005"),
        ({"raw": "199X"}, "199X"),
        ({"literal": "1999"}, "1999"),
        ("2020-05-04", "2020-05-04"),
    ],
)
def test_csl_dates_become_edtf(issued: object, published: str) -> None:
    fields = from_csl({"id": "a", "title": "x", "issued": issued})
    assert fields["published"] == published
    assert Source(**fields).published == published


@pytest.mark.parametrize("issued", [{"date-parts": [[]]}, {"date-parts": [[""]]}, {}, {"date-parts": []}])
def test_empty_csl_dates_are_no_dates(issued: object) -> None:
    fields = from_csl({"id": "a", "title": "x", "issued": issued})
    assert "published" not in fields and "published_text" not in fields


def test_a_literal_date_that_is_no_date_is_shown_as_written() -> None:
    fields = from_csl({"id": "a", "title": "x", "issued": {"literal": "13th century"}})
    assert fields["published_text"] == "13th century" and "published" not in fields


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ({"given": "Banksy"}, "Banksy"),
        ({"family": "Aristotle"}, "Aristotle"),
        ({"literal": "World Health Organization"}, "World Health Organization"),
        ({"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}, "Vincent van Gogh"),
        ({"family": "Fontaine", "given": "Jean", "dropping-particle": "de La"}, "Jean de La Fontaine"),
        ({"family": "Bennett", "given": "Frank G.", "suffix": "Jr."}, "Frank G. Bennett Jr."),
        ({"family": "林", "given": "秀贞"}, "林秀贞"),
        ({"family": "我妻", "given": "栄"}, "我妻栄"),
        ({"family": "김", "given": "철수"}, "김철수"),
        ({"family": "Aubignac", "given": "François", "non-dropping-particle": "d'"}, "François d'Aubignac"),
    ],
)
def test_csl_names_of_every_shape_are_shown_in_their_order(name: dict, shown: str) -> None:
    fields = from_csl({"id": "a", "title": "x", "author": [name]})
    assert [str(n) for n in fields["authors"]] == [shown]


def test_editors_translators_container_authors_and_directors_are_kept() -> None:
    item = {"id": "a", "title": "x", "editor": [{"family": "Ed", "given": "E."}],
            "translator": [{"family": "Tr", "given": "T."}], "container-author": [{"literal": "C. Author"}],
            "director": [{"family": "Kubrick", "given": "Stanley"}]}
    source = Source(**from_csl(item))
    assert (source.authors, source.editors, source.translators, source.container_authors) == (
        ["Stanley Kubrick"], ["E. Ed"], ["T. Tr"], ["C. Author"])
    back = to_csl(source)
    assert back["editor"] == [{"family": "Ed", "given": "E."}] and back["translator"] == [{"family": "Tr", "given": "T."}]


@pytest.mark.parametrize(("edtf", "csl"), [
    ("-0043-03-15", {"date-parts": [[-44, 3, 15]]}),
    ("2017-21", {"date-parts": [[2017]], "season": 1}),
    ("1985~", {"date-parts": [[1985]], "circa": True}),
    ("2014-12-31/2015-01-01", {"date-parts": [[2014, 12, 31], [2015, 1, 1]]}),
    ("199X", {"raw": "199X"}),
])
def test_edtf_dates_go_back_to_csl(edtf: str, csl: dict) -> None:
    assert to_csl(Source(key="a", title="x", published=edtf))["issued"] == csl


# --- BibLaTeX ---------------------------------------------------------------------------------------

BIBLATEX = r"""
@string{dtv = {Deutscher Taschenbuch-Verlag}}
@xdata{pub, publisher = dtv # { and Walter de Gruyter}, location = {Berlin}}
@mvcollection{parent, title = {The Whole Work}, editor = {Colli, Giorgio and Montinari, Mazzino},
  xdata = {pub}, date = {1988}}
@incollection{child, author = {Nietzsche, Friedrich}, title = {Die Geburt der Tragödie}, subtitle = {Aus dem
  Geiste der Musik}, titleaddon = {Erstausgabe}, crossref = {parent}, translator = {Doe, Jane}}
@book{macros, author = {Knuth, Donald E.}, title = {{\TeX}: The Program and \LaTeX, methodology\hyphen
  independent \emph{emphasis} and {NASA}}, date = {-0876}}
@online{edtf1, title = {Decade}, date = {199u}}
@online{edtf2, title = {Century}, date = {19uu}}
@online{edtf3, title = {Open start}, date = {../2004-01-01}}
@online{edtf4, title = {Unknown start}, date = {unknown/2006}}
@online{year, title = {Forthcoming}, year = {forthcoming}}
@online{ym, title = {Month}, year = 2020, month = mar}
@set{both, entryset = {child,macros}}
"""


@pytest.fixture(scope="module")
def biblatex(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    path = tmp_path_factory.mktemp("bib") / "refs.bib"
    path.write_text(BIBLATEX, encoding="utf-8")
    return {f["key"]: f for f in read_references(path)}


def test_crossref_and_xdata_fill_the_container_publisher_editors_and_year(biblatex) -> None:
    child = Source(**biblatex["child"])
    assert child.container == "The Whole Work"  # the parent's title is the child's container (maintitle)
    assert child.publisher == "Deutscher Taschenbuch-Verlag and Walter de Gruyter"  # @string # text, via xdata
    assert child.published == "1988" and child.editors == ["Giorgio Colli", "Mazzino Montinari"]
    assert child.title == "Die Geburt der Tragödie: Aus dem Geiste der Musik. Erstausgabe"
    assert child.translators == ["Jane Doe"] and child.authors == ["Friedrich Nietzsche"]


def test_latex_macros_keep_their_text_and_emphasis_becomes_rich_text(biblatex) -> None:
    title = biblatex["macros"]["title"]
    assert title.startswith("TeX: The Program and LaTeX, methodology-independent <i>emphasis</i>")
    assert '<span class="nocase">NASA</span>' in title  # braces protect case, as CSL's nocase
    assert biblatex["macros"]["published"] == "-0876"


@pytest.mark.parametrize(("key", "published"), [
    ("edtf1", "199X"), ("edtf2", "19XX"), ("edtf3", "../2004-01-01"), ("edtf4", "/2006"), ("ym", "2020-03"),
])
def test_biblatex_edtf_dates_are_read(biblatex, key: str, published: str) -> None:
    assert biblatex[key]["published"] == published


def test_a_year_that_is_no_date_is_shown_as_written(biblatex) -> None:
    assert biblatex["year"]["published_text"] == "forthcoming" and "published" not in biblatex["year"]


def test_a_set_is_one_source_of_its_members(biblatex) -> None:
    assert biblatex["both"]["title"].startswith("Die Geburt der Tragödie") and "; TeX: The Program" in biblatex["both"]["title"]


def test_an_xdata_entry_is_no_source(biblatex) -> None:
    assert "pub" not in biblatex


# --- a fact-check takes what it cites ----------------------------------------------------------------


def fact_check(tmp_path: Path, front: str, body: str, broken: bool = True) -> Path:
    write(tmp_path, "refs.json", [GOOD, {"id": "other", "title": "Other entry"}, {"id": "third", "title": "Third"},
                                  *(BROKEN[:1] if broken else [])])
    path = tmp_path / "check.md"
    path.write_text(f"---\ntitle: Is it cited?\nsources: refs.json\n{front}---\n\n## One\n\n{body}\n", encoding="utf-8")
    return path


def test_a_fact_check_lists_only_what_it_cites_and_warns_about_nothing(tmp_path: Path) -> None:
    path = fact_check(tmp_path, "", "Cited [@good] and [@third, p. 2].")
    assert [s.key for s in rk.load(path).document.sources] == ["good", "third"]
    result = run_cli("build", str(path), "-o", str(tmp_path / "out"), "-f", "html", "--strict")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "is-it-cited.html").read_text(encoding="utf-8").count('<li class="source"') == 2


def test_nocite_star_lists_every_entry_as_pandoc_does(tmp_path: Path) -> None:
    path = fact_check(tmp_path, "nocite: '@*'\n", "Cited [@good].")
    with pytest.raises(rk.InputError, match="no-title"):  # every entry is read, so the broken one counts
        rk.load(path)
    path = fact_check(tmp_path, "nocite: '@*'\n", "Cited [@good].", broken=False)
    assert [s.key for s in rk.load(path).document.sources] == ["good", "other", "third"]


def test_nocite_keys_list_those_entries_without_a_warning(tmp_path: Path) -> None:
    path = fact_check(tmp_path, "nocite: '@other'\n", "Cited [@good].")
    assert [s.key for s in rk.load(path).document.sources] == ["good", "other"]
    result = run_cli("build", str(path), "-o", str(tmp_path / "out"), "-f", "html", "--strict")
    assert result.returncode == 0, result.stderr


def test_an_uncited_source_written_in_the_fact_check_still_warns(tmp_path: Path) -> None:
    path = tmp_path / "inline.md"
    path.write_text("---\ntitle: Inline?\nsources:\n  - {key: a, title: A}\n  - {key: b, title: B}\n---\n\n"
                    "## One\n\nCited [@a].\n", encoding="utf-8")
    result = run_cli("build", str(path), "-o", str(tmp_path / "out"), "-f", "html", "--strict")
    assert result.returncode != 0 and "'b' is never cited" in result.stderr


# --- hostile libraries -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "author"])
def test_braces_nested_too_deep_are_an_input_error_not_a_crash(tmp_path: Path, field: str) -> None:
    deep = "{" * 3000 + "x" + "}" * 3000
    other = "note" if field == "title" else "title"
    path = write(tmp_path, "deep.bib", f"@misc{{a, {other}={{t}}, {field}={{{deep}}}}}\n")
    with pytest.raises(rk.InputError, match="nests braces") as caught:
        read_references(path, keys={"a"})
    assert caught.value.field == f"@misc{{a}}.{field}"
    shallow = write(tmp_path, "ok.bib", "@misc{a, title={{{{Deep}}}} enough}}\n")
    assert read_references(shallow, keys={"a"})[0]["title"].endswith("enough")


def test_json_nested_too_deep_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.json", "[" * 200_000 + "]" * 200_000)
    with pytest.raises(rk.InputError, match="too deeply"):
        read_references(path, keys={"a"})
