"""ClaimReview JSON-LD: Google's required fields, the rating scale mapping, JSON-LD validity, embedding."""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.render.claimreview import GOOGLE_REQUIRED, claimreview, missing_for_google, rating_value
from reportkit.document.model import DEFAULT_SCALE

from conftest import SAMPLES, messages, require_module, run_cli


def _check(rating: str = "false", **claim: str) -> rk.FactCheck:
    check = rk.FactCheck("Is the tide table right?", language="en-GB", published="2025-01-02",
                         publisher={"name": "Desk", "url": "https://desk.example.org"},
                         url="https://desk.example.org/checks/tide")
    check.claim(claim.pop("text", "The tide table is wrong."), claimant=claim.pop("claimant", "A blogger"), **claim)
    check.verdict(rating, explanation="Mostly *fine* [@tides].")
    check.section("The table", "It matches [@tides].").source("tides", title="Tide tables", url="https://tides.example.org")
    return check


@pytest.fixture(scope="module")
def nato_review() -> dict:
    return rk.load(SAMPLES / "russia-nato.md").to_claimreview()


def test_sample_claimreview_has_every_field_google_requires(nato_review: dict) -> None:
    assert missing_for_google(nato_review) == []
    assert set(GOOGLE_REQUIRED) >= {"claimReviewed", "reviewRating.alternateName", "url", "itemReviewed.author.name"}
    assert nato_review["@context"] == "https://schema.org"
    assert nato_review["@type"] == "ClaimReview"
    assert nato_review["claimReviewed"] == "Russia once applied to join NATO and was turned down."
    assert nato_review["url"] == "https://factdesk.example.org/checks/russia-nato"
    assert nato_review["author"] == {"@type": "Organization", "name": "Northlight Fact Desk", "url": "https://factdesk.example.org"}
    assert nato_review["datePublished"] == "2025-11-20" and nato_review["dateModified"] == "2025-11-22"
    assert nato_review["inLanguage"] == "en"


def test_item_reviewed_is_a_claim_with_author_date_and_appearances(nato_review: dict) -> None:
    item = nato_review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Posts on social media"}
    assert item["datePublished"] == "2025-11-01"
    urls = [a["url"] for a in item["appearance"]]
    assert urls[0].startswith("https://social.example.com/") and urls[1].startswith("https://web.archive.org/")
    assert all(a["@type"] == "CreativeWork" for a in item["appearance"])


def test_review_rating_comes_from_the_scale_and_the_verdict_label(nato_review: dict) -> None:
    rating = nato_review["reviewRating"]
    assert rating["alternateName"] == "No formal application"
    assert rating["name"] == "False"
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (1, 5, 1)
    assert "[@" not in rating["ratingExplanation"] and "Neither the Soviet Union" in rating["ratingExplanation"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("true", 5), ("mostly-true", 4), ("mixed", 3), ("mostly-false", 2), ("false", 1), ("unsupported", None)],
)
def test_default_scale_maps_more_accurate_ratings_to_higher_values(key: str, value: int | None) -> None:
    result = rating_value(DEFAULT_SCALE, DEFAULT_SCALE.get(key))
    assert (result[0] if result else None) == value


def test_an_ungraded_rating_gets_its_name_but_no_number() -> None:
    review = _check("unsupported").to_claimreview()
    assert review["reviewRating"]["alternateName"] == "Unsupported"
    assert not {"ratingValue", "bestRating", "worstRating"} & set(review["reviewRating"])


def test_a_custom_scale_is_ranked_by_its_order() -> None:
    check = _check("a").rating_scale(
        "three", [{"key": "c", "label": "Wrong", "order": 3, "colour": "#aa0000"},
                  {"key": "a", "label": "Right", "order": 1, "colour": "#00aa00"},
                  {"key": "b", "label": "Half", "order": 2, "colour": "#aaaa00"}]
    )
    rating = check.to_claimreview()["reviewRating"]
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"], rating["alternateName"]) == (3, 3, 1, "Right")


