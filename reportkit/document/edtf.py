"""Dates of sources as EDTF (Extended Date/Time Format, ISO 8601-2 level 1) text.

Reference managers know dates that a calendar date cannot hold: a year before the
common era (``-0043``), a season (``2017-21``, spring), a decade (``199X``), a
circa date (``1985~``), a range (``2014-12-31/2015-01-01``) or an open one
(``../2004-01-01``, ``2006/..``). A source keeps its dates as EDTF text; this
module checks that text and splits it into :class:`EdtfDate` parts, which the
renderer formats for the document's language and :mod:`reportkit.input.references`
turns back into CSL ``date-parts``. Years are astronomical, as in ISO 8601:
``0000`` is 1 BC and ``-0043`` is 44 BC.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

__all__ = ["EdtfDate", "EdtfInterval", "SEASONS", "check_edtf", "parse_edtf"]

#: EDTF season codes (21 spring ... 24 winter), by their English name.
SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}

_DATE = re.compile(
    r"^(?P<year>-?(?:\d{4}|\d{3}X|\d{2}XX))"
    r"(?:-(?P<month>0[1-9]|1[0-2]|2[1-4]|XX)(?:-(?P<day>0[1-9]|[12]\d|3[01]|XX))?)?"
    r"(?P<qualifier>[?~%])?$"
)


@dataclass(frozen=True)
class EdtfDate:
    """One EDTF date: a year (maybe with unspecified digits ``X``), month or season, day, qualifier."""

    year: str
    month: int | None = None
    day: int | None = None
    #: ``?`` uncertain, ``~`` approximate (circa), ``%`` both; empty if neither.
    qualifier: str = ""

    @property
    def season(self) -> int | None:
        """The EDTF season code (21-24) when the month part is a season."""
        return self.month if self.month and self.month > 20 else None

    @property
    def number(self) -> int | None:
        """The astronomical year as a number, or None when digits are unspecified (``199X``)."""
        return None if "X" in self.year else int(self.year)

    @property
    def approximate(self) -> bool:
        """True for a circa date (``~`` or ``%``)."""
        return self.qualifier in ("~", "%")

    @property
    def uncertain(self) -> bool:
        """True for an uncertain date (``?`` or ``%``)."""
        return self.qualifier in ("?", "%")


@dataclass(frozen=True)
class EdtfInterval:
    """A date or a range of dates; an open end is ``None`` with ``open_*`` true, an unknown one ``None``."""

    start: EdtfDate | None
    end: EdtfDate | None = None
    is_range: bool = False
    open_start: bool = False
    open_end: bool = False


def _date(text: str, whole: str) -> EdtfDate:
    match = _DATE.match(text)
    if not match:
        raise ValueError(
            f"{whole!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY, or an EDTF date such as "
            "-0043-03-15 (44 BC), 2017-21 (spring), 199X, 1985~ (circa) or 2014/2015"
        )
    year, month, day = match.group("year"), match.group("month"), match.group("day")
    if day == "XX" or (month == "XX" and not day):  # an unspecified day or month says no more than its absence
        day = None
        month = None if month == "XX" else month
    if month == "XX":
        raise ValueError(f"{whole!r} is not a date: a day needs its month")
    if day and month and int(month) > 12:
        raise ValueError(f"{whole!r} is not a date: a season ({month}) has no day")
    if day and "X" not in year:
        number = int(year)
        try:  # the calendar check, in a leap-compatible year when the real one is out of range
            _dt.date(number if 1 <= number <= 9999 else (2000 if number % 4 == 0 else 2001), int(month or 1), int(day))
        except ValueError as exc:
            raise ValueError(f"{whole!r} is not a real date ({exc})") from None
    return EdtfDate(year, int(month) if month else None, int(day) if day else None, match.group("qualifier") or "")


def parse_edtf(text: str) -> EdtfInterval:
    """Split EDTF text into its dates; raises ``ValueError`` with a message for an author."""
    value = text.strip()
    if "/" not in value:
        return EdtfInterval(_date(value, text))
    first, _, last = value.partition("/")
    if "/" in last:
        raise ValueError(f"{text!r} is not a date range: a range has one '/'")
    start = None if first in ("", "..") else _date(first, text)
    end = None if last in ("", "..") else _date(last, text)
    if start is None and end is None:
        raise ValueError(f"{text!r} is not a date range: give at least one of its ends")
    if start and end and start.number is not None and end.number is not None:
        if (start.number, start.month or 0, start.day or 0) > (end.number, end.month or 99, end.day or 99):
            if not (start.season or end.season):
                raise ValueError(f"{text!r} is not a date range: it ends before it starts")
    return EdtfInterval(start, end, True, first == "..", last == "..")


def check_edtf(value: object) -> str:
    """``value`` as EDTF text (a ``datetime.date`` becomes ``YYYY-MM-DD``); raises ``ValueError``."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}" if value >= 0 else f"-{-value:04d}"
    if not isinstance(value, str):
        raise ValueError(f"a date is text such as 2024-03-07, not {type(value).__name__}")
    text = value.strip()
    parse_edtf(text)
    return text
