"""Every exception and warning reportkit raises, in one hierarchy.

User mistakes (bad input, an unknown citation key, a broken layout) are
:class:`ReportkitError` subclasses whose message says where the problem is and
what to do; the CLI prints them without a traceback and exits with status 2.
:class:`RenderError` and :class:`OutputError` are failures of the machine
rather than of the input (exit status 1).
"""

from __future__ import annotations

import os
import re

__all__ = [
    "CitationError",
    "InputError",
    "LayoutError",
    "LimitError",
    "OutputError",
    "RenderError",
    "ReportkitError",
    "ReportkitWarning",
    "TargetError",
    "UnsafeResourceError",
    "json_safe",
    "printable",
]

#: Characters that change what a terminal shows or does (C0 and C1 controls, DEL, bidirectional
#: overrides and isolates, line and paragraph separators), and lone surrogates.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: object, *, newlines: bool = False) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\u202e``), safe to print on a terminal.

    Everything reportkit echoes from its input (file names, fields, messages quoting them)
    goes through this, so an escape sequence in a file name or field is shown, never obeyed.
    ``newlines=True`` keeps line breaks (reportkit's own multi-line messages).
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if newlines and char == "\n":
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROLS.sub(escape, str(text))


def json_safe(text: str) -> str:
    """JSON text with the control characters JSON allows raw (C1, bidirectional marks) written as ``\\uXXXX``."""
    # json.dumps writes every control character inside a string as an escape already: a raw tab or
    # line break can only be whitespace between tokens, and stays.
    return _CONTROLS.sub(lambda m: m.group() if m.group() in "\t\n\r" else f"\\u{ord(m.group()):04x}", text)


class ReportkitError(Exception):
    """Base class of every error reportkit raises on purpose."""

    #: Exit status of the CLI for this kind of error.
    exit_code: int = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | os.PathLike[str] | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint

    def located(self, file: str | os.PathLike[str]) -> "ReportkitError":
        """Return this error with ``file`` filled in when it was not known yet."""
        if self.file is None:
            self.file = str(file)
        return self

    @property
    def where(self) -> str:
        """``file:line:column`` (as much as is known), or an empty string."""
        parts = [self.file] if self.file else []
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = printable(self.message, newlines=True)
        if self.field:
            text = f"{printable(self.field)}: {text}"
        if self.where:
            text = f"{printable(self.where)}: {text}"
        if self.hint:
            text = f"{text}\n  hint: {printable(self.hint, newlines=True)}"
        return text


class InputError(ReportkitError):
    """The fact-check itself is wrong: unreadable file, bad syntax, invalid field."""


class CitationError(InputError):
    """A citation names a source key that does not exist, or is malformed."""


class UnsafeResourceError(InputError):
    """Content asked for a file or URL it is not allowed to read."""


class LimitError(InputError):
    """The document exceeds a configured size or time limit."""


class TargetError(InputError, TypeError):
    """An output target that cannot take bytes (a number, a file open in text mode).

    A ``TypeError`` too, as WeasyPrint's ``write_pdf`` raises for such a target.
    """


class LayoutError(ReportkitError):
    """A layout cannot be found, or one of its templates is broken."""


class RenderError(ReportkitError):
    """Rendering failed for a reason that is not the input's fault."""

    exit_code = 1


class OutputError(ReportkitError):
    """An output file could not be written (permissions, disk full, bad path)."""

    exit_code = 1


class ReportkitWarning(UserWarning):
    """A problem worth telling the author about that does not stop the build.

    Examples: a source that is never cited, an image without alt text. The CLI
    prints them; ``--strict`` turns them into errors.
    """
