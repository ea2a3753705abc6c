"""A publishing script as a newsroom developer writes it: a fact-check built in code, no input file.

Run it from anywhere:  python samples/publish.py [OUT_DIR]
It writes <slug>.pdf (A4), <slug>-letter.pdf and <slug>.epub into OUT_DIR (default: ./out).
"""

from __future__ import annotations

import sys
from pathlib import Path

import reportkit as rk

HERE = Path(__file__).resolve().parent


def build_check() -> rk.FactCheck:
    """The fact-check, assembled with the builder API."""
    return (
        rk.FactCheck(
            "Did the Partnership for Peace make Russia a NATO candidate?",
            subtitle="Russia signed up in 1994, but partnership is not a path to membership by itself",
            language="en",
            authors=["Marta Lindqvist"],
            editors=["Hannah Reuter"],
            publisher={"name": "Northlight Fact Desk", "url": "https://factdesk.example.org"},
            published="2025-12-02",
            tags=["NATO", "Russia", "Partnership for Peace"],
            base_dir=HERE,  # images are looked up here
        )
        .claim(
            "By joining the Partnership for Peace, Russia officially became a candidate for NATO membership.",
            claimant="A commentator on a video podcast",
            date="2025-11-28",
            url="https://video.example.net/episodes/418",
        )
        .verdict(
            "mostly-false",
            label="Partner, never candidate",
            explanation="Russia joined the programme in June 1994, but NATO opened it to every OSCE country "
            "and says partnership by itself creates no path to membership [@pfp; @enlargement].",
        )
        .summary(
            "Russia did join NATO's Partnership for Peace in 1994 [@pfp]. The programme, however, was "
            "designed for all of Europe's non-member states, including neutral countries that never sought "
            "membership, and NATO's accession rules require a separate application and an invitation "
            "agreed by every ally [@enlargement; @treaty, art. 10]."
        )
        .section(
            "What the Partnership for Peace is",
            "Launched in January 1994, the programme lets each partner choose the areas in which it works "
            "with the alliance, from crisis management to defence reform [@pfp]. Its members have included "
            "Austria, Finland, Ireland, Sweden and Switzerland, several of which stayed neutral for decades.\n\n"
            "| Country | Joined PfP | Joined NATO |\n|---|---|---|\n| Poland | 1994 | 1999 |\n"
            "| Russia | 1994 | — |\n| Finland | 1994 | 2023 |\n| Switzerland | 1996 | — |",
        )
        .section(
            "How a country becomes a candidate",
            "Article 10 of the North Atlantic Treaty allows the allies to invite any European state that can "
            "further its principles [@treaty, art. 10]. In practice an aspirant asks to join, usually works "
            "through a Membership Action Plan, and waits for a unanimous invitation [@enlargement]. Russia "
            "took none of these steps.",
        )
        .section(
            "Bottom line",
            "Partnership and candidacy are different things. Russia was a partner from 1994 until NATO "
            "suspended practical cooperation in 2014 [@relations], but it was never a candidate.",
        )
        .source(
            "pfp",
            title="Partnership for Peace programme",
            url="https://www.nato.int/cps/en/natohq/topics_50349.htm",
            publisher="North Atlantic Treaty Organization",
            accessed="2025-12-01",
            archived="https://web.archive.org/web/20251201000000/https://www.nato.int/cps/en/natohq/topics_50349.htm",
        )
        .source(
            "enlargement",
            title="Enlargement and Article 10",
            url="https://www.nato.int/cps/en/natohq/topics_49212.htm",
            publisher="North Atlantic Treaty Organization",
            accessed="2025-12-01",
        )
        .source(
            "treaty",
            title="The North Atlantic Treaty",
            url="https://www.nato.int/cps/en/natolive/official_texts_17120.htm",
            publisher="North Atlantic Treaty Organization",
            published="1949-04-04",
            accessed="2025-12-01",
        )
        .source(
            "relations",
            title="Relations with Russia",
            url="https://www.nato.int/cps/en/natohq/topics_50090.htm",
            publisher="North Atlantic Treaty Organization",
            accessed="2025-12-01",
        )
    )


def main(out_dir: Path) -> int:
    """Write the PDFs and the EPUB; report errors as a publishing script should."""
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        check = build_check()
        written = [
            check.to_pdf(out_dir / f"{check.id}.pdf"),
            check.to_pdf(out_dir / f"{check.id}-letter.pdf", page_size="Letter"),
            check.to_epub(out_dir / f"{check.id}.epub"),
        ]
    except rk.ReportkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out")))
