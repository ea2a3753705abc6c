"""The Markdown dialect: citations parsed exactly as written, raw HTML as text, typography, tables, image credits."""

from __future__ import annotations

import pytest

from reportkit.input.markdown import CiteItem, parse, parse_blocks, parser


def inline(text: str) -> list:
    """The inline tokens of a one-paragraph text."""
    blocks = parse(text)
    return [child for block in blocks for child in (block.children or [])]


def citations(text: str) -> list:
    return [token for token in inline(text) if token.type == "citation"]


def test_one_key_is_one_citation_without_a_locator() -> None:
    (token,) = citations("As shown [@nato-1954].")
    assert token.meta == {"items": [CiteItem("nato-1954", None)], "error": ""}
    assert token.content == "[@nato-1954]"


def test_several_keys_and_a_locator_keep_their_order_and_text() -> None:
    (token,) = citations("Both [@a; @b, p. 12; @c:2020/x.y-z, pp. 3-4].")
    assert token.meta["items"] == [CiteItem("a"), CiteItem("b", "p. 12"), CiteItem("c:2020/x.y-z", "pp. 3-4")]


def test_spaces_around_keys_and_locators_are_trimmed_but_inner_ones_kept() -> None:
    (token,) = citations("[@a ,  p.  12  ; @b]")
    assert token.meta["items"] == [CiteItem("a", "p.  12"), CiteItem("b")]


def test_the_text_around_a_citation_is_kept_to_the_character() -> None:
    tokens = inline("See [@a]. Next [@b]")
    assert [(t.type, t.content) for t in tokens] == [
        ("text", "See "), ("citation", "[@a]"), ("text", ". Next "), ("citation", "[@b]"),
    ]


def test_an_unclosed_citation_is_an_error_that_quotes_it() -> None:
    (token,) = citations("Text [@a and the rest")
    assert token.meta["items"] == []
    assert token.meta["error"] == "citation '[@a and the rest' is not closed with ']'"
    assert token.content == "[@a and the rest"


@pytest.mark.parametrize("body", ["@a; b", "@a.", "@-a", "@a, ", "@", "@a;"])
def test_a_malformed_citation_is_an_error_naming_its_text(body: str) -> None:
    (token,) = citations(f"Text [{body}] more")
    assert token.meta == {"items": [], "error": f"malformed citation [{body}]"}


def test_brackets_not_opening_with_an_at_sign_are_not_citations() -> None:
    assert citations("[see @a] and [a@b] and [ @a]x") == citations("[ @a]x")
    assert citations("[see @a]") == []


def test_raw_html_is_text_never_markup() -> None:
    tokens = parse("<script>alert(1)</script>\n\nA <b>bold</b> claim.")
    assert not [t for t in tokens if t.type.startswith("html")]
    assert not [c for t in tokens for c in (t.children or []) if c.type.startswith("html")]
    assert "<b>bold</b>" in "".join(c.content for t in tokens for c in (t.children or []))


def test_quotes_and_dashes_are_typeset() -> None:
    text = "".join(t.content for t in inline('He said "no" -- twice.'))
    assert text == "He said \u201cno\u201d \u2013 twice."


def test_tables_are_parsed() -> None:
    kinds = [t.type for t in parse("| a | b |\n|---|---|\n| 1 | 2 |\n")]
    assert "table_open" in kinds and kinds.count("th_open") == 2 and kinds.count("td_open") == 2


def test_an_image_keeps_its_credit_and_loses_other_attributes() -> None:
    (image,) = [t for t in inline('![A chart](c.svg "Caption"){credit="Chart: Desk" onload="x" width=3}') if t.type == "image"]
    assert image.attrGet("credit") == "Chart: Desk"
    assert image.attrGet("onload") is None and image.attrGet("width") is None
    assert image.attrGet("title") == "Caption"


def test_every_url_is_parsed_for_the_resolver_to_judge() -> None:
    (link,) = [t for t in inline("[x](javascript:alert(1))") if t.type == "link_open"]
    assert link.attrGet("href") == "javascript:alert(1)"


def test_one_parser_is_shared() -> None:
    assert parser() is parser()


def test_an_unclosed_citation_is_quoted_up_to_forty_characters() -> None:
    text = "[@" + "k" * 60
    (token,) = citations(text)
    assert token.meta["error"] == f"citation {text[:40]!r} is not closed with ']'"


#: Blocks of every kind, headings with quotes and dashes, and lines that only look like headings.
BLOCKS = """Lead "quoted" -- text [@a].

## The "first" section -- at last

| a | b |
|---|:-:|
| 1 | 2 |

```
## not a heading: in a fence
```

- item
  ## a heading inside a list item

> ## quoted heading

Setext heading
--------------

[ref]: https://example.org
"""


def test_block_parsing_finds_the_blocks_and_raw_heading_text_the_full_parse_finds() -> None:
    shape = lambda tokens: [(t.type, t.tag, t.map, t.level, t.content) for t in tokens]  # noqa: E731
    assert shape(parse_blocks(BLOCKS)) == shape(parse(BLOCKS))
    headings = [t.content for t in parse_blocks(BLOCKS) if t.type == "inline" and t.map[0] == 2]
    assert headings == ['The "first" section -- at last']  # as written: smart quotes are the inline parse's


def test_block_parsing_leaves_the_inline_text_unparsed() -> None:
    inline_tokens = [t for t in parse_blocks(BLOCKS) if t.type == "inline"]
    assert inline_tokens and all(not t.children for t in inline_tokens)
    assert any(t.children for t in parse(BLOCKS) if t.type == "inline")
