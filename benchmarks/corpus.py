"""Generate benchmark inputs from the samples: a batch of distinct fact-checks and large dossiers.

Everything is derived from ``samples/`` deterministically (a seeded generator), so two runs
measure the same documents. The generated files are ordinary reportkit inputs.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEMPLATES = ("russia-nato.md", "energy-bills.md")


def _split(path: Path) -> tuple[dict[str, Any], str, list[tuple[str, str]]]:
    """Front matter, summary and (heading, body) sections of a sample."""
    text = path.read_text(encoding="utf-8")
    _, header, body = text.split("---\n", 2)
    data = yaml.safe_load(header)
    chunks = re.split(r"^## (.+)$", body, flags=re.M)
    summary = chunks[0].strip()
    sections = [(chunks[i].strip(), chunks[i + 1].strip()) for i in range(1, len(chunks), 2)]
    return data, summary, sections


def _write(path: Path, data: dict[str, Any], summary: str, sections: list[tuple[str, str]]) -> Path:
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    body = "\n\n".join([summary, *(f"## {h}\n\n{b}" for h, b in sections)])
    path.write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
    return path


def _copy_images(folder: Path) -> None:
    for image in SAMPLES.glob("*.svg"):
        shutil.copy2(image, folder / image.name)


def _rekey(text: str, keys: list[str], suffix: str) -> str:
    """Rename every citation of ``keys`` in ``text`` to ``key<suffix>``."""
    pattern = re.compile(r"@(" + "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)) + r")\b")
    return pattern.sub(lambda m: f"@{m.group(1)}{suffix}", text)


def batch(folder: Path, count: int = 100, seed: int = 5) -> list[Path]:
    """``count`` distinct fact-checks (alternating the two samples, reworded and reordered)."""
    folder.mkdir(parents=True, exist_ok=True)
    _copy_images(folder)
    rng = random.Random(seed)
    parsed = [_split(SAMPLES / name) for name in TEMPLATES]
    files = []
    for index in range(count):
        data, summary, sections = parsed[index % len(parsed)]
        data = dict(data)
        data["slug"] = f"check-{index + 1:03d}"
        data["title"] = f"{data['title'].rstrip('?')} (case {index + 1})?"
        kept = sections[:1] + rng.sample(sections[1:], k=max(1, len(sections) - 1 - rng.randint(0, 1)))
        cited = set(re.findall(r"@([\w:./-]+)", summary + " ".join(b for _, b in kept)))
        if "verdict" in data and data["verdict"].get("explanation"):
            cited |= set(re.findall(r"@([\w:./-]+)", data["verdict"]["explanation"]))
        data["sources"] = [s for s in data["sources"] if s["key"] in cited]
        files.append(_write(folder / f"check-{index + 1:03d}.md", data, summary, kept))
    return files


def dossier(folder: Path, factor: int, name: str = "russia-nato.md") -> Path:
    """One fact-check ``factor`` times the size of a sample: its sections and sources repeated, re-keyed."""
    folder.mkdir(parents=True, exist_ok=True)
    _copy_images(folder)
    data, summary, sections = _split(SAMPLES / name)
    keys = [s["key"] for s in data["sources"]]
    data = dict(data)
    data["slug"] = f"dossier-{factor}x"
    sources, all_sections = [], []
    for copy in range(factor):
        suffix = "" if copy == 0 else f"-{copy + 1}"
        for source in data["sources"]:
            sources.append({**source, "key": source["key"] + suffix})
        for heading, body in sections:
            all_sections.append((heading if not suffix else f"{heading} (part {copy + 1})", _rekey(body, keys, suffix)))
    data["sources"] = sources
    return _write(folder / f"dossier-{factor}x.md", data, summary, all_sections)


if __name__ == "__main__":  # pragma: no cover - manual use
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/corpus")
    print(len(batch(target / "batch")), "fact-checks in", target / "batch")
    for factor in (1, 16):
        print(dossier(target / "dossier", factor))
