"""Fact-checks and layouts that several test modules build on: small, quick, and written out in full here."""

from __future__ import annotations

import textwrap
from pathlib import Path

import reportkit as rk

from conftest import SAMPLES

SAMPLE = SAMPLES / "russia-nato.md"


def tiny() -> rk.FactCheck:
    """A one-section fact-check that renders in a fraction of a second."""
    return (
        rk.FactCheck("Is the tiny check true?", published="2025-01-02")
        .claim("The tiny check is true.", claimant="A tester")
        .verdict("mostly-true", label="Nearly")
        .summary("A short summary [@a].")
        .section("Only section", "First paragraph [@a].\n\nSecond paragraph [@b].")
        .source("a", title="Source A", url="https://example.org/a", publisher="Example")
        .source("b", title="Source B", url="https://example.org/b")
    )


def make_layout(root: Path, name: str, files: dict[str, str], parent: str = "report") -> Path:
    folder = root / name
    (folder).mkdir(parents=True)
    (folder / "layout.toml").write_text(f'name = "{name}"\ndescription = "A test layout"\nextends = "{parent}"\n')
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def in_language(language: str) -> rk.FactCheck:
    data = rk.load(SAMPLE).to_dict()
    data["language"] = language
    return rk.FactCheck.from_dict(data, base_dir=SAMPLES)
