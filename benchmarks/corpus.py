"""Generate benchmark inputs from the samples: a batch of distinct fact-checks and large dossiers.

Everything is derived from ``samples/`` deterministically (a seeded generator), so two runs
measure the same documents. The generated files are ordinary reportkit inputs. Dense dossiers
(:func:`dense_dossier`) cite far more than the samples do, and :func:`misplaced_notes` reads
their PDFs back to find footnotes that are not on their call's page. :func:`real_references`
makes one fact-check per real reference library of the tests, citing every entry.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import bibtexparser
import yaml
from pypdf import PdfReader

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


class _NoAliases(yaml.SafeDumper):
    """Writes a value used twice out twice: reportkit refuses YAML aliases in the inputs it reads."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _write(path: Path, data: dict[str, Any], summary: str, sections: list[tuple[str, str]]) -> Path:
    front = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=1000)
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


#: Words the dense dossiers' sentences are drawn from, and what their sources are about.
_WORDS = (
    "the ministry archive records that delegates met again in the spring and agreed on a common text although "
    "several governments reserved their position on the financing of the programme while parliamentary "
    "committees asked for the minutes of each session to be published in full before any vote on ratification "
    "could take place and observers noted that the timetable slipped twice"
).split()
_PUBLISHERS = (
    "North Atlantic Treaty Organization", "Wilson Center Digital Archive", "The Guardian",
    "Office of the Historian, US Department of State", "BBC News", "Foreign Affairs",
    "Stockholm International Peace Research Institute", "Reuters", "Le Monde diplomatique",
    "Carnegie Endowment for International Peace",
)
_TOPICS = (
    "accession talks", "the partnership programme", "arms control verification", "the founding act",
    "missile defence cooperation", "enlargement rounds", "the council's working groups", "crisis consultations",
    "ratification debates", "the membership action plan", "confidence-building measures", "naval exercises",
)


