"""Every PDF is tagged PDF/UA-1 by default: checked by veraPDF and read back with pikepdf.

The expected headings, figure alt text and language come from the samples' own text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

import reportkit as rk

from conftest import SAMPLES, run_cli

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow


BUILDS = [
    (sample, layout, size)
    for sample in ("russia-nato", "energy-bills")
    for layout in ("report", "brief")
    for size in ("A4", "Letter")
]


@pytest.fixture(scope="module")
def default_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], Path]:
    """Each sample's default PDF in both layouts and both page sizes, plus the print-shop variants."""
    out = tmp_path_factory.mktemp("tagged")
    pdfs = {}
    for sample, layout, size in BUILDS:
        check = rk.load(SAMPLES / f"{sample}.md")
        pdfs[(sample, layout, size)] = check.to_pdf(out / f"{sample}-{layout}-{size}.pdf", layout=layout, page_size=size)
    check = rk.load(SAMPLES / "russia-nato.md")
    pdfs[("russia-nato", "report", "pdf-x")] = check.to_pdf(out / "pdfx.pdf", pdf_x=True, print_marks=True)
    return pdfs


@pytest.fixture(scope="module")
def verapdf():
    from validators import VeraPDF

    return VeraPDF()


@pytest.mark.slow
def test_every_default_pdf_passes_verapdf_pdf_ua_1(default_pdfs, verapdf) -> None:
    results = verapdf.validate(default_pdfs.values())
    for key, path in default_pdfs.items():
        profiles = {r.profile: r for r in results[path]}
        ua = [r for name, r in profiles.items() if "PDF/UA-1" in name]
        assert ua, f"{key}: veraPDF found no PDF/UA-1 claim to check ({list(profiles)})"
        assert all(r.compliant for r in ua), f"{key}: " + "\n".join(f for r in ua for f in r.failures)


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, in document order."""
    found: list[pikepdf.Dictionary] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/StructElem":
            found.append(node)
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                walk(kid)
        elif isinstance(kids, pikepdf.Dictionary):
            walk(kids)

    walk(pdf.Root.StructTreeRoot)
    return found


def text_of(element: pikepdf.Dictionary, pdf: pikepdf.Pdf) -> str:
    """The ActualText or Alt of an element, else ''."""
    for key in ("/Alt", "/ActualText"):
        if key in element:
            return str(element[key])
    return ""


def test_a_default_pdf_is_tagged_with_language_title_and_structure(default_pdfs) -> None:
    with pikepdf.open(default_pdfs[("russia-nato", "report", "A4")]) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en"  # the sample's language
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        kinds = [str(e.S) for e in struct_elements(pdf)]
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
    for kind in ("/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/L", "/LI", "/Figure", "/Link"):
        assert kind in kinds, f"no {kind} element in the structure tree"
    assert kinds.count("/H2") >= 7  # the sample has seven sections


def test_figures_carry_the_alt_text_written_in_the_input(default_pdfs) -> None:
    source = (SAMPLES / "russia-nato.md").read_text(encoding="utf-8")
    written = set(re.findall(r"!\[([^\]]+)\]\(", source))
    written.add(re.search(r'image_alt: "([^"]+)"', source).group(1))
    with pikepdf.open(default_pdfs[("russia-nato", "report", "A4")]) as pdf:
        alts = {text_of(e, pdf) for e in struct_elements(pdf) if str(e.S) == "/Figure"}
    assert written <= alts, written - alts


def test_every_link_annotation_sits_in_a_link_element_and_says_where_it_goes(default_pdfs) -> None:
    with pikepdf.open(default_pdfs[("energy-bills", "brief", "Letter")]) as pdf:
        links = [e for e in struct_elements(pdf) if str(e.S) == "/Link"]
        held = {
            kid.Obj.objgen
            for link in links
            for kid in (link.K if isinstance(link.K, pikepdf.Array) else [link.K])
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
        }
        annotations = [a for page in pdf.pages for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert annotations
        for annotation in annotations:
            assert annotation.objgen in held
            assert str(annotation.get("/Contents", "")).strip()


def test_untagged_leaves_out_the_tags_and_claims_nothing(tmp_path: Path) -> None:
    pdf_path = rk.load(SAMPLES / "energy-bills.md").to_pdf(tmp_path / "plain.pdf", untagged=True)
    with pikepdf.open(pdf_path) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") is None


def test_untagged_cannot_be_archival(tmp_path: Path) -> None:
    proc = run_cli("build", str(SAMPLES / "energy-bills.md"), "-o", str(tmp_path), "--archival", "--untagged")
    assert proc.returncode == 2
    assert "--untagged cannot be archival" in proc.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_a_claim_screenshot_without_alt_text_gets_one_made_from_the_claim_and_a_warning(tmp_path: Path) -> None:
    data = rk.load(SAMPLES / "russia-nato.md").to_dict()
    del data["claim"]["image_alt"]
    check = rk.FactCheck.from_dict(data, base_dir=SAMPLES)
    with pytest.warns(rk.ReportkitWarning, match="claim.image has no alt text"):
        pdf_path = check.to_pdf(tmp_path / "no-alt.pdf")
    with pikepdf.open(pdf_path) as pdf:
        alts = {text_of(e, pdf) for e in struct_elements(pdf) if str(e.S) == "/Figure"}
    assert f"Screenshot of the claim: {data['claim']['text']}" in alts


def test_a_missing_claim_alt_fails_a_strict_build(tmp_path: Path) -> None:
    source = tmp_path / "check.md"
    text = (SAMPLES / "russia-nato.md").read_text(encoding="utf-8")
    source.write_text(re.sub(r"  image_alt: .*\n", "", text), encoding="utf-8")
    (tmp_path / "claim.svg").write_bytes((SAMPLES / "claim.svg").read_bytes())
    (tmp_path / "enlargement-timeline.svg").write_bytes((SAMPLES / "enlargement-timeline.svg").read_bytes())
    proc = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "pdf", "--strict")
    assert proc.returncode == 2, proc.stderr
    assert "claim.image has no alt text" in proc.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))
