"""The PDF's text layer gives back Hindi, Bengali, Tamil, Thai and Khmer text: /ActualText spans.

The expected text is the input's own words, read back with poppler's pdftotext (which honours
/ActualText, as pdf.js, PDFium and Acrobat do).
"""

from __future__ import annotations

import io
import re
import unicodedata

import pikepdf
import pytest

import reportkit as rk
from pdfutil import pdf_text
from reportkit.writers.pdf import actualtext

#: One sentence per script whose clusters are drawn with several glyphs: pre-base vowel signs,
#: conjuncts, stacked tone marks, subscripts.
SENTENCES = {
    "hi": "प्रधानमंत्री ने कहा कि स्वास्थ्य मंत्रालय की रिपोर्ट में क्षेत्रीय आँकड़े नहीं थे।",
    "bn": "স্বাস্থ্য মন্ত্রণালয়ের প্রতিবেদনে আঞ্চলিক তথ্য ছিল না।",
    "ta": "சுகாதார அமைச்சகத்தின் அறிக்கையில் பிராந்திய புள்ளிவிவரங்கள் இல்லை.",
    "th": "กระทรวงสาธารณสุขไม่ได้เผยแพร่ตัวเลขรายจังหวัดในรายงานฉบับนี้",
    "km": "ក្រសួងសុខាភិបាលមិនបានផ្សព្វផ្សាយតួលេខតាមខេត្តនៅក្នុងរបាយការណ៍នេះទេ។",
}


def squeezed(text: str) -> str:
    """Text as it compares: NFC, without whitespace, hyphens and invisible line-break hints."""
    return re.sub(r"[\s\u00ad\u200b\-]", "", unicodedata.normalize("NFC", text))


def check_in(language: str, sentence: str) -> rk.FactCheck:
    return (
        rk.FactCheck("Did the ministry publish regional figures?", published="2025-03-04", language=language)
        .summary(f"{sentence} [@a]")
        .section("Figures", sentence)
        .source("a", title="Source A", url="https://example.org/a")
    )


def actual_texts(pdf: bytes) -> list[str]:
    """The /ActualText of every marked-content span on every page, in drawing order."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                    if "/ActualText" in operands[1]:
                        found.append(str(operands[1].ActualText))
    return found


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return {language: check_in(language, sentence).render("pdf") for language, sentence in SENTENCES.items()}


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_the_text_layer_gives_back_each_scripts_sentence(built, language: str) -> None:
    assert squeezed(SENTENCES[language]) in squeezed(pdf_text(built[language]))


def test_each_span_says_the_text_of_the_line_it_draws(built) -> None:
    spans = actual_texts(built["hi"])
    assert spans, "no /ActualText span in a Hindi PDF"
    sentence = squeezed(SENTENCES["hi"])
    # The sentence is drawn twice (summary and section), each time on one or more lines.
    lines = [squeezed(span) for span in spans if squeezed(span) and squeezed(span) in sentence]
    assert "".join(lines).count(sentence[:12]) >= 2


def test_text_without_such_a_script_gets_no_span() -> None:
    pdf = check_in("en", "The ministry published no regional figures in this report.").render("pdf")
    assert actual_texts(pdf) == []


def test_the_invisible_line_break_hints_are_not_part_of_a_spans_text(built) -> None:
    assert all("\u200b" not in span for span in actual_texts(built["th"]) + actual_texts(built["km"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("प्रधानमंत्री", True),
        ("กระทรวง", True),
        ("ក្រសួង", True),
        ("மருத்துவர்", True),
        ("ministry", False),
        ("وزارة الصحة", False),
        ("衛生部", False),
        ("", False),
    ],
)
def test_only_cluster_shaped_scripts_need_a_span(text: str, expected: bool) -> None:
    assert actualtext.needs_actual_text(text) is expected


def test_weasyprint_alone_still_gets_hindi_wrong(monkeypatch) -> None:
    """Fails when WeasyPrint fixes Kozea/WeasyPrint#2841: then remove actualtext.py."""
    from weasyprint.draw import text as weasyprint_text

    monkeypatch.setattr(weasyprint_text, "draw_first_line", weasyprint_text.draw_first_line.__wrapped__)
    pdf = check_in("hi", SENTENCES["hi"]).render("pdf")
    assert actual_texts(pdf) == []
    assert squeezed(SENTENCES["hi"]) not in squeezed(pdf_text(pdf))


def test_the_wrapped_function_has_the_signature_it_was_written_for() -> None:
    assert actualtext.installed()
    assert actualtext.upstream_signature() == actualtext.SIGNATURE


@pytest.mark.slow
def test_an_archival_pdf_with_spans_passes_verapdf_pdf_a_3a_and_pdf_ua_1(tmp_path) -> None:
    from validators import VeraPDF

    path = check_in("hi", SENTENCES["hi"]).to_pdf(tmp_path / "hi.pdf", archival=True)
    assert actual_texts(path.read_bytes()), "no /ActualText span to check"
    profiles = VeraPDF().validate([path])[path]
    assert {p.profile for p in profiles} >= {"PDF/A-3A validation profile", "PDF/UA-1 validation profile"}
    assert all(p.compliant for p in profiles), [f for p in profiles for f in p.failures]


@pytest.mark.parametrize(
    "language",
    [
        pytest.param(
            language,
            marks=pytest.mark.xfail(
                language == "km",
                strict=True,
                reason="Typst 0.15 doubles or drops characters of a cluster cut by a line break (typst/typst#4225)",
            ),
        )
        for language in sorted(SENTENCES)
    ],
)
def test_the_typst_engine_gives_back_each_scripts_sentence(language: str) -> None:
    pytest.importorskip("typst")
    pdf = check_in(language, SENTENCES[language]).render("pdf", engine="typst")
    assert squeezed(SENTENCES[language]) in squeezed(pdf_text(pdf))