def dense_dossier(folder: Path, factor: int, seed: int = 16) -> Path:
    """A fact-check of ``7 * factor`` sections dense with citations, with lists, tables, figures and long URLs.

    Most sentences cite; more than half of the citations are a source's first (one to three new
    sources at once), so paragraphs carry several footnotes. A third of the titles run to two
    lines of footnote; some sentences end in a long URL. Nobody tuned the layout to these.

    The ``factor``x dossier is ``factor`` parts of one shape, each with other words: the same
    sections, paragraphs, sentences of the same lengths, citations (new sources and repeats), note
    titles, lists, tables, figures and URLs (the 1x's summary opens each other part's first
    section). Its words, notes and figures are ``factor`` times the 1x's, so the 16x against the
    1x measures how the cost grows, not how two random draws differ.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _copy_images(folder)
    base, _, _ = _split(SAMPLES / "russia-nato.md")
    sources: list[dict[str, str]] = []
    part_sources: list[str] = []
    shape = random.Random()  # what the parts share: counts, lengths, choices of kind
    words = random.Random()  # what differs from part to part: the words, names and numbers

    def sentence(low: int = 9, high: int = 22) -> str:
        length, start = shape.randint(low, high), words.randrange(len(_WORDS))
        return " ".join(_WORDS[(start + i) % len(_WORDS)] for i in range(length)).capitalize()

    def new_source() -> str:
        number = len(sources) + 1
        title = f"Record {number:04d}: {words.choice(_TOPICS)}"
        if shape.random() < 0.3:
            title += (", with the annexes, the delegations' statements and the correspondence that followed the "
                      f"{words.choice(['spring', 'autumn', 'winter'])} session of the committee")
        path = "/".join(f"{words.choice(_WORDS)}-{words.randrange(10**6):06d}" for _ in range(shape.randint(2, 6)))
        sources.append({
            "key": f"s{number:04d}", "title": title, "url": f"https://archive.example.org/{path}?record={number:04d}",
            "publisher": words.choice(_PUBLISHERS),
            "published": f"{words.randint(1954, 2024)}-0{words.randint(1, 9)}-1{words.randint(0, 9)}",
        })
        part_sources.append(sources[-1]["key"])
        return sources[-1]["key"]

    def cite() -> str:
        fresh, count, again = shape.random() < 0.55, shape.choice((1, 1, 1, 2, 3)), shape.choice((1, 1, 2))
        if fresh or not part_sources:
            keys = [new_source() for _ in range(count)]
        else:
            recent = part_sources[-40:]
            keys = [recent[i] for i in shape.sample(range(len(recent)), k=min(len(recent), again))]
        return "[" + "; ".join(f"@{k}" for k in keys) + "]"

    def paragraph() -> str:
        sentences = []
        for _ in range(shape.randint(3, 5)):
            text = sentence() + (cite() if shape.random() < 0.7 else "")
            if shape.random() < 0.08:
                path = "/".join(words.choice(_WORDS) for _ in range(8))
                text += f" The full text is at https://archive.example.org/{path}/document-{words.randrange(10**8):08d}.html"
            sentences.append(text + ".")
        return " ".join(sentences)

    summary, sections = "", []
    for part in range(factor):
        shape.seed(seed * 1000)
        words.seed(seed * 1000 + 1 + part)
        part_sources.clear()
        lead = paragraph()  # the 1x's summary; the other parts open their first section with theirs
        if part == 0:
            summary = lead
        for kind in range(1, 8):
            body = [paragraph() for _ in range(shape.randint(1, 2))]
            if kind == 1 and part > 0:
                body.insert(0, lead)
            if kind % 4 == 1:
                body.append("\n".join(f"- {sentence(6, 16).lower()}{cite()};" for _ in range(shape.randint(3, 5))))
            elif kind % 4 == 2:
                rows = ["| Year | Event | Source |", "|------|-------|--------|"]
                rows += [f"| {words.randint(1954, 2024)} | {sentence(4, 9)} | {cite()} |"
                         for _ in range(shape.randint(3, 5))]
                body.append("\n".join(rows))
            elif kind % 4 == 3:
                body.append('![Timeline of the enlargement rounds](enlargement-timeline.svg "The rounds, as the records list them.")')
            body.append(paragraph())
            sections.append((f"{sentence(3, 6)} ({len(sections) + 1})", "\n\n".join(body)))
    data = {key: base[key] for key in ("language", "authors", "publisher", "published", "claim", "verdict")}
    data = {"title": f"A dense dossier ({factor}x)", "slug": f"dense-{factor}x", **data, "sources": sources}
    return _write(folder / f"dense-{factor}x.md", data, summary, sections)


#: The real reference libraries of the tests (Zotero and Better BibTeX exports, biblatex's examples, the CSL
#: test suite's names and dates, Pandoc's tests; see their PROVENANCE.md): nobody tuned the layout to them.
REFERENCES = ROOT / "tests" / "data" / "real" / "references"

#: A citation key as Pandoc and reportkit read it in the text.
_KEY = re.compile(r"^\w(?:[\w:.\-/]*\w)?$")


def reference_keys(library: Path) -> list[str]:
    """The keys of the entries of ``library`` that have a title (or are sets), in the file's order, read without reportkit."""
    text = library.read_text(encoding="utf-8")
    if library.suffix == ".json":
        keys = [str(i["id"]) for i in json.loads(text) if isinstance(i.get("title"), str) and i["title"].strip()]
    else:
        entries = bibtexparser.parse_string(text, parse_stack=[]).entries
        keys = [e.key for e in entries
                if e.entry_type.lower() != "xdata" and ("title" in e.fields_dict or e.entry_type.lower() == "set")]
    return [key for key in dict.fromkeys(keys) if _KEY.match(key)]


