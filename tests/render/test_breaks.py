"""Which end of a headline is kept together (:mod:`reportkit.render.breaks`); expected values from the input."""

from __future__ import annotations

import pytest

from reportkit.render.breaks import MAX_TAIL, keep_end, split_end


@pytest.mark.parametrize(("title", "tail"), [
    ("Has Russia ever formally applied for NATO membership?", "NATO membership?"),
    ("Have household energy bills doubled since 2021?", "since 2021?"),
    ("5G 네트워크가 COVID-19를 퍼뜨리나?", "COVID-19를 퍼뜨리나?"),  # Korean puts spaces between words
    ("เครือข่าย 5G แพร่เชื้อ COVID-19 จริงหรือ?", "COVID-19 จริงหรือ?"),
    ("האם רשתות 5G מפיצות את COVID-19?", "את COVID-19?"),
    ("5GネットワークはCOVID-19を広めるのか？", "のか？"),  # no spaces: the last three characters
    ("5G網路會傳播COVID-19嗎?", "9嗎?"),  # a wide character before a narrow question mark
])
def test_the_last_two_words_or_three_wide_characters_are_kept(title, tail):
    head, end = split_end(title)
    assert end == tail
    assert head + end == title


@pytest.mark.parametrize("title", [
    "Brexit?",  # one word
    "Inflation falling?",  # two words: kept together, the title could not break at all
    "Is " + "x" * (MAX_TAIL - 5) + " true?",  # a tail over MAX_TAIL characters could not fit a narrow column
    "Is it donaudampfschifffahrtsgesellschaftskapitän?",
    "Ist das wahr?!",
    "です",  # wide, but no more than three characters
])
def test_nothing_is_kept_when_the_title_could_not_break_or_the_tail_is_long(title):
    head, end = split_end(title)
    if title == "Ist das wahr?!":
        assert end == "das wahr?!"
    else:
        assert (head, end) == (title, "")


def test_combining_marks_and_joined_emoji_count_as_one_character():
    # U+3099 (a combining voiced mark) stays on its kana; the ZWJ family emoji is one character.
    title = "本当に" + "\u304b\u3099" + "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert split_end(title)[1] == "に" + "\u304b\u3099" + "\U0001F468\u200d\U0001F469\u200d\U0001F467"


def test_whitespace_inside_the_tail_is_kept_as_written_and_the_title_stripped():
    assert split_end("  Is this\tthe  real life? ") == ("Is this\tthe  ", "real life?")


def test_a_no_break_space_joins_two_words_into_one():
    # "real\u00a0life?" is one word already: the tail is the two words before the last break.
    assert split_end("Is this the real\u00a0life?") == ("Is this ", "the real\u00a0life?")


def test_the_html_is_escaped_and_only_the_tail_is_wrapped():
    html = keep_end('Did <script>alert(1)</script> & "friends" win?')
    assert str(html) == 'Did &lt;script&gt;alert(1)&lt;/script&gt; &amp; <span class="keep">&#34;friends&#34; win?</span>'
    assert str(keep_end("<b>Two</b> words")) == "&lt;b&gt;Two&lt;/b&gt; words"


def test_the_filter_is_available_to_every_layout():
    from reportkit.render.layouts import FILTERS

    assert FILTERS["keep_end"] is keep_end


# --- lead-in paragraphs ------------------------------------------------------------------------------


def _leads(markdown: str) -> list[bool]:
    """leads_in for every paragraph of ``markdown``, in order."""
    from reportkit.input.markdown import parse
    from reportkit.render.breaks import leads_in

    tokens = parse(markdown)
    return [leads_in(tokens, i) for i, token in enumerate(tokens) if token.type == "paragraph_open"]


@pytest.mark.parametrize(("markdown", "expected"), [
    ("The figures:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", [True]),
    ("Three reasons:\n\n- one\n- two\n", [True, False, False]),  # tight list items are paragraphs too
    ("Steps:\n\n1. one\n2. two\n", [True, False, False]),
    ("The command:\n\n```\nreportkit build\n```\n", [True]),
    ("As drawn:\n\n![A chart](chart.svg)\n", [True, False]),
    ("Full-width：\n\n- 一\n", [True, False]),
    ('He wrote "as follows:"\n\n- a\n', [True, False]),  # a closing quote after the colon
    ("No colon.\n\n- a\n", [False, False]),
    ("A colon:\n\nThen a paragraph.\n", [False, False]),  # a paragraph is not introduced
    ("At 10:30\n\n- a\n", [False, False]),
    ("Last words:\n", [False]),
    ("- an item:\n\n  - nested\n\nafter\n", [True, False, False]),  # an item's paragraph leads in to its list
    ("> quoted:\n\n- a\n", [False, False]),  # the list is outside the quote the paragraph ends
    ("Article 10 reads in part:\n\n> The Parties may\n", [True, False]),  # a quotation is introduced too
])
def test_a_paragraph_ending_with_a_colon_leads_in_to_a_table_list_code_or_figure(markdown, expected):
    assert _leads(markdown) == expected
