"""Reading input files safely: size limits, folders, binary files and bad UTF-8 become errors naming the file."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, LimitError

__all__ = ["read_document_text", "read_text"]


def read_document_text(file: Path, max_bytes: int) -> str:
    """The UTF-8 text of a fact-check file, or an :class:`InputError` naming the file (and the line of a bad byte)."""
    try:
        size = file.stat().st_size
        if file.is_dir():
            raise InputError("is a folder, not a fact-check file", file=file, hint="give the path of a .md file")
        if size > max_bytes:
            raise LimitError(
                f"the file is {size / 2**20:.1f} MB, more than the limit of {max_bytes / 2**20:.0f} MB",
                file=file,
                hint="split it, or raise the limit (Limits(max_input_bytes=...), --max-input-mb)",
            )
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=file, hint="check the path") from None
    except PermissionError:
        raise InputError("the file cannot be read (permission denied)", file=file) from None
    if not raw.strip():
        raise InputError("the file is empty", file=file, hint="a fact-check starts with a front matter: ---, title: ...")
    if b"\x00" in raw[:8192]:
        raise InputError("this is a binary file, not text", file=file, hint="give a Markdown, YAML or JSON file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            file=file,
            line=line,
            column=column,
            hint="save it as UTF-8 in your editor",
        ) from None


def read_text(file: Path, *, what: str, max_bytes: int) -> str:
    """The UTF-8 text of a file other than a fact-check (``what``: "article", "sources file"...).

    Raises :class:`InputError` (or :class:`LimitError`) naming the file, and the line of
    a byte that is not UTF-8, for a missing, oversized, binary or undecodable file.
    """
    try:
        if file.stat().st_size > max_bytes:
            raise LimitError(f"the {what} is larger than {max_bytes // 2**20} MB", file=file)
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such {what}", file=file, hint="check the path") from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", file=file) from None
    except PermissionError:
        raise InputError(f"the {what} cannot be read (permission denied)", file=file) from None
    if b"\x00" in raw[:8192]:
        raise InputError(f"this is a binary file, not a {what}", file=file)
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"the {what} is not UTF-8 text", file=file, line=line, hint="save it as UTF-8") from None
