"""Each field of a CSL-JSON or BibLaTeX entry lands in its source field, and each odd value is named.

Every expected value is written out from the entry in the test (or the real file it reads, see
tests/data/real/PROVENANCE.md): the tests pin the mappings one by one, and the warnings and errors word
for word where a user reads them.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

import reportkit as rk
from reportkit.document.model import Name, Source
from reportkit.errors import ReportkitWarning
from reportkit.input.references import doi_url, edtf_to_csl, from_bibtex, from_csl, read_references, to_csl

REAL = Path(__file__).parent.parent / "data" / "real" / "references"


def write(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def read(path: Path, keys: set[str] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The entries read from ``path`` and the warnings given while reading them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fields = read_references(path, keys=keys)
    return fields, [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]


def csl(item: dict[str, Any], where: str = "", file: Path | None = None) -> tuple[dict[str, Any], list[str]]:
    """``from_csl`` of one item, with its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fields = from_csl({"id": "a", "title": "T", **item}, where=where, file=file)
    return fields, [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]


def bib(tmp_path: Path, text: str, keys: set[str] | None = None) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The entries of a BibTeX file holding ``text``, by key, with the warnings given."""
    fields, warned = read(write(tmp_path, "refs.bib", text), keys)
    return {f["key"]: f for f in fields}, warned


def names(values: list[Name]) -> list[dict[str, str] | str]:
    return [n.to_data() for n in values]


# --- which files, which entries ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shown"), [("refs.ris", "a .ris file"), ("refs", "a suffix-less file")])
def test_a_file_of_another_kind_is_refused_naming_its_suffix(tmp_path: Path, name: str, shown: str) -> None:
    path = write(tmp_path, name, "TY  - JOUR\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == f"cannot read sources from {shown}"
    assert caught.value.file == str(path)
    assert caught.value.hint == "give a CSL-JSON (.json) or BibTeX (.bib) file, as Zotero, Mendeley or Pandoc export them"


def test_the_suffix_is_read_in_any_case(tmp_path: Path) -> None:
    fields, _ = read(write(tmp_path, "REFS.JSON", [{"id": "a", "title": "Upper"}]))
    assert fields == [{"key": "a", "title": "Upper"}]
    fields, _ = read(write(tmp_path, "Refs.Bib", "@misc{b, title={Mixed}}\n"))
    assert [(f["key"], f["title"]) for f in fields] == [("b", "Mixed")]


@pytest.mark.parametrize(("name", "content", "kind"), [("e.json", "[]", "CSL-JSON"), ("e.bib", "% nothing\n", "BibTeX")])
def test_an_empty_library_names_its_kind(tmp_path: Path, name: str, content: str, kind: str) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == f"the {kind} file holds no references" and caught.value.file == str(path)


def test_a_cited_duplicate_bibtex_key_names_both_entries_and_the_second_line(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.bib", "@misc{a, title={x}}\n\n@book{b, title={y}}\n@misc{a, title={z}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"a"})
    error = caught.value
    assert error.message == "duplicate key 'a' (also @misc{a})"
    assert (error.file, error.line, error.field) == (str(path), 4, "line 4")
    assert error.hint == "give every reference its own key"


def test_a_cited_duplicate_csl_id_names_both_items(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.json", [{"id": "a", "title": "x"}, {"id": "b", "title": "y"}, {"id": "a", "title": "z"}])
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"a", "b"})
    assert caught.value.message == "duplicate key 'a' (also [0] (id 'a'))"
    assert caught.value.field == "[2] (id 'a')" and caught.value.file == str(path)


def test_an_uncited_duplicate_is_no_error_and_the_first_of_a_key_is_the_one_read(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.json", [{"id": "a", "title": "first"}, {"id": "b", "title": "y"}, {"id": "a", "title": "z"}])
    fields, _ = read(path, keys={"b"})
    assert fields == [{"key": "b", "title": "y"}]
    path = write(tmp_path, "dup.json", [{"id": "b", "title": "y"}, {"id": "a", "title": "first"}])
    assert [f["title"] for f in read(path, keys={"a", "b"})[0]] == ["y", "first"]  # the file's order


def test_cited_keys_select_entries_in_the_files_order(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", [{"id": k, "title": k.upper()} for k in ("c", "a", "b")])
    assert [f["key"] for f in read(path, keys={"b", "c"})[0]] == ["c", "b"]
    assert [f["key"] for f in read(path)[0]] == ["c", "a", "b"]
    assert read(path, keys=set())[0] == []


def test_the_largest_file_read_is_the_limit_given(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x"}])
    size = path.stat().st_size
    assert read_references(path, max_bytes=size) == [{"key": "a", "title": "x"}]
    with pytest.raises(rk.InputError, match="more than the limit"):
        read_references(path, max_bytes=size - 1)


# --- CSL-JSON: the shape of the file --------------------------------------------------------------


def test_a_list_wrapped_in_items_is_read(tmp_path: Path) -> None:
    fields, _ = read(write(tmp_path, "r.json", {"items": [{"id": "a", "title": "Wrapped"}]}))
    assert fields == [{"key": "a", "title": "Wrapped"}]


@pytest.mark.parametrize("content", [{"id": "a", "title": "x"}, {"items": {"id": "a"}}, "3"])
def test_a_csl_file_that_is_no_list_is_refused(tmp_path: Path, content: object) -> None:
    path = write(tmp_path, "r.json", content)
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == "a CSL-JSON file holds a list of references: [{\"id\": ..., \"title\": ...}, ...]"
    assert caught.value.file == str(path)


def test_an_item_that_is_no_object_is_named_by_its_index(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x"}, "b"])
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == "a reference must be an object with 'id' and 'title'"
    assert (caught.value.file, caught.value.field) == (str(path), "[1]")


@pytest.mark.parametrize("item", [{"title": "x"}, {"id": "", "title": "x"}, {"id": None, "title": "x"}])
def test_an_item_without_id_is_named_by_its_index_and_field(tmp_path: Path, item: dict) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x"}, {"id": "b", "title": "y"}, item])
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == "a CSL reference needs an 'id': reportkit cites it as [@id]"
    assert (caught.value.file, caught.value.field) == (str(path), "[2].id")


def test_from_csl_alone_names_the_id_field_too() -> None:
    with pytest.raises(rk.InputError) as caught:
        from_csl({"title": "x"}, where="[4]", file="f.json")
    assert (caught.value.message, caught.value.field, caught.value.file) == (
        "a CSL reference needs an 'id': reportkit cites it as [@id]", "[4].id", "f.json")
    with pytest.raises(rk.InputError) as caught:
        from_csl({"id": ""})
    assert caught.value.field == "id"


def test_numeric_ids_and_padded_ids_are_keys(tmp_path: Path) -> None:
    fields, _ = read(write(tmp_path, "r.json", [{"id": 42, "title": "n"}, {"id": " pad ", "title": "p"}]))
    assert [f["key"] for f in fields] == ["42", "pad"]


@pytest.mark.parametrize("title", [None, "", "  ", ["a"], {"a": 1}])
def test_an_item_without_a_title_names_the_title_field_and_what_to_do(tmp_path: Path, title: object) -> None:
    item = {"id": "x1", "type": "book"} | ({} if title is None else {"title": title})
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x"}, item])
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"x1"})
    error = caught.value
    assert error.message == "the reference has no title" and error.field == "[1] (id 'x1').title"
    assert error.hint == "give it a title in the reference manager, or cite another reference"
    assert error.file == str(path)


def test_an_odd_field_is_dropped_with_a_warning_naming_file_entry_field_and_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x", "type": "no-such-type", "DOI": "not a doi",
                                          "URL": "https://e.org"}])
    fields, warned = read(path)
    assert fields == [{"key": "a", "title": "x", "url": "https://e.org"}]
    assert len(warned) == 2
    assert all(w.startswith(f"{path}: [0] (id 'a').") and w.endswith("; the field is left out of the source")
               for w in warned)
    assert {w.split(": ")[1] for w in warned} == {"[0] (id 'a').type", "[0] (id 'a').doi"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("r.json", [{"id": "a", "title": "x", "DOI": "doi:not a doi"}]),
        ("r.bib", "@misc{a,\n title={x},\n doi={not a doi}}\n"),
    ],
)
def test_a_dropped_doi_takes_the_link_made_from_it_along(tmp_path: Path, name: str, content: object) -> None:
    fields, warned = read(write(tmp_path, name, content))
    assert "doi" not in fields[0] and "url" not in fields[0] and fields[0]["title"] == "x"
    assert len(warned) == 1 and "doi" in warned[0]


def test_a_dropped_doi_leaves_a_url_of_the_entrys_own(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{a,\n title={x},\n doi={not a doi},\n url={https://e.org/a}}\n")
    fields, _ = read(path)
    assert "doi" not in fields[0] and fields[0]["url"] == "https://e.org/a"


def test_an_unusable_key_is_an_error_not_a_dropped_field(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{a,\n title={x}}\n\n@misc{has space, title={y}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.file == str(path)


# --- CSL-JSON: fields --------------------------------------------------------------------------


def test_csl_variables_map_onto_source_fields() -> None:
    fields, warned = csl({
        "id": "k1", "title": "  A   title\n", "container-title": "The Journal", "publisher": "Press",
        "note": "A note", "DOI": "10.1000/xyz", "type": "article-journal", "URL": "https://example.org/a",
        "archive_location": "https://web.archive.org/web/2020/https://example.org/a",
    })
    assert fields == {
        "key": "k1", "title": "A title", "container": "The Journal", "publisher": "Press", "note": "A note",
        "doi": "10.1000/xyz", "type": "article-journal", "url": "https://example.org/a",
        "archived": "https://web.archive.org/web/2020/https://example.org/a",
    }
    assert warned == []


@pytest.mark.parametrize("archive", ["Box 12, folder 3", "ftp://example.org/x", "", None, ["https://x.org"]])
def test_an_archive_location_that_is_no_web_address_is_no_archived_copy(archive: object) -> None:
    fields, _ = csl({"archive_location": archive})
    assert "archived" not in fields


def test_an_archive_location_in_capitals_is_a_web_address() -> None:
    assert csl({"archive_location": "HTTP://Example.org/x"})[0]["archived"] == "HTTP://Example.org/x"


@pytest.mark.parametrize(
    ("doi", "url"),
    [
        ("10.1000/a b", "https://doi.org/10.1000/a%20b"),
        ("https://doi.org/10.1000/x", "https://doi.org/10.1000/x"),
        ("http://dx.doi.org/10.1000/x", "https://doi.org/10.1000/x"),
        ("HTTPS://DOI.ORG/10.1000/x", "https://doi.org/10.1000/x"),
        ("doi:10.1000/x", "https://doi.org/10.1000/x"),
        ("DOI:10.1000/x", "https://doi.org/10.1000/x"),
    ],
)
def test_a_doi_without_url_links_to_doi_org(doi: str, url: str) -> None:
    fields, _ = csl({"DOI": doi})
    assert fields["url"] == url and fields["doi"] == doi


def test_a_url_is_kept_over_the_doi_link() -> None:
    assert csl({"DOI": "10.1000/x", "URL": "https://example.org"})[0]["url"] == "https://example.org"


def test_doi_url_escapes_what_a_url_cannot_hold_and_keeps_the_rest() -> None:
    assert doi_url("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0") == (
        "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0")
    assert doi_url("10.1000/a_b.c-d~e!f$g'h*i+j,k=l@m[n]") == "https://doi.org/10.1000/a_b.c-d~e!f$g'h*i+j,k=l@m[n]"
    assert doi_url("10.1000/ä#?") == "https://doi.org/10.1000/%C3%A4%23%3F"


def test_better_bibtex_extra_fields_are_no_note_but_other_notes_are() -> None:
    entries = {i["id"]: i for i in json.loads((REAL / "bbt-creators-and-uppercase-doi-825.json").read_text("utf-8"))}
    assert entries["Author2015"]["note"] == "{:X-genre: xxx}"
    assert "note" not in from_csl(entries["Author2015"])
    assert csl({"note": "Seen {:x} here"})[0]["note"] == "Seen {:x} here"


def test_names_of_each_role_in_a_real_zotero_export() -> None:
    entries = {i["id"]: i for i in json.loads((REAL / "bbt-creators-and-uppercase-doi-825.json").read_text("utf-8"))}
    report = Source(**from_csl(entries["Author2015"]))
    assert names(report.authors) == [{"family": "Author", "given": "Ann"}]
    assert names(report.editors) == [{"family": "Editrix", "given": "Emma"}, {"family": "Editor", "given": "Ed"}]
    assert (report.publisher, report.type, report.published) == ("Institution", "report", "2015")
    blair = from_csl(entries["Blair2004"])
    assert blair["url"] == "http://www.oxforddnb.com/view/article/10183"  # the URL, not the DOI's link
    assert (blair["doi"], blair["container"], blair["accessed"]) == (
        "10.1093/ref:odnb/10183", "Oxford dictionary of national biography", "2014-06-13")
    assert blair["title"] == "Frithuswith (<i>d.</i> 727)"  # rich text as written


def test_a_director_stands_in_for_a_missing_author_before_the_script_writers() -> None:
    entries = {i["id"]: i for i in json.loads((REAL / "bbt-creators-and-uppercase-doi-825.json").read_text("utf-8"))}
    film = from_csl(entries["friends:leia:dvd"])
    assert names(film["authors"]) == [{"family": "Mancuso", "given": "Gail"}]
    assert names(from_csl(entries["Doe2015"])["authors"]) == [{"family": "Doe", "given": "John"},
                                                             {"family": "Roe", "given": "Rob"}]


@pytest.mark.parametrize(
    "role",
    ["director", "composer", "script-writer", "interviewer", "illustrator", "organizer", "executive-producer",
     "producer", "host", "performer", "curator", "chair", "compiler"],
)
def test_each_creator_stands_in_for_a_missing_author(role: str) -> None:
    fields, _ = csl({role: [{"family": "Stand", "given": "In"}]})
    assert names(fields["authors"]) == [{"family": "Stand", "given": "In"}]
    fields, _ = csl({role: [{"family": "Stand"}], "author": [{"literal": "Real Author"}]})
    assert names(fields["authors"]) == ["Real Author"]


def test_stand_ins_are_taken_in_order_and_only_the_first_found() -> None:
    fields, _ = csl({"compiler": [{"literal": "Last"}], "composer": [{"literal": "Second"}],
                     "director": [{"literal": ""}], "host": [{"literal": "Host"}]})
    assert names(fields["authors"]) == ["Second"]
    assert "editors" not in fields


def test_editors_translators_and_container_authors_keep_their_roles() -> None:
    fields, _ = csl({"editor": [{"literal": "E"}], "translator": [{"literal": "T"}],
                     "container-author": [{"literal": "C"}]})
    assert (names(fields["editors"]), names(fields["translators"]), names(fields["container_authors"])) == (
        ["E"], ["T"], ["C"])
    assert "authors" not in fields


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ({"literal": " World Health Organization "}, "World Health Organization"),
        ("  Plain Name ", "Plain Name"),
        ({"given": "Banksy"}, "Banksy"),
        ({"family": "Plato"}, {"family": "Plato"}),
        ({"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
         {"family": "Gogh", "given": "Vincent", "particle": "van"}),
        ({"family": "Humboldt", "given": "Alexander", "dropping-particle": "von"},
         {"family": "Humboldt", "given": "Alexander von"}),
        ({"family": "Gaulle", "dropping-particle": "de"}, {"family": "Gaulle", "given": "de"}),
        ({"family": "King", "given": "Martin Luther", "suffix": "Jr."},
         {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        ({"family": "Doe", "given": "Jane", "literal": "J. Doe Inc."}, "J. Doe Inc."),
    ],
)
def test_csl_names_become_structured_names(name: object, data: object) -> None:
    fields, warned = csl({"author": [name]})
    assert names(fields["authors"]) == [data] and warned == []


def test_a_single_name_that_is_no_list_is_one_author() -> None:
    assert names(csl({"author": {"family": "Solo"}})[0]["authors"]) == [{"family": "Solo"}]
    assert names(csl({"author": "Solo Name"})[0]["authors"]) == ["Solo Name"]


@pytest.mark.parametrize("empty", [None, "", []])
def test_no_names_are_no_authors(empty: object) -> None:
    fields, warned = csl({"author": empty})
    assert "authors" not in fields and warned == []


@pytest.mark.parametrize("bad", [{"dropping-particle": "van"}, 42, " ", {"family": ""}])
def test_a_name_with_no_parts_is_left_out_with_a_warning_naming_file_entry_and_role(tmp_path: Path, bad: object) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x", "editor": [bad, {"literal": "Kept"}]}])
    fields, warned = read(path)
    assert names(Source(**fields[0]).editors) == ["Kept"]
    assert warned == [f"{path}: [0] (id 'a').editor: the name {bad!r} has no family, given or literal name; "
                      "it is left out"]


def test_a_warning_without_a_file_names_the_field_alone() -> None:
    _, warned = csl({"author": [{}]}, where="[3]")
    assert warned == ["[3].author: the name {} has no family, given or literal name; it is left out"]
    _, warned = csl({"author": [{}]})
    assert warned == ["author: the name {} has no family, given or literal name; it is left out"]


# --- CSL-JSON: dates ----------------------------------------------------------------------------


def _title_date(title: str) -> str:
    """The EDTF date a Better BibTeX test item writes at the end of its title ('BC tests: -0333')."""
    return title.rsplit(": ", 1)[1]


@pytest.mark.parametrize("key", ["doe10_edtf_2011", "doe12_edtf_2011", "doe13_season_2017", "doe8_title_2017", "t1",
                                 "t4", "t5", "t6"])
def test_better_bibtex_dates_read_as_their_titles_write_them(key: str) -> None:
    items = {i["id"]: i for i in json.loads((REAL / "bbt-dates-360-811.json").read_text("utf-8"))}
    assert from_csl(items[key])["published"] == _title_date(items[key]["title"])


def test_an_open_ended_range_ends_in_two_dots() -> None:
    items = {i["id"]: i for i in json.loads((REAL / "bbt-dates-360-811.json").read_text("utf-8"))}
    assert _title_date(items["t3"]["title"]) == "2014-12-31/"
    assert from_csl(items["t3"])["published"] == "2014-12-31/.."  # EDTF writes an open end as '..'


@pytest.mark.parametrize("key", ["00002100002400", "001121001222-11", "00112100122211", "201121201222-2011"])
def test_season_ranges_with_bc_years_read_as_their_titles_write_them(key: str) -> None:
    items = {i["id"]: i for i in json.loads((REAL / "bbt-season-ranges-860.json").read_text("utf-8"))}
    assert from_csl(items[key])["published"] == items[key]["title"]


@pytest.mark.parametrize("key", ["00002100002400", "001121001222-11", "00112100122211", "201121201222-2011",
                                 "monthsoutrange2017", "SeasonrangesEDTF2017"])
def test_a_season_range_keeps_both_seasons_when_written_back_to_csl(key: str) -> None:
    # The real file's titles spell the ranges in EDTF (seasons 21-24 at both ends).
    items = {i["id"]: i for i in json.loads((REAL / "bbt-season-ranges-860.json").read_text("utf-8"))}
    expected = items[key]["title"] if key[0].isdigit() else from_csl(items[key])["published"]
    written = edtf_to_csl(expected)
    assert "season" not in written  # one season cannot say two ends
    assert from_csl({"id": "x", "title": "t", "issued": written})["published"] == expected


@pytest.mark.parametrize(("edtf", "parts"), [
    ("2001-21/2002-23", [[2001, 13], [2002, 15]]),
    ("2001/2002-22", [[2001], [2002, 14]]),
    ("2001-03/2001-24", [[2001, 3], [2001, 16]]),
])
def test_each_end_of_a_range_carries_its_own_season(edtf: str, parts: list[list[int]]) -> None:
    assert edtf_to_csl(edtf) == {"date-parts": parts}


def test_a_single_season_stays_csl_s_season_field() -> None:
    assert edtf_to_csl("2001-22") == {"season": 2, "date-parts": [[2001]]}


def test_citeproc_seasons_13_to_16_are_edtf_seasons_21_to_24() -> None:
    items = {i["id"]: i for i in json.loads((REAL / "bbt-season-ranges-860.json").read_text("utf-8"))}
    assert items["monthsoutrange2017"]["issued"] == {"date-parts": [["2017", 14], ["2017", 15]]}
    assert from_csl(items["monthsoutrange2017"])["published"] == "2017-22/2017-23"
    for month, season in ((13, 21), (16, 24)):
        assert csl({"issued": {"date-parts": [[2017, month, 5]]}})[0]["published"] == f"2017-{season}"
    assert csl({"issued": {"date-parts": [[2017, 12, 5]]}})[0]["published"] == "2017-12-05"


def test_the_accessed_date_of_a_real_export_and_its_bc_year() -> None:
    items = {i["id"]: i for i in json.loads((REAL / "bbt-dates-360-811.json").read_text("utf-8"))}
    assert items["t5"]["accessed"] == {"date-parts": [["-333", 11, 5]]}
    assert from_csl(items["t5"])["accessed"] == "-0332-11-05"  # CSL's -333 is 333 BC, EDTF's -0332
    assert from_csl(items["doe7_politics_1985"])["accessed"] == "2015-04-30"


def test_an_accessed_date_that_is_no_date_is_left_out_with_a_warning(tmp_path: Path) -> None:
    items = [i for i in json.loads((REAL / "bbt-dates-360-811.json").read_text("utf-8")) if i["id"] == "t2"]
    assert items[0]["accessed"] == {"literal": "13th cent"}
    path = write(tmp_path, "r.json", items)
    fields, warned = read(path)
    assert "accessed" not in fields[0] and "published_text" not in fields[0]
    assert warned == [f"{path}: [0] (id 't2').accessed: '13th cent' is not a date; the field is left out of the source"]


def test_an_issued_date_that_is_no_date_is_shown_as_written() -> None:
    fields, warned = csl({"issued": {"literal": "13th cent"}})
    assert fields["published_text"] == "13th cent" and "published" not in fields and warned == []
    assert csl({"issued": {"raw": "Bogus Date"}})[0]["published_text"] == "Bogus Date"
    assert csl({"issued": {"date-parts": [], "literal": "(in press)"}})[0]["published_text"] == "(in press)"


@pytest.mark.parametrize(
    ("issued", "published"),
    [
        ({"date-parts": [["2000", "", ""]]}, "2000"),
        ({"date-parts": [[" 1965 ", " 6 ", "1"]]}, "1965-06-01"),
        ({"date-parts": [[2005, 12, 15, 9]]}, "2005-12-15"),
        ({"date-parts": [[1965, 24, 0]]}, "1965-24"),
        ({"date-parts": [[1999, 1, 2], [1999, 1, 2]]}, "1999-01-02"),
        ({"date-parts": [[1987], [2003]]}, "1987/2003"),
        ({"date-parts": [[1987], [0]]}, "1987/.."),
        ({"date-parts": [[1987], []]}, "1987/.."),
        ({"date-parts": [[1987], [2003], [2010]]}, "1987/2003"),
        ({"date-parts": [[0], [2003]]}, "/2003"),
        ({"date-parts": [[1987]], "circa": 1}, "1987~"),
        ({"date-parts": [[1987], [2003]], "circa": "true"}, "1987~/2003~"),
        ({"date-parts": [[1987], [0]], "circa": True}, "1987~/.."),
        ({"date-parts": [[1987]], "season": "4"}, "1987-24"),
        ({"date-parts": [[1987]], "season": 23}, "1987-23"),
        ({"date-parts": [[1987]], "season": "Fall"}, "1987-23"),
        ({"date-parts": [[1987]], "season": "summer "}, "1987-22"),
        ({"date-parts": [[1987]], "season": "autumn"}, "1987-23"),
        ({"date-parts": [[1987]], "season": "spring"}, "1987-21"),
        ({"date-parts": [[1987], [1990]], "season": 1}, "1987-21/1990"),
        ({"date-parts": [[1987, 5]], "season": 1}, "1987-05"),
        ({"date-parts": [[-1]]}, "0000"),
        ({"date-parts": [[-2]]}, "-0001"),
        ({"date-parts": [[54, 10, 13]]}, "0054-10-13"),
        ({"raw": "2024-3-7"}, "2024-03-07"),
        ({"raw": "2024-3-7T10:00:00Z"}, "2024-03-07"),
        ({"raw": "2024-11"}, "2024-11"),
        ({"raw": "2024-1"}, "2024-01"),
        ({"raw": "2024-03-07T10:30:00+01:00"}, "2024-03-07"),
        ({"raw": "199u"}, "199X"),
        ({"raw": "19uu"}, "19XX"),
        ({"raw": "2004/unknown"}, "2004/"),
        ({"raw": "2004/open"}, "2004/.."),
        ({"raw": "  2004  "}, "2004"),
        ({"literal": "1999-05"}, "1999-05"),
        ({"raw": "", "literal": "2001"}, "2001"),
        ("2020/2021", "2020/2021"),
    ],
)
def test_csl_date_shapes_become_the_edtf_their_parts_say(issued: object, published: str) -> None:
    fields, warned = csl({"issued": issued})
    assert fields.get("published") == published, fields
    assert warned == []


@pytest.mark.parametrize("season", [0, 5, "20", "25", "monsoon", "", None, "-1"])
def test_a_season_that_is_no_season_is_no_month(season: object) -> None:
    assert csl({"issued": {"date-parts": [[1987]], "season": season}})[0]["published"] == "1987"


@pytest.mark.parametrize("circa", [False, 0, "0", "false", "", None])
def test_a_false_circa_is_no_circa(circa: object) -> None:
    assert csl({"issued": {"date-parts": [[1987]], "circa": circa}})[0]["published"] == "1987"


@pytest.mark.parametrize("raw", ["2024-13-01", "2024-02-30", "sometime", "2024-1-"])
def test_a_raw_date_that_no_form_reads_is_shown_as_written(raw: str) -> None:
    fields, _ = csl({"issued": {"raw": raw}})
    assert fields.get("published_text") == raw and "published" not in fields


def test_a_date_part_that_is_no_number_names_the_field_value_and_form(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x", "issued": {"date-parts": [[2020, "May"]]}}])
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    error = caught.value
    assert error.message == "cannot read the date {'date-parts': [[2020, 'May']]}: 'May' is not a number"
    assert (error.file, error.field, error.hint) == (str(path), "[0] (id 'a').issued",
                                                    "'date-parts' should be like [[2024, 3, 7]]")


def test_date_parts_that_are_no_list_of_lists_name_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x", "accessed": {"date-parts": [[2020], 2021]}}])
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == (
        "cannot read the date {'date-parts': [[2020], 2021]}: 'date-parts' should be like [[2024, 3, 7]]")
    assert (caught.value.file, caught.value.field) == (str(path), "[0] (id 'a').accessed")


# --- back to CSL-JSON ----------------------------------------------------------------------------


def test_to_csl_writes_every_field_under_its_csl_name() -> None:
    source = Source(
        key="k", title="T", type="report", url="https://e.org/a", doi="10.1000/x", publisher="P", container="C",
        archived="https://web.archive.org/x", note="N", published="2020-05", accessed="2021-01-02",
        authors=[{"family": "Ortega", "given": "Lucía", "particle": "de", "suffix": "Jr."}, "NATO"],
        editors=["Ed"], translators=[{"family": "Tr"}], container_authors=["Ca"],
    )
    assert to_csl(source) == {
        "id": "k", "type": "report", "title": "T",
        "author": [{"family": "Ortega", "given": "Lucía", "non-dropping-particle": "de", "suffix": "Jr."},
                   {"literal": "NATO"}],
        "editor": [{"literal": "Ed"}], "translator": [{"family": "Tr"}], "container-author": [{"literal": "Ca"}],
        "container-title": "C", "publisher": "P", "URL": "https://e.org/a", "DOI": "10.1000/x",
        "archive_location": "https://web.archive.org/x", "note": "N",
        "issued": {"date-parts": [[2020, 5]]}, "accessed": {"date-parts": [[2021, 1, 2]]},
    }


def test_to_csl_guesses_a_webpage_only_for_a_source_with_a_url() -> None:
    assert to_csl(Source(key="k", title="T", url="https://e.org"))["type"] == "webpage"
    assert to_csl(Source(key="k", title="T")) == {"id": "k", "type": "document", "title": "T"}


def test_a_date_as_words_goes_back_as_a_literal_unless_there_is_a_date() -> None:
    assert to_csl(Source(key="k", title="T", published_text="13th century"))["issued"] == {"literal": "13th century"}
    both = to_csl(Source(key="k", title="T", published="1250", published_text="13th century"))
    assert both["issued"] == {"date-parts": [[1250]]}


@pytest.mark.parametrize(
    ("edtf", "item"),
    [
        ("2017-23", {"date-parts": [[2017]], "season": 3}),
        ("1987~", {"date-parts": [[1987]], "circa": True}),
        ("1987/..", {"date-parts": [[1987], [0]]}),
        ("0000", {"date-parts": [[-1]]}),
        ("-0001-02", {"date-parts": [[-2, 2]]}),
        ("0054-10-13", {"date-parts": [[54, 10, 13]]}),
        ("2004?", {"raw": "2004?"}),
        ("199X", {"raw": "199X"}),
        ("../2004", {"raw": "../2004"}),
    ],
)
def test_edtf_dates_go_back_as_the_csl_dates_that_read_as_them(edtf: str, item: dict) -> None:
    assert edtf_to_csl(edtf) == item
    if "raw" not in item:
        assert csl({"issued": item})[0]["published"] == edtf


# --- BibLaTeX: the file -------------------------------------------------------------------------


def test_a_cited_entry_with_a_syntax_error_names_its_line_and_what_to_check(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.bib", "@misc{ok, title={Fine}}\n\n@misc{broken, title = {x}\n@misc{c, title={y}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"broken"})
    error = caught.value
    assert error.message.startswith("BibTeX syntax error: ") and len(error.message) > len("BibTeX syntax error: ")
    assert (error.file, error.line, error.hint) == (str(path), 3, "check the braces and commas of this entry")


def test_an_entry_without_title_names_its_own_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{a, title={x}}\n\n\n@article{b,\n  year = {2020}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"b"})
    error = caught.value
    assert (error.file, error.line, error.field) == (str(path), 4, "@article{b}.title")
    assert error.message == "the entry has no title" and error.hint == "give it a title, or cite another entry"


def test_strings_concatenation_numbers_and_month_macros_resolve(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, r"""
@String{Pub = {Walter de Gruyter}}
@string{self = self}
@misc{a, title = "C# and F#" # { in } # {{C#}}, publisher = PUB # { \& Co}, year = 2020, month = mar,
  note = self # {.} # undefined}
""")
    a = entries["a"]
    assert a["title"] == 'C# and F# in <span class="nocase">C#</span>'
    assert a["publisher"] == "Walter de Gruyter & Co" and a["published"] == "2020-03"
    assert a["note"] == "self.undefined"  # a string defined by itself, like an undefined name, stays as written


@pytest.mark.parametrize(
    ("title", "subtitle", "addon", "shown"),
    [
        ("Title", "Sub", "Addon", "Title: Sub. Addon"),
        ("Title", None, "Addon", "Title. Addon"),
        ("Why?", "Because", "More", "Why? Because. More"),
        ("Done.", None, "Extra", "Done. Extra"),
        ("Wow!", "Sub", None, "Wow! Sub"),
        ("Colon:", "Sub", None, "Colon: Sub"),
        ("Title", "Sub?", "Addon", "Title: Sub? Addon"),
    ],
)
def test_subtitle_and_title_addon_join_the_title_without_doubled_punctuation(
    tmp_path: Path, title: str, subtitle: str | None, addon: str | None, shown: str
) -> None:
    extra = (f", subtitle = {{{subtitle}}}" if subtitle else "") + (f", titleaddon = {{{addon}}}" if addon else "")
    entries, _ = bib(tmp_path, f"@book{{a, title = {{{title}}}{extra}}}\n")
    assert entries["a"]["title"] == shown


def test_a_subtitle_without_a_title_is_no_title(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@book{a, subtitle = {Only}, titleaddon = {This}}\n")
    with pytest.raises(rk.InputError, match="the entry has no title"):
        read_references(path)


@pytest.mark.parametrize(
    ("kind", "subtype", "csl_type"),
    [
        ("article", "", "article-journal"), ("article", "newspaper", "article-newspaper"),
        ("article", "Magazine", "article-magazine"), ("article", "journal", "article-journal"),
        ("online", "", "webpage"), ("inproceedings", "", "paper-conference"), ("phdthesis", "", "thesis"),
        ("techreport", "", "report"), ("MvBook", "", "book"), ("misc", "newspaper", "article-newspaper"),
    ],
)
def test_entry_types_and_subtypes_become_csl_types(tmp_path: Path, kind: str, subtype: str, csl_type: str) -> None:
    extra = f", entrysubtype = {{{subtype}}}" if subtype else ""
    entries, _ = bib(tmp_path, f"@{kind}{{a, title = {{T}}{extra}}}\n")
    assert entries["a"]["type"] == csl_type


def test_an_entry_type_csl_lacks_gives_no_type(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@customa{a, title = {T}}\n")
    assert "type" not in entries["a"]


@pytest.mark.parametrize(
    ("fields", "container"),
    [
        ("journaltitle = {J One}, journal = {J Two}, booktitle = {B}", "J One"),
        ("journal = {J Two}, journalsubtitle = {Sub}, booktitle = {B}", "J Two: Sub"),
        ("booktitle = {B}, booksubtitle = {Bs}, booktitleaddon = {Ba}, maintitle = {M}", "B: Bs. Ba"),
        ("maintitle = {M}, mainsubtitle = {Ms}, maintitleaddon = {Ma}, eventtitle = {E}", "M: Ms. Ma"),
        ("eventtitle = {The Event}", "The Event"),
        ("journaltitle = {  }, booktitle = {B}", "B"),
    ],
)
def test_the_container_is_the_first_of_journal_book_main_and_event_titles(
    tmp_path: Path, fields: str, container: str
) -> None:
    entries, _ = bib(tmp_path, f"@misc{{a, title = {{T}}, {fields}}}\n")
    assert entries["a"]["container"] == container


@pytest.mark.parametrize(
    ("fields", "publisher"),
    [
        ("publisher = {P}, organization = {O}, institution = {I}, school = {S}", "P"),
        ("organization = {O}, institution = {I}, school = {S}", "O"),
        ("institution = {I}, school = {S}", "I"),
        ("school = {S}", "S"),
        ("publisher = {Springer  and\n   Nature}", "Springer and Nature"),
    ],
)
def test_the_publisher_is_the_first_of_publisher_organization_institution_and_school(
    tmp_path: Path, fields: str, publisher: str
) -> None:
    entries, _ = bib(tmp_path, f"@misc{{a, title = {{T}}, {fields}}}\n")
    assert entries["a"]["publisher"] == publisher


def test_doi_url_archive_and_notes_map_onto_source_fields(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, r"""
@misc{a, title = {T}, doi = { 10.1000/ab
  cd }, url = {https://e.org/a b}, archiveurl = {https://web.archive.org/x}, note = {N}, addendum = {Add}}
@misc{b, title = {T}, doi = {10.1000/x}, archived = {https://archive.today/y}, addendum = {Only add}}
@misc{c, title = {T}, eprinttype = {DOI}, eprint = {10.1000/e}}
@misc{d, title = {T}, eprinttype = {arxiv}, eprint = {1234.5678}}
""")
    assert {k: entries["a"][k] for k in ("doi", "url", "archived", "note")} == {
        "doi": "10.1000/abcd", "url": "https://e.org/ab", "archived": "https://web.archive.org/x", "note": "N. Add"}
    assert (entries["b"]["url"], entries["b"]["archived"], entries["b"]["note"]) == (
        "https://doi.org/10.1000/x", "https://archive.today/y", "Only add")
    assert (entries["c"]["doi"], entries["c"]["url"]) == ("10.1000/e", "https://doi.org/10.1000/e")
    assert entries["d"] == {"key": "d", "title": "T", "type": "document"}


@pytest.mark.parametrize(
    ("fields", "published"),
    [
        ("year = {2020}, month = {3}", "2020-03"),
        ("year = {2020}, month = {March}", "2020-03"),
        ("year = {2020}, month = {Sept.}", "2020-09"),
        ("year = {2020}, month = dec", "2020-12"),
        ("year = {2020}, month = {12}", "2020-12"),
        ("year = {2020}, month = {1}", "2020-01"),
        ("year = {-44}", "-0044"),
        ("year = {99}", "0099"),
        ("year = { 1999 }", "1999"),
        ("year = {1999/2000}", "1999/2000"),
        ("date = {2004-03-02/2004-05}", "2004-03-02/2004-05"),
        ("date = {2004-03-02T10:00:00Z}, year = {1999}", "2004-03-02"),
        ("date = {2004-22}", "2004-22"),
        ("date = {open/2004}", "../2004"),
    ],
)
def test_biblatex_dates_become_edtf(tmp_path: Path, fields: str, published: str) -> None:
    entries, warned = bib(tmp_path, f"@misc{{a, title = {{T}}, {fields}}}\n")
    assert entries["a"]["published"] == published and warned == []


def test_a_month_without_a_year_is_no_date(tmp_path: Path) -> None:
    entries, warned = bib(tmp_path, "@misc{a, title = {T}, month = {3}}\n")
    assert "published" not in entries["a"] and "published_text" not in entries["a"] and warned == []


@pytest.mark.parametrize("month", ["13", "0", "Brumaire"])
def test_a_month_that_is_no_month_warns_and_the_year_is_shown_alone(tmp_path: Path, month: str) -> None:
    path = write(tmp_path, "r.bib", f"@misc{{a, title = {{T}}, year = {{2020}}, month = {{{month}}}}}\n")
    fields, warned = read(path)
    assert fields[0]["published"] == "2020"
    assert warned == [f"{path}: @misc{{a}}.month: {month!r} is not a month; the year is shown alone"]


def test_a_date_that_is_no_date_warns_and_is_shown_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", r"@misc{a, title = {T}, date = {Sp\"atsommer 2020}, year = {2020}}" "\n")
    fields, warned = read(path)
    assert fields[0]["published_text"] == "Spätsommer 2020" and "published" not in fields[0]
    assert warned == [f"{path}: @misc{{a}}.date: 'Sp\\\\\"atsommer 2020' is not a date reportkit can read "
                      "(write it as YYYY-MM-DD or EDTF); it is shown as written"]


@pytest.mark.parametrize(("year", "shown"), [("n.d.", "n.d."), ("forthcoming", "forthcoming"), ("12345", "12345")])
def test_a_year_that_is_no_date_is_shown_as_written_without_a_warning(tmp_path: Path, year: str, shown: str) -> None:
    entries, warned = bib(tmp_path, f"@misc{{a, title = {{T}}, year = {{{year}}}}}\n")
    assert entries["a"]["published_text"] == shown and warned == []


def test_the_urldate_is_the_accessed_date_and_a_bad_one_warns(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@online{a, title = {T}, urldate = {2006-10-01}}\n"
                                    "@online{b, title = {T}, urldate = {2006-1-5}}\n"
                                    "@online{c, title = {T}, urldate = {yesterday}}\n")
    fields, warned = read(path)
    assert [f.get("accessed") for f in fields] == ["2006-10-01", "2006-01-05", None]
    assert warned == [f"{path}: @online{{c}}.urldate: 'yesterday' is not a date; the field is left out of the source"]


def test_the_urldate_of_a_real_biblatex_example_is_its_accessed_date() -> None:
    text = (REAL / "biblatex-examples.bib").read_text(encoding="utf-8")
    key = "markey"
    block = text[text.index("{" + key + ","):]
    urldate = re.search(r"urldate\s*=\s*\{([^}]*)\}", block[:block.index("\n}")]).group(1)
    fields, _ = read(REAL / "biblatex-examples.bib", keys={key})
    assert fields[0]["accessed"] == urldate


# --- BibLaTeX: names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "data"),
    [
        ("Ortega, Lucía", {"family": "Ortega", "given": "Lucía"}),
        ("Jan van der Berg", {"family": "Berg", "given": "Jan", "particle": "van der"}),
        ("King, Jr., Martin", {"family": "King", "given": "Martin", "suffix": "Jr."}),
        ("Plato", {"family": "Plato"}),
        ("{World Health Organization}", "World Health Organization"),
        ("{Barnes and Noble}", "Barnes and Noble"),
        (r"{\'Ecole normale}", "École normale"),
        (r"M{\"u}ller, J{\"o}rg", {"family": "Müller", "given": "Jörg"}),
        ("others", "et al."),
        ("OTHERS", "et al."),
    ],
)
def test_bibtex_names_become_structured_names(tmp_path: Path, written: str, data: object) -> None:
    entries, _ = bib(tmp_path, f"@misc{{a, title = {{T}}, author = {{Someone, A. and {written}}}}}\n")
    assert names(Source(**entries["a"]).authors) == [{"family": "Someone", "given": "A."}, data]


def test_a_name_in_braces_that_do_not_close_each_other_is_parsed_as_a_person(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@misc{a, title = {T}, author = {{Ann} {Lee}}}\n")
    assert names(Source(**entries["a"]).authors) == [{"family": "Lee", "given": "Ann"}]


def test_each_name_role_has_its_source_field(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@incollection{a, title = {T}, author = {A, Au}, editor = {E, Ed and F, Fe}, "
                               "translator = {T, Tr}, bookauthor = {B, Bo}}\n")
    a = Source(**entries["a"])
    assert names(a.authors) == [{"family": "A", "given": "Au"}]
    assert names(a.editors) == [{"family": "E", "given": "Ed"}, {"family": "F", "given": "Fe"}]
    assert names(a.translators) == [{"family": "T", "given": "Tr"}]
    assert names(a.container_authors) == [{"family": "B", "given": "Bo"}]


@pytest.mark.parametrize(
    ("fields", "editors", "translators"),
    [
        ("editora = {A, X}, editoratype = {translator}", None, ["X A"]),
        ("editorb = {B, Y}, editorbtype = {Editor }", ["Y B"], None),
        ("editorc = {C, Z}, editorctype = {translator}", None, ["Z C"]),
        ("editora = {A, X}, editoratype = {redactor}", None, None),
        ("editora = {A, X}", None, None),
        ("editor = {E, Ed}, editora = {A, X}, editoratype = {editor}", ["Ed E"], None),
        ("translator = {T, Tr}, editora = {A, X}, editoratype = {translator}", None, ["Tr T"]),
        ("editora = {A, X}, editoratype = {translator}, editorb = {B, Y}, editorbtype = {translator}", None, ["X A"]),
    ],
)
def test_editora_to_editorc_count_as_editors_or_translators_by_their_type(
    tmp_path: Path, fields: str, editors: list[str] | None, translators: list[str] | None
) -> None:
    entries, _ = bib(tmp_path, f"@book{{a, title = {{T}}, {fields}}}\n")
    a = Source(**entries["a"])
    assert [str(n) for n in a.editors] == (editors or []) and [str(n) for n in a.translators] == (translators or [])


def test_the_redactors_of_a_real_biblatex_example_are_neither_editors_nor_translators() -> None:
    text = (REAL / "biblatex-examples.bib").read_text(encoding="utf-8")
    assert "editoratype  = {redactor}" in text
    fields, _ = read(REAL / "biblatex-examples.bib", keys={"jaffe"})
    assert "translators" not in fields[0]
    assert [str(n) for n in Source(**fields[0]).editors] == ["Philipp Jaffé"]  # the editor, not the editora


# --- BibLaTeX: inheritance and sets ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent", "child", "container"),
    [("book", "inbook", "Parent"), ("mvbook", "book", "Parent"), ("collection", "incollection", "Parent"),
     ("mvcollection", "incollection", "Parent"), ("proceedings", "inproceedings", "Parent"),
     ("mvproceedings", "proceedings", "Parent"), ("reference", "inreference", "Parent"),
     ("mvreference", "reference", "Parent"), ("periodical", "article", "Parent")],
)
def test_the_parents_title_is_the_childs_container(tmp_path: Path, parent: str, child: str, container: str) -> None:
    entries, _ = bib(tmp_path, f"@{parent}{{p, title = {{Parent}}, subtitle = {{Sub}}, titleaddon = {{Add}}}}\n"
                               f"@{child}{{c, title = {{Child}}, crossref = {{p}}}}\n")
    addon = "" if parent == "periodical" else ". Add"  # a journal title has no addon reportkit reads
    assert entries["c"]["title"] == "Child" and entries["c"]["container"] == f"{container}: Sub{addon}"


def test_which_title_field_the_parents_title_fills_depends_on_the_parents_type(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@mvbook{mv, title = {Main}}\n@book{b, title = {Book}}\n@periodical{j, title = {Jour}}\n"
                               "@inbook{c1, title = {C}, crossref = {mv}, booktitle = {Own book}}\n"
                               "@inbook{c2, title = {C}, crossref = {b}, journaltitle = {Own journal}}\n"
                               "@article{c3, title = {C}, crossref = {j}, booktitle = {Own book}}\n")
    assert entries["c1"]["container"] == "Own book"  # the mvbook's title is a maintitle, which comes after
    assert entries["c2"]["container"] == "Own journal"  # the book's title is a booktitle, which comes after
    assert entries["c3"]["container"] == "Jour"  # the periodical's title is a journaltitle, which comes first


def test_a_parent_of_another_type_lends_fields_under_their_own_names(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@misc{p, title = {Parent}, publisher = {P}, booktitle = {In}}\n"
                               "@misc{c, crossref = {p}}\n")
    assert (entries["c"]["title"], entries["c"]["publisher"], entries["c"]["container"]) == ("Parent", "P", "In")


def test_a_books_author_is_the_book_author_of_its_parts_only(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@book{p, title = {P}, author = {Kant, Immanuel}}\n"
                               "@inbook{c1, title = {C}, crossref = {p}}\n@bookinbook{c2, title = {C}, crossref = {p}}\n"
                               "@suppbook{c3, title = {C}, crossref = {p}}\n@book{c4, title = {C}, crossref = {p}}\n"
                               "@collection{q, title = {Q}, author = {Kant, Immanuel}}\n"
                               "@incollection{c5, title = {C}, crossref = {q}}\n")
    for key in ("c1", "c2", "c3"):
        assert names(entries[key]["container_authors"]) == [{"family": "Kant", "given": "Immanuel"}], key
        assert "authors" not in entries[key]
    for key in ("c4", "c5"):
        assert names(entries[key]["authors"]) == [{"family": "Kant", "given": "Immanuel"}], key
        assert "container_authors" not in entries[key]


def test_the_childs_own_fields_win_and_some_fields_are_never_inherited(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@collection{p, title = {P}, publisher = {Parent press}, entrysubtype = {newspaper}, "
                               "note = {Parent note}}\n"
                               "@incollection{c, title = {C}, crossref = {p}, publisher = {Own press}}\n")
    assert entries["c"]["publisher"] == "Own press" and entries["c"]["note"] == "Parent note"
    assert entries["c"]["type"] == "chapter"  # the parent's entrysubtype stays with the parent


def test_xdata_fills_what_the_entry_lacks_in_the_order_listed(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@xdata{x1, publisher = {First}, note = {Note one}, eventtitle = {Event one}}\n"
                               "@xdata{x2, publisher = {Second}, location = {L}, xdata = {x3}}\n@xdata{x3, addendum = {Deep}}\n"
                               "@misc{a, title = {T}, xdata = { x2 , x1,, missing}, note = {Own}}\n")
    assert "x1" not in entries and "x2" not in entries
    assert (entries["a"]["publisher"], entries["a"]["note"]) == ("Second", "Own. Deep")
    assert entries["a"]["container"] == "Event one"  # from x1, listed second


def test_inheritance_loops_end(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@misc{a, title = {A}, crossref = {b}, xdata = {a}}\n"
                               "@book{b, title = {B}, crossref = {a}, publisher = {P}}\n"
                               "@misc{c, title = {C}, crossref = {nobody}}\n")
    assert entries["a"]["publisher"] == "P" and entries["b"]["title"] == "B" and "container" not in entries["c"]


def test_a_set_is_its_members_titles_first_authors_and_the_first_members_details(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@article{m1, title = {One}, author = {A, Ann and B, Bob}, journal = {J}, year = {2001}, "
                               "publisher = {P}}\n@article{m2, title = {Two}, author = {A, Ann}, journal = {K}, year = {2002}}\n"
                               "@book{m3, title = {Three}, author = {C, Cy}}\n@misc{m4, title = {Four}}\n"
                               "@string{members = { m1, m2 ,s, m3, absent, m4}}\n@set{s, entryset = members}\n")
    s = entries["s"]
    assert s["title"] == "One; Two; Three; Four"
    assert names(s["authors"]) == [{"family": "A", "given": "Ann"}, {"family": "C", "given": "Cy"}]
    assert (s["container"], s["published"], s["publisher"], s["type"]) == ("J", "2001", "P", "article-journal")


def test_a_set_without_members_names_its_entryset_field(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{a, title = {A}}\n\n@set{s,\n entryset = {s, absent}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"s"})
    error = caught.value
    assert error.message == "the set names no entry of the file in 'entryset'"
    assert (error.file, error.line, error.field) == (str(path), 3, "@set{s}.entryset")
    assert error.hint == "list the keys of its members: entryset = {key1,key2}"


def test_a_member_without_title_is_named_through_its_set(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{a, year = {2000}}\n@set{s, entryset = {a}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"s"})
    assert caught.value.field == "@set{s} > @misc{a}.title" and caught.value.line == 2


def test_a_real_set_lists_its_members_titles() -> None:
    text = (REAL / "biblatex-examples.bib").read_text(encoding="utf-8")
    members = re.search(r"@set\{set,\s*entryset\s*=\s*\{([^}]*)\}", text).group(1).split(",")
    fields, _ = read(REAL / "biblatex-examples.bib", keys={"set"})
    assert len(fields[0]["title"].split("; ")) == len(members)


def test_braces_nested_deeper_than_the_field_limit_name_the_field(tmp_path: Path) -> None:
    deep = "{" * 52 + "x" + "}" * 52  # the field's own braces, then 51 levels
    path = write(tmp_path, "r.bib", f"@misc{{a,\n title = {{T}},\n note = {deep}}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    error = caught.value
    assert error.message == "the field nests braces more than 50 deep" and error.hint == "remove the extra braces"
    assert (error.file, error.field, error.line) == (str(path), "@misc{a}.note", 1)
    fine = "{" * 51 + "x" + "}" * 51
    assert read_references(write(tmp_path, "ok.bib", f"@misc{{a, title = {{T}}, note = {fine}}}\n"))[0]["note"] == "x"


def test_a_set_without_entryset_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{a, title = {A}}\n@set{s, note = {no members}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={"s"})
    assert caught.value.field == "@set{s}.entryset" and caught.value.line == 2


def test_year_zero_is_year_zero_and_a_month_warning_names_a_key_with_dots(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{doe.2020.a, title = {T}, year = {0}, month = {14}}\n")
    fields, warned = read(path)
    assert fields[0]["published"] == "0000"
    assert warned == [f"{path}: @misc{{doe.2020.a}}.month: '14' is not a month; the year is shown alone"]


@pytest.mark.parametrize(
    ("written", "data"),
    [
        ("{{WHO} Europe}", "WHO Europe"),  # braces inside the organisation's braces
        ("{Ann {Lee}}", "Ann Lee"),
        ("Le Guin, Ursula K.", {"family": "Le Guin", "given": "Ursula K."}),
        ("King, Jr. III, Martin", {"family": "King", "given": "Martin", "suffix": "Jr. III"}),
        ("A, B, C, D", {"family": "A", "given": "C D", "suffix": "B"}),  # too many commas: read, not refused
        (", Jean", ", Jean"),  # no last name: shown as written
    ],
)
def test_bibtex_names_of_several_words_and_odd_shapes(tmp_path: Path, written: str, data: object) -> None:
    entries, _ = bib(tmp_path, f"@misc{{a, title = {{T}}, author = {{{written}}}}}\n")
    assert names(Source(**entries["a"]).authors) == [data]


def test_year_one_goes_back_to_csl_as_year_one() -> None:
    assert edtf_to_csl("0001") == {"date-parts": [[1]]}
    assert edtf_to_csl("0001-21") == {"date-parts": [[1]], "season": 1}


def test_from_bibtex_reads_an_entry_bibtexparser_parsed_with_its_middlewares() -> None:
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors

    library = bibtexparser.parse_string(
        "@Article{Key1, TITLE = {A {T}itle}, author = {Doe, Jane and Roe, Rob}, year = 2020, journal = {J}}\n"
        "@Book{Key2, year = 2021}\n", append_middleware=[SeparateCoAuthors()])
    first, second = library.entries
    assert isinstance(first.fields_dict["author"].value, list)
    fields = from_bibtex(first, file="lib.bib")
    assert {k: fields[k] for k in ("key", "type", "published", "container")} == {
        "key": "Key1", "type": "article-journal", "published": "2020", "container": "J"}
    assert fields["title"].startswith("A ") and fields["title"].endswith("itle")
    assert names(fields["authors"]) == [{"family": "Doe", "given": "Jane"}, {"family": "Roe", "given": "Rob"}]
    with pytest.raises(rk.InputError) as caught:
        from_bibtex(second, file="lib.bib")
    assert (caught.value.field, caught.value.file) == ("@book{Key2}.title", "lib.bib")  # its parser lowercases types


@pytest.mark.parametrize(
    ("fields", "field", "shown"),
    [
        ("title = {The {NASA} story}", "title", "The <span class=\"nocase\">NASA</span> story"),
        ("title = {T}, subtitle = {The {NASA} story}", "title", "T: The <span class=\"nocase\">NASA</span> story"),
        ("title = {T}, journaltitle = {{NASA} Review}", "container", "<span class=\"nocase\">NASA</span> Review"),
        ("title = {T}, journal = {J}, journalsubtitle = {{NASA}}", "container", "J: <span class=\"nocase\">NASA</span>"),
        ("title = {T}, booktitle = {{NASA} Book}", "container", "<span class=\"nocase\">NASA</span> Book"),
        ("title = {T}, booktitle = {B}, booksubtitle = {{NASA}}", "container", "B: <span class=\"nocase\">NASA</span>"),
        ("title = {T}, maintitle = {{NASA} Works}", "container", "<span class=\"nocase\">NASA</span> Works"),
        ("title = {T}, maintitle = {M}, mainsubtitle = {{NASA}}", "container", "M: <span class=\"nocase\">NASA</span>"),
        ("title = {T}, eventtitle = {{NASA} Meeting}", "container", "<span class=\"nocase\">NASA</span> Meeting"),
    ],
)
def test_braces_protect_the_case_of_every_title_and_container(tmp_path: Path, fields: str, field: str, shown: str) -> None:
    entries, _ = bib(tmp_path, f"@misc{{a, {fields}}}\n")
    assert entries["a"][field] == shown


def test_the_title_a_parent_lends_is_a_main_title_only_for_multi_volume_parents(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@mvbook{mv, title = {Parent}}\n@book{b, title = {Parent}}\n"
                               "@inbook{c1, title = {C}, crossref = {mv}, maintitle = {Own main}}\n"
                               "@inbook{c2, title = {C}, crossref = {b}, maintitle = {Own main}}\n")
    assert entries["c1"]["container"] == "Own main"  # the mvbook's title would be a maintitle: the child's own wins
    assert entries["c2"]["container"] == "Parent"  # the book's title is a booktitle, which comes before a maintitle


def test_from_bibtex_needs_no_file() -> None:
    import bibtexparser

    entry = bibtexparser.parse_string("@misc{k, title = {T}, urldate = {never}}\n").entries[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert from_bibtex(entry)["title"] == "T"
    assert [str(w.message) for w in caught] == ["@misc{k}.urldate: 'never' is not a date; the field is left out of the source"]


@pytest.mark.parametrize("broken", ["@misc{dupfield, title = {x}, title = {y}}", "@misc{open, title = {x}"])
def test_an_uncited_entry_bibtexparser_cannot_parse_is_skipped_quietly_and_a_cited_one_named(
    tmp_path: Path, broken: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    path = write(tmp_path, "r.bib", f"@misc{{good, title = {{Fine}}}}\n\n{broken}\n")
    root = logging.getLogger().level
    with caplog.at_level(logging.DEBUG):
        root = logging.getLogger().level
        fields, warned = read(path, keys={"good"})
        assert logging.getLogger().level == root  # only bibtexparser's own logger is quietened
    assert [f["key"] for f in fields] == ["good"] and warned == []
    assert [r for r in caplog.records if r.name.startswith("bibtexparser")] == []
    key = re.search(r"\{(\w+),", broken).group(1)
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={key})
    assert caught.value.line == 3 and caught.value.message.startswith("BibTeX syntax error: ")


@pytest.mark.parametrize(
    ("fields", "field", "shown"),
    [
        ("title = {A}#{B}", "title", "AB"),
        ("title = {T}, note = {Hash {in} the # note}", "note", "Hash in the # note"),
        ("title = {T}, note = {In } # aug", "note", "In 8"),  # month macros are numbers, as in biblatex
        ("title = {Project X}, subtitle = {Sub}", "title", "Project X: Sub"),
        ("title = {Project X}, titleaddon = {Addon}", "title", "Project X. Addon"),
    ],
)
def test_concatenation_macros_and_joins_at_their_edges(tmp_path: Path, fields: str, field: str, shown: str) -> None:
    entries, _ = bib(tmp_path, f"@misc{{a, {fields}}}\n")
    assert entries["a"][field] == shown


def test_an_editor_type_without_its_editor_adds_nobody(tmp_path: Path) -> None:
    entries, _ = bib(tmp_path, "@book{a, title = {T}, editoratype = {translator}, editorbtype = {editor}}\n")
    assert "translators" not in entries["a"] and "editors" not in entries["a"]


@pytest.mark.parametrize(
    ("note", "refused"),
    [
        ("{a}" * 60, False),  # sixty groups side by side are one level deep
        ("{" * 50 + "}" * 50 + "{" * 50 + "}" * 50, False),  # fifty levels, twice
        ("{a" * 51 + "}" * 51, True),  # fifty-one levels with text between the braces
        ("{a}" + "{" * 51 + "}" * 51, True),  # fifty-one levels after a closed group
    ],
)
def test_the_brace_depth_of_a_field_is_its_deepest_nesting(tmp_path: Path, note: str, refused: bool) -> None:
    path = write(tmp_path, "r.bib", f"@misc{{a, title = {{T}}, note = {{{note}}}}}\n")
    if refused:
        with pytest.raises(rk.InputError, match="nests braces more than 50 deep"):
            read_references(path)
    else:
        assert read_references(path)[0]["key"] == "a"


@pytest.mark.parametrize("broken", ["@misc{open, title = {x}\n@misc{next, title = {y}}", "@misc{dupfield, title = {x}, title = {y}}"])
def test_a_syntax_error_says_what_bibtexparser_found_after_an_uncited_duplicate(tmp_path: Path, broken: str) -> None:
    import bibtexparser

    text = f"@misc{{dup, title = {{One}}}}\n@misc{{dup, title = {{Two}}}}\n{broken}\n"
    failed = [b for b in bibtexparser.parse_string(text, parse_stack=[]).failed_blocks
              if type(b).__name__ != "DuplicateBlockKeyBlock"][0]
    reason = (getattr(failed.error, "abort_reason", None) or str(failed.error or "")).strip()
    path = write(tmp_path, "r.bib", text)
    key = re.search(r"\{(\w+),", broken).group(1)
    with pytest.raises(rk.InputError) as caught:
        read_references(path, keys={key})
    expected = reason.splitlines()[0] if reason else "the entry cannot be parsed"
    assert caught.value.message == f"BibTeX syntax error: {expected}" and caught.value.line == 3
    assert caught.value.hint == "check the braces and commas of this entry"


@pytest.mark.parametrize(
    ("issued", "published"),
    [
        ({"date-parts": ["2020"], "literal": "2021"}, "2021"),  # date-parts that hold no list: the literal is read
        ({"date-parts": [[""]], "literal": "1999"}, "1999"),
        ({"date-parts": [[1987], [2003], "not read"]}, "1987/2003"),  # a third part is never read
        ({"date-parts": [[2005, 12, 15, "not read"]]}, "2005-12-15"),  # nor a fourth number
        ({"date-parts": [[0, 5]]}, "0000-05"),
        ({"date-parts": [[1987]], "season": 21}, "1987-21"),
        ({"date-parts": [[1987]], "season": "24"}, "1987-24"),
    ],
)
def test_csl_date_parts_at_their_edges(issued: object, published: str) -> None:
    assert csl({"issued": issued})[0]["published"] == published


def test_a_month_beyond_the_seasons_is_no_date_and_says_so(tmp_path: Path) -> None:
    items = {i["id"]: i for i in json.loads((REAL / "csl-test-suite-dates.json").read_text("utf-8"))}
    item = items["date_VariousInvalidDates-ITEM-3"]
    assert item["issued"] == {"date-parts": [[1965, 17, 1]]}
    path = write(tmp_path, "r.json", [item | {"title": "T"}])
    fields, warned = read(path)
    assert "published" not in fields[0]
    assert len(warned) == 1 and warned[0].startswith(f"{path}: [0] (id 'date_VariousInvalidDates-ITEM-3').published: ")


def test_a_csl_json_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", '[\n  {"id": "a", "title": "x"},\n  {"id": }\n]\n')
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert (caught.value.file, caught.value.line) == (str(path), 3)
    assert caught.value.message.startswith("JSON syntax error: ")


def test_circa_marks_only_the_ends_a_range_has() -> None:
    assert csl({"issued": {"date-parts": [[0], [2003]], "circa": True}})[0]["published"] == "/2003~"


def test_a_literal_date_is_read_as_edtf_only_not_in_the_forms_a_raw_date_may_take() -> None:
    fields, _ = csl({"issued": {"literal": "2024-3-7"}})
    assert fields["published_text"] == "2024-3-7" and "published" not in fields
    assert csl({"issued": {"raw": "2024-3-7"}})[0]["published"] == "2024-03-07"


def test_a_stand_in_creator_without_a_name_is_named_in_the_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", [{"id": "a", "title": "x", "director": [{}, {"family": "Kubrick"}]}])
    fields, warned = read(path)
    assert names(Source(**fields[0]).authors) == [{"family": "Kubrick"}]
    assert warned == [f"{path}: [0] (id 'a').director: the name {{}} has no family, given or literal name; it is left out"]


def test_a_sources_file_that_is_no_text_is_named_as_the_sources_file(tmp_path: Path) -> None:
    path = tmp_path / "r.bib"
    path.write_bytes(b"@misc{a,\n  title = {Caf\xe9}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == "the sources file is not UTF-8 text (byte 0xe9)"
    assert (caught.value.file, caught.value.line) == (str(path), 2)
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert caught.value.message == "this is a binary file, not a sources file"


def test_an_unusable_bibtex_key_names_the_entrys_line(tmp_path: Path) -> None:
    path = write(tmp_path, "r.bib", "@misc{a, title={x}}\n\n\n@misc{has~tilde,\n  title={y}}\n")
    with pytest.raises(rk.InputError) as caught:
        read_references(path)
    assert (caught.value.file, caught.value.line) == (str(path), 4)
    assert caught.value.field == "@misc{has~tilde}.key"


def test_an_entry_with_every_droppable_field_broken_keeps_its_key_and_title(tmp_path: Path) -> None:
    bell = "\x07"
    item = {"id": "a", "title": "Kept", "type": "no-such-type", "DOI": "not a doi", "URL": "ftp://e.org",
            "archive_location": f"https://e.org/{bell}", "note": f"n{bell}", "container-title": f"c{bell}",
            "publisher": f"p{bell}", "issued": {"literal": f"13th{bell}"}, "accessed": {"date-parts": [[2020, 30]]},
            "author": [f"A{bell}"], "editor": [f"E{bell}"], "translator": [f"T{bell}"],
            "container-author": [f"C{bell}"]}
    path = write(tmp_path, "r.json", [item])
    fields, warned = read(path)
    assert fields == [{"key": "a", "title": "Kept"}]
    assert len(warned) == 13
    assert {w.split(": ")[1].split(".")[1].split("[")[0] for w in warned} == {
        "type", "doi", "url", "archived", "note", "container", "publisher", "published_text", "accessed", "authors",
        "editors", "translators", "container_authors"}
