"""The model: validation with precise errors, the builder, and lossless round trips."""

from __future__ import annotations

import json

import pytest

import reportkit as rk
from reportkit.document.model import DEFAULT_SCALE, slugify, validate


def minimal(**extra):
    data = {"title": "Is the sky green?", "sections": [{"heading": "Colour", "body": "It is blue."}]}
    data.update(extra)
    return data


def error_of(data) -> rk.InputError:
    with pytest.raises(rk.InputError) as info:
        validate(data, file="check.yaml")
    return info.value


def test_minimal_document_is_valid_and_gets_a_slug_from_its_title():
    doc = validate(minimal())
    assert doc.id == "is-the-sky-green"
    assert doc.language == "en"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"sections": [{"heading": "A"}]}, "title", "missing"),
        (minimal(title="   "), "title", "empty"),
        (minimal(sections=[]), "sections", "at least one section"),
        (minimal(verdict={"rating": "pants-on-fire"}), "verdict.rating", "unknown rating"),
        (minimal(published="2025-13-40"), "published", "date"),
        (minimal(published="20 November"), "published", "YYYY-MM-DD"),
        (minimal(sources=[{"key": "a", "title": "T", "url": "ftp://example.org/x"}]), "sources[0].url", "http"),
        (minimal(sources=[{"key": "a", "title": "T", "url": "javascript:alert(1)"}]), "sources[0].url", "http"),
        (
            minimal(sources=[{"key": "a", "title": "T"}, {"key": "a", "title": "U"}]),
            "sources[1].key",
            "duplicate source key 'a'",
        ),
        (minimal(authors=[["nested"]]), "authors[0]", "text"),
        (minimal(claim=["a list"]), "claim", "mapping"),
        (minimal(titel="typo"), "titel", "did you mean 'title'"),
        (minimal(language="english please"), "language", "BCP 47"),
        (minimal(sources=[{"key": "bad key", "title": "T"}]), "sources[0].key", "not a usable key"),
    ],
)
def test_invalid_fields_are_reported_with_their_path(data, field, words):
    error = error_of(data)
    assert error.field == field
    assert words in str(error)
    assert str(error).startswith("check.yaml: ")


def test_unquoted_yaml_booleans_mean_the_ratings_true_and_false():
    assert validate(minimal(verdict={"rating": False})).verdict.rating == "false"
    assert validate(minimal(verdict={"rating": True})).rating.key == "true"


def test_default_scale_ships_six_ordered_ratings_with_colours():
    keys = [r.key for r in DEFAULT_SCALE.ratings]
    assert keys == ["true", "mostly-true", "mixed", "mostly-false", "false", "unsupported"]
    assert [r.order for r in DEFAULT_SCALE.ratings] == sorted(r.order for r in DEFAULT_SCALE.ratings)
    assert all(r.colour.startswith("#") and r.symbol for r in DEFAULT_SCALE.ratings)


def test_a_custom_rating_scale_replaces_the_default():
    scale = {
        "name": "meter",
        "ratings": [
            {"key": "correct", "label": "Correct", "order": 1, "colour": "#00aa00"},
            {"key": "wrong", "label": "Wrong", "order": 2, "colour": "#aa0000"},
        ],
    }
    doc = validate(minimal(rating_scale=scale, verdict={"rating": "wrong"}))
    assert doc.rating.label == "Wrong"
    assert error_of(minimal(rating_scale=scale, verdict={"rating": "false"})).field == "verdict.rating"


def test_dates_may_be_yaml_dates_or_strings_and_sources_may_have_partial_dates():
    import datetime as dt

    doc = validate(minimal(published=dt.date(2025, 11, 20), sources=[{"key": "a", "title": "T", "published": "1954"}]))
    assert doc.published == "2025-11-20"
    assert doc.sources[0].published == "1954"


def test_slugs_of_non_latin_titles_are_stable_hashes():
    assert slugify("Вступала ли Россия в НАТО?") == slugify("Вступала ли Россия в НАТО?")
    assert slugify("Вступала ли Россия в НАТО?").startswith("factcheck-")
    assert slugify("Crème brûlée: is it French?") == "creme-brulee-is-it-french"