def real_references(folder: Path, seed: int = 16) -> list[Path]:
    """One fact-check per real reference library, citing every entry with a title, in the file's order.

    The library is the fact-check's ``sources`` file. Sentences come from the dense dossiers' words;
    most cite one to three entries, paragraphs of three to five sentences, sections of three
    paragraphs. Entries are cited first in the file's order, then a few again.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _copy_images(folder)
    base, _, _ = _split(SAMPLES / "russia-nato.md")
    files = []
    for library in sorted(p for p in REFERENCES.iterdir() if p.suffix in (".bib", ".json")):
        rng = random.Random(f"{seed}-{library.name}")
        shutil.copy2(library, folder / library.name)
        keys = reference_keys(library)
        waiting = list(keys)

        def cite() -> str:
            if waiting and rng.random() < 0.85:
                chosen = [waiting.pop(0) for _ in range(min(len(waiting), rng.choice((1, 1, 1, 2, 3))))]
            else:
                chosen = [rng.choice(keys)]
            return "[" + "; ".join(f"@{k}" for k in chosen) + "]"

        def paragraph() -> str:
            sentences = []
            for _ in range(rng.randint(3, 5)):
                start = rng.randrange(len(_WORDS))
                words = " ".join(_WORDS[(start + i) % len(_WORDS)] for i in range(rng.randint(9, 22))).capitalize()
                sentences.append(words + (cite() if rng.random() < 0.8 else "") + ".")
            return " ".join(sentences)

        paragraphs = [paragraph()]
        while waiting or len(paragraphs) < 2:  # a fact-check has at least one section
            paragraphs.append(paragraph())
        summary, rest = paragraphs[0], paragraphs[1:]
        sections = [(f"Part {n + 1}", "\n\n".join(rest[i:i + 3])) for n, i in enumerate(range(0, len(rest), 3))]
        stem = re.sub(r"[^a-z0-9]+", "-", library.name.lower()).strip("-")
        data = {key: base[key] for key in ("language", "authors", "publisher", "published", "claim", "verdict")}
        data = {"title": f"Every entry of {library.name}", "slug": f"real-{stem}", **data, "sources": library.name}
        files.append(_write(folder / f"real-{stem}.md", data, summary, sections))
    return files


def misplaced_by_anchor(pdf: Path) -> tuple[int, list[tuple[int, int | None, int]]]:
    """How many footnotes a PDF has, and (number, call's page, note's page) of those off their call's page.

    Read from the PDF's named destinations: each note's ``fn-N`` and its first call's ``cite-N-1``
    (for documents whose note text cannot be told from the input, such as the real libraries).
    """
    reader = PdfReader(pdf)
    pages = {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}
    wrong = []
    notes = sorted(int(name[3:]) for name in pages if re.fullmatch(r"fn-\d+", name))
    for number in notes:
        call = pages.get(f"cite-{number}-1")
        if call != pages[f"fn-{number}"]:
            wrong.append((number, call, pages[f"fn-{number}"]))
    return len(notes), wrong


def _squash(text: str) -> str:
    """Letters and digits only, lowercased: compares text across line breaks and hyphenation."""
    return re.sub(r"[\W_]+", "", text).lower()


def misplaced_notes(source: Path, pdf: Path) -> tuple[int, list[tuple[int, int | None, list[int]]]]:
    """How many footnotes a dossier has, and (number, call's page, pages showing the note) of those off their page.

    Everything expected comes from the input: notes are numbered in the order sources are
    first cited in the text, and a note shows its number, its source's publisher and the start
    of its title. The PDF gives the call's page (the first link to the source's bibliography
    entry) and the text of each page before the bibliography (where the first source's URL is).
    """
    _, header, body = source.read_text(encoding="utf-8").split("---\n", 2)
    by_key = {s["key"]: s for s in yaml.safe_load(header)["sources"]}
    order = [key for key in dict.fromkeys(re.findall(r"@([\w:./-]*\w)", body)) if key in by_key]
    reader = PdfReader(pdf)
    texts = [_squash(page.extract_text() or "") for page in reader.pages]
    calls: dict[int, int] = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            match = re.fullmatch(r"src-(\d+)", str(annot.get_object().get("/Dest", "")))
            if match:
                calls.setdefault(int(match.group(1)), index)
    first_url = _squash(by_key[order[0]]["url"])
    body_pages = next((i for i, text in enumerate(texts) if first_url in text), len(texts))
    wrong = []
    for number, key in enumerate(order, 1):
        note = _squash(f"{number}{by_key[key].get('publisher', '')}{by_key[key]['title'][:100]}")
        shown = [i for i in range(body_pages) if note in texts[i]]
        if shown != [calls.get(number)]:
            wrong.append((number, calls.get(number), shown))
    return len(order), wrong


if __name__ == "__main__":  # pragma: no cover - manual use
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/corpus")
    print(len(batch(target / "batch")), "fact-checks in", target / "batch")
    for factor in (1, 16):
        print(dossier(target / "dossier", factor))
    for factor in (1, 4, 16):
        print(dense_dossier(target / "dense", factor))
    for path in real_references(target / "real"):
        print(path)