def test_claimant_type_organization_gives_an_organization_author() -> None:
    review = _check(claimant="Ministry of Tides", claimant_type="organization").to_claimreview()
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Ministry of Tides"}


def test_missing_url_and_claimant_are_warned_about_not_invented() -> None:
    check = rk.FactCheck("Is it so?").verdict("false").section("S", "Text.")
    with pytest.warns(rk.ReportkitWarning, match=r"publisher.*web address \('url:'\).*claimant"):
        review = check.to_claimreview()
    assert "url" not in review and "author" not in review
    assert review["claimReviewed"] == "Is it so?"  # a question-style check reviews its title


def test_without_a_verdict_there_is_no_claimreview() -> None:
    with pytest.raises(rk.InputError, match="needs a verdict"):
        claimreview(rk.FactCheck("Is it so?").section("S", "Text.").document)


def test_claimreview_expands_as_json_ld(nato_review: dict) -> None:
    pyld = require_module("pyld")
    from pyld import jsonld

    def offline_loader(url: str, options: dict | None = None) -> dict:
        # The network is never used: schema.org's context maps every term into its vocabulary.
        assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": "https://schema.org/"}}}

    expanded = jsonld.expand(nato_review, {"documentLoader": offline_loader})
    assert pyld and len(expanded) == 1
    node = expanded[0]
    assert node["@type"] == ["https://schema.org/ClaimReview"]
    rating = node["https://schema.org/reviewRating"][0]
    assert rating["https://schema.org/alternateName"][0]["@value"] == "No formal application"
    assert rating["https://schema.org/ratingValue"][0]["@value"] == 1
    claim = node["https://schema.org/itemReviewed"][0]
    assert claim["@type"] == ["https://schema.org/Claim"]
    assert claim["https://schema.org/author"][0]["https://schema.org/name"][0]["@value"] == "Posts on social media"


def test_verdict_fields_give_the_verdict_for_xmp() -> None:
    fields = rk.load(SAMPLES / "energy-bills.md").verdict_fields()
    assert fields["rating"] == "mostly-false" and fields["rating_value"] == "2"
    assert fields["best_rating"] == "5" and fields["worst_rating"] == "1"
    assert fields["label"] and fields["claim"] and all(isinstance(v, str) for v in fields.values())


def test_build_format_claimreview_writes_slug_claimreview_json(tmp_path: Path, nato_review: dict) -> None:
    proc = run_cli("build", str(SAMPLES / "russia-nato.md"), "-o", str(tmp_path), "--format", "claimreview")
    assert proc.returncode == 0, proc.stderr
    written = tmp_path / "russia-nato.claimreview.json"
    assert json.loads(written.read_text(encoding="utf-8")) == nato_review
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".reportkit-cache.json") == [
        "russia-nato.claimreview.json"
    ]


@pytest.mark.slow
def test_epub_embeds_the_claimreview_and_stays_valid(built: dict, epubcheck, nato_review: dict) -> None:
    epub = built["russia-nato"]["epub"]
    title = zipfile.ZipFile(epub).read("EPUB/title.xhtml").decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', title, re.S)
    assert found and json.loads(found.group(1)) == nato_review
    report = epubcheck.run(epub)[epub]
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, messages(report)


def test_embedded_json_cannot_close_its_script_element() -> None:
    check = _check(text="Tides </script><script>alert(1)</script> & more")
    data = check.render("epub")
    title = zipfile.ZipFile(io.BytesIO(data)).read("EPUB/title.xhtml").decode()
    assert title.count("</script>") == 1 and "<script>alert" not in title
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', title, re.S).group(1)
    assert json.loads(script)["claimReviewed"] == "Tides </script><script>alert(1)</script> & more"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = check.render("html").decode()
    assert html.count("</script>") == 1
