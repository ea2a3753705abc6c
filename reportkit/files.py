"""Write output files so that nothing is ever half-written.

Bytes go to a temporary file in the target folder, are flushed to disk, and only
then replace the target in one atomic rename: a crash, ``kill -9`` or full disk
leaves the previous good file (or nothing), never a truncated one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import OutputError

__all__ = ["atomic_write", "check_target"]


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


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
