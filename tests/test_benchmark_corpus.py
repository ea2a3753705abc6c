"""The benchmarks' generated dossiers: a k-times dossier holds exactly k times the 1x's content."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import corpus  # noqa: E402


def _content(path: Path) -> dict[str, int]:
    """What a dossier holds, counted from its Markdown: words, citations, sources, list items, table rows, figures, URLs."""
    _, header, body = path.read_text(encoding="utf-8").split("---", 2)
    return {
        "words": len(body.split()),
        "citations": len(re.findall(r"@s\d{4}", body)),
        "sources": len(yaml.safe_load(header)["sources"]),
        "long source titles": sum("annexes" in s["title"] for s in yaml.safe_load(header)["sources"]),
        "list items": len(re.findall(r"^- ", body, re.M)),
        "table rows": len(re.findall(r"^\| \d{4} \|", body, re.M)),
        "figures": body.count("!["),
        "URLs in the text": body.count("https://"),
        "sections": len(re.findall(r"^## ", body, re.M)),
    }


@pytest.mark.parametrize("factor", [4, 16])
def test_a_dense_dossier_k_times_the_size_holds_k_times_the_content_of_the_1x(tmp_path, factor):
    one = _content(corpus.dense_dossier(tmp_path / "one", 1))
    big = _content(corpus.dense_dossier(tmp_path / "big", factor))
    assert one["citations"] > 50 and one["figures"] > 0 and one["table rows"] > 0
    assert big == {what: factor * count for what, count in one.items()}


def test_the_parts_of_a_dense_dossier_differ_in_their_words(tmp_path):
    text = corpus.dense_dossier(tmp_path, 2).read_text(encoding="utf-8")
    sections = re.split(r"^## .*$", text, flags=re.M)[1:]
    assert len(sections) == 14
    assert all(sections[i] != sections[i + 7] for i in range(7))
