"""pydyf's PDF objects without an attribute dictionary each (reportkit/writers/pdf/pdfobjects.py): same bytes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pydyf
import pytest
from pypdf import PdfReader

import reportkit as rk
from conftest import SAMPLES
from reportkit.writers.pdf import pdfobjects
from reportkit.writers.pdf import writer  # noqa: F401  (installs the change, as every build does)


@pytest.fixture
def without_change() -> Iterator[None]:
    """pydyf as it comes, for the length of a test; the change is put back after."""
    pdfobjects.uninstall()
    try:
        yield
    finally:
        assert pdfobjects.install()


def small_pdf() -> bytes:
    """A one-page PDF made with pydyf's objects of every kind, written compressed with an identifier."""
    document = pydyf.PDF()
    content = pydyf.Stream(compress=True)
    content.begin_text()
    content.set_font_size("F1", 12)
    content.show_text_string("Sources")
    content.end_text()
    document.add_object(content)
    font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica"})
    document.add_object(font)
    page = pydyf.Dictionary({
        "Type": "/Page", "Parent": document.pages.reference, "MediaBox": pydyf.Array([0, 0, 595, 842]),
        "Contents": content.reference,
        "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})}),
    })
    document.add_page(page)
    document.info["Title"] = pydyf.String("Energy bills")
    output = io.BytesIO()
    document.write(output, version=b"1.7", identifier=b"0123456789abcdef", compress=True)
    return output.getvalue()


def test_pydyf_is_the_version_the_change_was_written_for() -> None:
    # Fails when pydyf's Object.__init__ changes: then look again at what it sets, and at DEFAULTS.
    assert pdfobjects.applies()
    assert pdfobjects.installed()


def test_a_nested_object_has_no_attribute_dictionary_and_reads_pydyfs_values() -> None:
    nested = pydyf.Dictionary({"Type": "/StructElem"})
    assert vars(nested) == {}
    assert (nested.number, nested.offset, nested.generation, nested.free) == (None, 0, 0, "n")
    listed = pydyf.Array([1, 2])
    assert vars(listed) == {} and listed.data == b"[1 2]"


def test_pydyfs_own_objects_carry_the_four_attributes_each(without_change: None) -> None:
    # The negative of the test above: what the change saves.
    assert vars(pydyf.Dictionary({"Type": "/StructElem"})) == pdfobjects.DEFAULTS


def test_a_numbered_object_gets_its_own_values() -> None:
    document = pydyf.PDF()
    first, second = pydyf.Dictionary(), pydyf.Dictionary()
    document.add_object(first)
    document.add_object(second)
    assert (first.number, second.number) == (len(document.objects) - 2, len(document.objects) - 1)
    assert pydyf.Dictionary().number is None  # the class's value is untouched


def test_pydyf_writes_the_same_bytes_with_and_without_the_change() -> None:
    changed = small_pdf()
    pdfobjects.uninstall()
    try:
        original = small_pdf()
    finally:
        assert pdfobjects.install()
    assert PdfReader(io.BytesIO(changed)).metadata.title == "Energy bills"  # a PDF pypdf reads back
    assert changed == original


def test_a_fact_checks_pdf_is_the_same_with_and_without_the_change() -> None:
    check = rk.load(SAMPLES / "energy-bills.md")
    changed = check.to_pdf()
    pdfobjects.uninstall()
    try:
        original = check.to_pdf()
    finally:
        assert pdfobjects.install()
    assert changed == original


def test_a_source_digest_that_does_not_match_leaves_pydyf_alone(
    without_change: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdfobjects, "OBJECT_INIT_SHA256", "0" * 64)
    assert not pdfobjects.applies()
    assert not pdfobjects.install()
    assert not pdfobjects.installed()
    assert vars(pydyf.Dictionary()) == pdfobjects.DEFAULTS
