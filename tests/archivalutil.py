"""Helpers of the archival tests: a PNG made by hand and a fact-check unlike the samples."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import reportkit as rk


def png(width: int, height: int) -> bytes:
    """A small RGB PNG made by hand (no imaging library needed)."""
    rows = b"".join(b"\x00" + bytes((x * 37 + y * 11) % 256 for x in range(width) for _ in range(3)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def edge_check(folder: Path) -> rk.FactCheck:
    """A fact-check unlike the samples: two authors, no dates, en-GB, a PNG figure, emphasis inside links, headings."""
    (folder / "chart.png").write_bytes(png(40, 20))
    return (
        rk.FactCheck("Did the council really double parking fees?", authors=["Ann Author", "Bo Writer"],
                     language="en-GB", tags=["Parking"], base_dir=folder)
        .claim("Parking fees doubled overnight.", claimant="A councillor")
        .verdict("mixed", label="Partly", explanation="Fees rose by half [@minutes, p. 3].")
        .summary("Fees rose [@minutes]. See [**the minutes**](https://example.org/minutes) and "
                 "[an *emphasised* link](https://example.org/x).")
        .section("Figures", '#### A deep heading\n\n![A bar chart of fees by year](chart.png "Fees by year")\n\n'
                 "Text [@budget, table 2].\n\n# A top-level heading\n\nMore text.")
        .source("minutes", title="Council minutes", url="https://example.org/minutes", publisher="Council")
        .source("budget", title="Budget 2025", url="https://example.org/budget", publisher="Council")
    )
