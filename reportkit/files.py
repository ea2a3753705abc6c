"""Write output files so that nothing is ever half-written.

Bytes go to a temporary file in the target folder, are flushed to disk, and only
then replace the target in one atomic rename: a crash, ``kill -9`` or full disk
leaves the previous good file (or nothing), never a truncated one.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
from pathlib import Path
from typing import Protocol

from .errors import OutputError

__all__ = ["BinaryOutput", "Target", "atomic_write", "check_output", "check_target", "deliver"]


def check_target(path: str | os.PathLike[str]) -> Path:
    """Check, before any rendering work, that ``path`` can be written; return it as a Path."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target} is a folder", file=target, hint="give a file name, e.g. report.pdf")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"the folder {folder} does not exist", file=target, hint="create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"the folder {folder} is not writable", file=target, hint="choose another output folder")
    return target


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    target = check_target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        if exc.errno == errno.ENOSPC:
            raise OutputError("the disk is full", file=target, hint="free some space and build again") from None
        raise OutputError(f"cannot write the file: {exc.strerror or exc}", file=target) from None
    except BaseException:
        _remove(tmp)
        raise
    return target


class BinaryOutput(Protocol):
    """A binary file object: anything with ``write(bytes)`` (an open ``"wb"`` file, ``io.BytesIO``, a socket's file)."""

    def write(self, data: bytes, /) -> object:  # pragma: no cover - protocol
        """Write ``data``."""
        ...


#: Where an output can go: a path (written atomically), a binary file object, or None (returned as bytes).
Target = str | os.PathLike[str] | BinaryOutput | None


def check_output(target: Target) -> Path | BinaryOutput | None:
    """Check, before any rendering work, where an output will go (see :func:`deliver`).

    A path is checked by :func:`check_target`; a file object must take bytes (a file
    opened in text mode is refused with a ``TypeError``, as WeasyPrint refuses it).
    """
    if target is None:
        return None
    if isinstance(target, (str, os.PathLike)):
        return check_target(target)
    if isinstance(target, io.TextIOBase) or "b" not in getattr(target, "mode", "b"):
        raise TypeError("the output file is open in text mode: open it in binary mode ('wb')")
    if not callable(getattr(target, "write", None)):
        raise TypeError(f"cannot write an output to {type(target).__name__}: give a path or a binary file object")
    return target


def deliver(target: Path | BinaryOutput | None, data: bytes) -> Path | bytes | None:
    """Send ``data`` where :func:`check_output` said: ``None`` returns the bytes, a path is written atomically
    (and returned), a file object is written to (and ``None`` returned; it is neither flushed nor closed).
    """
    if target is None:
        return data
    if isinstance(target, Path):
        return atomic_write(target, data)
    try:
        target.write(data)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise OutputError("the disk is full", hint="free some space and build again") from None
        raise OutputError(f"cannot write the output: {exc.strerror or exc}") from None
    return None


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