def build_check() -> rk.FactCheck:
    return (
        rk.FactCheck("Has Russia ever formally applied for NATO membership?", authors=["A. Writer"],
                     publisher="Example Checks", published="2025-11-20", tags=["NATO"])
        .claim("Russia once applied to join NATO.", claimant="Posts on social media", date="2025-11-01")
        .verdict("false", label="No formal application", explanation="Never [@a].")
        .summary("Summary [@a].")
        .section("Early proposals", "In 1954 ... [@b, p. 3]")
        .source("a", title="Enlargement", url="https://www.nato.int/x", accessed="2025-11-20")
        .source("b", title="Soviet note", authors=["V. Molotov"], published="1954-03-31")
        .correction("2025-11-22", "Clarified a date.")
    )


def test_the_builder_chains_and_validates():
    check = build_check()
    doc = check.document
    assert doc.claim.claimant == "Posts on social media"
    assert doc.verdict.label == "No formal application"
    assert [s.key for s in doc.sources] == ["a", "b"]
    assert doc.publisher.name == "Example Checks"


def test_builder_calls_fail_at_once_naming_the_field():
    check = rk.FactCheck("Title?")
    with pytest.raises(rk.InputError, match=r"sources\[0\]\.url"):
        check.source("a", title="T", url="not a url")
    check.source("a", title="T")
    with pytest.raises(rk.InputError, match="duplicate source key 'a'"):
        check.source("a", title="U")
    with pytest.raises(rk.InputError, match=r"claim\.date"):
        check.claim("Text", date="yesterday")


def test_a_document_without_sections_is_refused_when_used():
    with pytest.raises(rk.InputError, match="at least one section"):
        rk.FactCheck("Title?").document


def test_to_dict_and_from_dict_round_trip_without_loss():
    check = build_check()
    data = check.to_dict()
    again = rk.FactCheck.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == data
    assert again == check
    assert json.loads(check.to_json()) == data


def test_loaded_samples_round_trip_through_json(samples):
    for source in samples.glob("*.md"):
        if source.name == "README.md":
            continue
        check = rk.load(source)
        assert rk.FactCheck.from_dict(json.loads(check.to_json()), base_dir=samples) == check


_BUILD_PROBE = """
import json, sys, tokenize
from reportkit.document import model
import reportkit.options
print(json.dumps({
    "tokenizer_used": tokenize._compile.cache_info().currsize > 0,
    "complete": {name: getattr(model, name).__pydantic_complete__ for name in ("Document", "ReportMeta", "ReportRating")},
}))
"""


def _model_probe(extra: str = "") -> dict:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _BUILD_PROBE.replace("import reportkit.options", "import reportkit.options\n" + extra)],
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_building_the_models_parses_no_signature_text_and_leaves_the_report_metadata_models_for_later():
    # A builtin default factory (list, dict) has its signature parsed from text by the tokenizer as pydantic
    # builds the model; the models a build never validates (a report's metadata, read back) are built on first use.
    probe = _model_probe()
    assert probe["tokenizer_used"] is False
    assert probe["complete"] == {"Document": True, "ReportMeta": False, "ReportRating": False}


def test_the_probe_sees_a_builtin_default_factory_and_a_model_built_on_first_use():
    # The negative of the test above: a model with default_factory=list uses the tokenizer; validating
    # report metadata builds its models.
    probe = _model_probe(
        "import pydantic\n"
        "class M(pydantic.BaseModel):\n    items: list[int] = pydantic.Field(default_factory=list)\n"
        "model.validate_part(model.ReportMeta, {'title': 'T', 'rating': {'key': 'false'}})\n"
    )
    assert probe["tokenizer_used"] is True
    assert probe["complete"]["ReportMeta"] is True


def test_list_fields_default_to_a_new_empty_list_each():
    first, second = validate(minimal()), validate(minimal())
    assert first.authors == [] and first.sources == [] and first.nocite == []
    assert first.authors is not second.authors
    assert rk.BuildOptions().layout_options == {} and rk.BuildOptions().layout_options is not rk.BuildOptions().layout_options
