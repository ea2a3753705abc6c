"""Sources are numbered by first citation, every citation gets a unique id, and bad citations name their line.

Expected numbers, ids and lines are written out from the input texts below, never taken from
the code under test.
"""

from __future__ import annotations

import pytest

import reportkit as rk
from reportkit.document.model import Source
from reportkit.input.markdown import parse
from reportkit.resolve.citations import Part, Ref, iter_citations, number_citations

SOURCES = [Source(key=key, title=f"Title {key}") for key in ("alpha", "beta", "gamma", "delta")]


def part(name: str, text: str, line: int | None = 1) -> Part:
    return Part(name=name, title=name.title(), tokens=parse(text), line=line)


def test_sources_are_numbered_in_order_of_first_citation_across_parts() -> None:
    table = number_citations(
        [part("summary", "First [@beta], then [@alpha, p. 2]."), part("sections[0].body", "Again [@gamma; @alpha].")],
        SOURCES,
    )
    assert [s.key for s in table.cited] == ["beta", "alpha", "gamma"]
    assert [s.key for s in table.uncited] == ["delta"]
    assert table.refs["alpha"] == [
        Ref(number=2, key="alpha", locator="p. 2", id="cite-2-1", first=True, part="summary"),
        Ref(number=2, key="alpha", locator=None, id="cite-2-2", first=False, part="sections[0].body"),
    ]
    assert table.refs["gamma"] == [Ref(3, "gamma", None, "cite-3-1", True, "sections[0].body")]


def test_each_citation_token_carries_its_refs_in_written_order() -> None:
    summary = part("summary", "One [@delta; @beta, ch. 4] two [@delta].")
    number_citations([summary], SOURCES)
    cited = [[(ref.key, ref.number, ref.locator, ref.id) for ref in token.meta["refs"]]
             for _, token in iter_citations(summary.tokens)]
    assert cited == [[("delta", 1, None, "cite-1-1"), ("beta", 2, "ch. 4", "cite-2-1")], [("delta", 1, None, "cite-1-2")]]


def test_uncited_sources_keep_their_input_order() -> None:
    table = number_citations([part("summary", "Only [@gamma].")], SOURCES)
    assert [s.key for s in table.uncited] == ["alpha", "beta", "delta"]


def test_an_unknown_key_suggests_the_closest_known_ones() -> None:
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("summary", "Text [@alpah].", line=7)], SOURCES)
    error = caught.value
    assert "unknown source key 'alpah' cited in Summary" in str(error)
    assert error.hint == "did you mean 'alpha'?"
    assert (error.field, error.line) == ("summary", 7)


def test_an_unknown_key_far_from_all_lists_the_known_keys_sorted() -> None:
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("summary", "Text [@zzz].")], SOURCES)
    assert caught.value.hint == "known keys: alpha, beta, delta, gamma"


def test_a_citation_with_no_sources_at_all_says_to_add_one() -> None:
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("summary", "Text [@a].")], [])
    assert caught.value.hint == "add the source under 'sources:'"


def test_a_malformed_citation_names_its_part_and_the_line_of_its_paragraph() -> None:
    text = "First paragraph.\n\nSecond paragraph\nwith a broken [@alpha; beta] citation."
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("sections[2].body", text, line=40)], SOURCES)
    error = caught.value
    assert "malformed citation [@alpha; beta] in Sections[2].Body" in str(error)
    assert (error.field, error.line) == ("sections[2].body", 42)
    assert "[@key1; @key2, p. 12]" in (error.hint or "")


def test_a_part_without_a_line_reports_none() -> None:
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("summary", "Text [@nope].", line=None)], SOURCES)
    assert caught.value.line is None


def test_a_malformed_citation_in_a_loaded_file_names_the_file_line(tmp_path) -> None:
    source = tmp_path / "check.md"
    source.write_text(
        "---\ntitle: Is it cited well?\nsources:\n  - {key: a, title: A}\n---\n"
        "Summary [@a].\n\n## One\n\nFine text.\n\nBroken [@a, ] here.\n",
        encoding="utf-8",
    )
    with pytest.raises(rk.CitationError) as caught:
        rk.load(source).resolve()
    assert caught.value.line == 12
    assert str(caught.value.file).endswith("check.md")


def test_at_most_three_close_keys_are_suggested_joined_by_or() -> None:
    sources = [Source(key=f"nato-{year}", title="t") for year in (1949, 1952, 1955, 1982)]
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("summary", "Text [@nato-195].")], sources)
    # closest first: both 195x keys hold all of 'nato-195'; of the others, 1982 keeps one more character in order
    assert caught.value.hint == "did you mean 'nato-1955' or 'nato-1952' or 'nato-1982'?"


def test_a_key_half_like_a_known_one_is_still_suggested() -> None:
    # difflib's ratio of 'abcxyz' to 'abcdef' is exactly 0.5: the cut-off admits it.
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("summary", "Text [@abcxyz].")], [Source(key="abcdef", title="t")])
    assert caught.value.hint == "did you mean 'abcdef'?"


def test_the_known_keys_listed_stop_at_eight() -> None:
    sources = [Source(key=f"k{i:02}", title="t") for i in range(12)]
    with pytest.raises(rk.CitationError) as caught:
        number_citations([part("summary", "Text [@zzzzzzzz].")], sources)
    assert caught.value.hint == "known keys: k00, k01, k02, k03, k04, k05, k06, k07"
