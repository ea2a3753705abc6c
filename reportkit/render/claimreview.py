"""schema.org ``ClaimReview``: the web's standard form of a fact-check's verdict, as JSON-LD.

:func:`claimreview` builds it from a validated document; the ``claimreview``
output format writes it to a file, and the EPUB and HTML outputs embed it.
The numeric rating comes from the rating scale: graded ratings (those that say
how true a claim is) are numbered from the least accurate (``worstRating`` 1)
to the most accurate (``bestRating``); a rating that is not graded, such as
``unsupported``, gets only its name (``alternateName``). :func:`verdict_fields`
gives the same verdict as plain strings for other metadata (the PDF's XMP).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from ..errors import InputError, ReportkitWarning
from ..document.model import Document, Rating, RatingScale

__all__ = ["GOOGLE_REQUIRED", "claimreview", "claimreview_json", "missing_for_google", "rating_value", "verdict_fields"]

#: Fields Google's fact-check markup documentation asks for, as paths into the ClaimReview.
GOOGLE_REQUIRED = (
    "claimReviewed",
    "reviewRating.alternateName",
    "author.name",
    "url",
    "itemReviewed.author.name",
)


def rating_value(scale: RatingScale, rating: Rating) -> tuple[int, int, int] | None:
    """``(ratingValue, bestRating, worstRating)`` of ``rating`` on ``scale``, or None if it is not graded.

    Graded ratings are ranked by their ``order`` (1 = most accurate): the most accurate
    gets the highest value, so that a larger number means "more true", as ClaimReview expects.
    """
    graded = sorted((r for r in scale.ratings if r.graded), key=lambda r: r.order, reverse=True)
    if not rating.graded or rating not in graded:
        return None
    return graded.index(rating) + 1, len(graded), 1


def claimreview(doc: Document) -> dict[str, Any]:
    """The ``ClaimReview`` JSON-LD of ``doc`` as a dict (raises InputError without a verdict)."""
    rating = doc.rating
    if doc.verdict is None or rating is None:
        raise InputError(
            "a ClaimReview needs a verdict",
            field="verdict",
            hint="add 'verdict: {rating: ..., label: ...}' to the fact-check",
        )
    review: dict[str, Any] = {"@context": "https://schema.org", "@type": "ClaimReview"}
    if doc.url:
        review["url"] = doc.url
    review["claimReviewed"] = doc.claim.text if doc.claim else doc.title
    review["headline"] = doc.title
    item: dict[str, Any] = {"@type": "Claim"}
    claim = doc.claim
    if claim and claim.claimant:
        kind = "Organization" if claim.claimant_type == "organization" else "Person"
        item["author"] = {"@type": kind, "name": claim.claimant}
    if claim and claim.date:
        item["datePublished"] = claim.date
    appearances = [url for url in (claim.url, claim.archived) if url] if claim else []
    if appearances:
        item["appearance"] = [{"@type": "CreativeWork", "url": url} for url in appearances]
        item["firstAppearance"] = item["appearance"][0]
    review["itemReviewed"] = item
    label = doc.verdict.label or rating.label
    scored: dict[str, Any] = {"@type": "Rating", "alternateName": label, "name": rating.label}
    value = rating_value(doc.scale, rating)
    if value is not None:
        scored.update(ratingValue=value[0], bestRating=value[1], worstRating=value[2])
    if doc.verdict.explanation:
        scored["ratingExplanation"] = plain_text(doc.verdict.explanation)
    review["reviewRating"] = scored
    if doc.publisher:
        author: dict[str, Any] = {"@type": "Organization", "name": doc.publisher.name}
        if doc.publisher.url:
            author["url"] = doc.publisher.url
        review["author"] = author
    if doc.published:
        review["datePublished"] = doc.published
    if doc.updated:
        review["dateModified"] = doc.updated
    review["inLanguage"] = doc.language
    return review


def missing_for_google(review: dict[str, Any]) -> list[str]:
    """The paths of :data:`GOOGLE_REQUIRED` that ``review`` lacks."""
    missing = []
    for path in GOOGLE_REQUIRED:
        node: Any = review
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not node:
            missing.append(path)
    return missing


_WHAT_TO_ADD = {
    "url": "the fact-check's web address ('url:')",
    "author.name": "the publisher ('publisher: {name: ...}')",
    "itemReviewed.author.name": "who made the claim ('claim: {claimant: ...}')",
}


def warn_missing(review: dict[str, Any], *, file: str | None = None) -> None:
    """Warn (ReportkitWarning) about the fields Google needs that the fact-check does not give."""
    missing = missing_for_google(review)
    if missing:
        wanted = "; ".join(_WHAT_TO_ADD.get(path, path) for path in missing)
        where = f"{file}: " if file else ""
        warnings.warn(
            f"{where}the ClaimReview lacks what Google's fact-check markup requires: add {wanted}",
            ReportkitWarning,
            stacklevel=3,
        )


def claimreview_json(doc: Document, *, indent: int | None = 2) -> str:
    """The ClaimReview as JSON text (UTF-8, key order as built)."""
    return json.dumps(claimreview(doc), ensure_ascii=False, indent=indent) + ("\n" if indent else "")


def script_json(doc: Document) -> str:
    """The ClaimReview as JSON that is safe inside an HTML or XHTML ``<script>`` element."""
    text = json.dumps(claimreview(doc), ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text on one line: no markup, no citations."""
    from ..input.markdown import parse

    words = []
    for block in parse(markdown):
        for child in block.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if block.type.endswith("_close") and block.block:
            words.append(" ")
    return " ".join("".join(words).split()).replace(" .", ".").replace(" ,", ",")


def verdict_fields(doc: Document) -> dict[str, str]:
    """The verdict as plain strings, for metadata such as the PDF's XMP; empty without a verdict.

    Keys: ``rating`` (the scale key), ``rating_label``, ``label`` (the verdict's own label),
    ``explanation``, ``scale``, and for graded ratings ``rating_value``, ``best_rating``,
    ``worst_rating`` (as in ClaimReview), plus ``claim`` and ``claimant`` when known.
    """
    rating = doc.rating
    if doc.verdict is None or rating is None:
        return {}
    fields = {
        "rating": rating.key,
        "rating_label": rating.label,
        "label": doc.verdict.label or rating.label,
        "explanation": plain_text(doc.verdict.explanation),
        "scale": doc.scale.name,
    }
    value = rating_value(doc.scale, rating)
    if value is not None:
        fields.update(rating_value=str(value[0]), best_rating=str(value[1]), worst_rating=str(value[2]))
    if doc.claim:
        fields["claim"] = doc.claim.text
        if doc.claim.claimant:
            fields["claimant"] = doc.claim.claimant
    return {k: v for k, v in fields.items() if v}
