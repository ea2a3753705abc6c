"""Read input files safely, and write output files so that nothing is ever half-written.

Reading: :func:`read_regular` reads only regular files (never a FIFO, a device or a
folder) and never more than a size limit, whatever size the file claims.

Writing: bytes go to a temporary file in the target folder, are flushed to disk, and only
then replace the target in one atomic rename: a crash, ``kill -9`` or full disk leaves the
previous good file (or nothing), never a truncated one. A temporary is named
``.NAME.<host>-<pid>.<random>.part`` and locked while it is written; the next write of
``NAME`` removes the temporaries that no running build owns (:func:`sweep_temporaries`).
"""

from __future__ import annotations

import errno
import fcntl
import glob
import hashlib
import io
import os
import re
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from .errors import InputError, LimitError, OutputError, TargetError

__all__ = [
    "BinaryOutput",
    "Target",
    "atomic_write",
    "check_output",
    "check_target",
    "deliver",
    "process_alive",
    "read_regular",
    "sweep_temporaries",
]


# --- reading ----------------------------------------------------------------------------------


def read_regular(
    path: str | os.PathLike[str],
    *,
    max_bytes: int,
    what: str = "file",
    follow_symlinks: bool = True,
) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes``; anything else is refused before it is read.

    FIFOs, devices, sockets and folders are refused without being read (a FIFO blocks, ``/dev/zero``
    never ends); the file is opened without blocking and checked again once open, so a file swapped
    in meanwhile cannot slip through; at most ``max_bytes + 1`` bytes are read, whatever size the
    file claims. ``follow_symlinks=False`` refuses a symbolic link too. Raises :class:`InputError`
    (:class:`LimitError` for a file over the limit) naming the file.
    """
    file = Path(path)
    try:
        info = os.stat(file, follow_symlinks=follow_symlinks)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"no such {what}", file=file, hint="check the path") from None
    except PermissionError:
        raise InputError(f"the {what} cannot be read (permission denied)", file=file) from None
    except OSError as exc:
        raise InputError(f"the {what} cannot be read: {exc.strerror or exc}", file=file) from None
    _check_regular(info.st_mode, file, what)
    if info.st_size > max_bytes:
        raise _too_big(file, what, max_bytes, info.st_size)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        fd = os.open(file, flags)
    except PermissionError:
        raise InputError(f"the {what} cannot be read (permission denied)", file=file) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            _check_regular(stat.S_IFLNK, file, what)
        raise InputError(f"the {what} cannot be read: {exc.strerror or exc}", file=file) from None
    with os.fdopen(fd, "rb") as handle:
        _check_regular(os.fstat(handle.fileno()).st_mode, file, what)  # the file opened is a file checked
        try:
            data = _read_at_most(handle, max_bytes + 1)
        except OSError as exc:
            raise InputError(f"the {what} cannot be read: {exc.strerror or exc}", file=file) from None
    if len(data) > max_bytes:
        raise _too_big(file, what, max_bytes, None)
    return data


def _read_at_most(handle: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``handle``, read in blocks (a large limit allocates nothing in advance)."""
    chunks, size = [], 0
    while size < limit:
        chunk = handle.read(min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _check_regular(mode: int, file: Path, what: str) -> None:
    """Raise :class:`InputError` unless ``mode`` is a regular file's."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(f"is a folder, not a {what}", file=file, hint="give the path of a file")
    if stat.S_ISLNK(mode):
        raise InputError(f"the {what} is a symbolic link, which is not followed here", file=file,
                         hint="put the file itself there, not a link to it")
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    raise InputError(f"the {what} is {kind}, not a regular file", file=file, hint="give the path of an ordinary file")


def _too_big(file: Path, what: str, limit: int, size: int | None) -> LimitError:
    shown = f"{size / 2**20:.1f} MB" if size is not None else "larger than that"
    return LimitError(
        f"the {what} is {shown}, more than the limit of {limit / 2**20:g} MB",
        file=file,
        hint="make it smaller, or raise the limit (Limits(max_input_bytes=...), --max-input-mb)",
    )


# --- writing ----------------------------------------------------------------------------------


def check_target(path: str | os.PathLike[str]) -> Path:
    """Check, before any rendering work, that ``path`` can be written; return it as a Path."""
    target = Path(path)
    try:
        is_dir = target.is_dir()
    except OSError as exc:
        raise _output_error(exc, target) from None
    if is_dir:
        raise OutputError(f"{target} is a folder", file=target, hint="give a file name, e.g. report.pdf")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"the folder {folder} does not exist", file=target, hint="create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"the folder {folder} is not writable", file=target, hint="choose another output folder")
    return target


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename); remove stale temporaries of it."""
    target = check_target(path)
    sweep_temporaries(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{_owner()}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _output_error(exc, target) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # held until closed: the temporary has a live owner
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, 0o644 & ~_umask())
            os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise _output_error(exc, target) from None
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
    opened in text mode is refused with a :class:`TargetError`, an ``InputError`` that is also a
    ``TypeError``, as WeasyPrint refuses it).
    """
    if target is None:
        return None
    if isinstance(target, (str, os.PathLike)):
        return check_target(target)
    if isinstance(target, io.TextIOBase) or "b" not in getattr(target, "mode", "b"):
        raise TargetError("the output file is open in text mode: open it in binary mode ('wb')", field="target")
    if not callable(getattr(target, "write", None)):
        raise TargetError(
            f"cannot write an output to {type(target).__name__}: give a path or a binary file object", field="target"
        )
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


def _output_error(exc: OSError, target: Path) -> OutputError:
    """The :class:`OutputError` of a failed write: a full disk, a name too long, or the system's reason."""
    if exc.errno == errno.ENOSPC:
        return OutputError("the disk is full", file=target, hint="free some space and build again")
    if exc.errno == errno.ENAMETOOLONG:
        return OutputError("the file name is too long for the file system", file=target,
                           hint="give the fact-check a shorter slug")
    return OutputError(f"cannot write the file: {exc.strerror or exc}", file=target)


#: ``<host>-<pid>`` in a temporary's name: the machine (a hash of its name) and the process writing it.
_OWNER = re.compile(r"\.(?P<host>[0-9a-f]{8})-(?P<pid>\d+)\.[^.]+\.part$")


def _owner() -> str:
    return f"{_host()}-{os.getpid()}"


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:8]


def temporaries(target: str | os.PathLike[str]) -> Iterator[Path]:
    """The temporary files of :func:`atomic_write` beside ``target`` (``.NAME.<host>-<pid>.<random>.part``)."""
    path = Path(target)
    for part in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        if _OWNER.search(part.name[len(path.name) + 1 :]):
            yield part


def sweep_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries of ``target`` that no running build owns (left by a killed one); return them.

    A temporary is stale when it was made on this machine, the process named in it no longer
    runs, and nobody holds its lock. Temporaries of other machines (a shared folder) are left alone.
    """
    removed = []
    host = _host()
    for part in temporaries(target):
        match = _OWNER.search(part.name)
        if match is None or match["host"] != host or process_alive(int(match["pid"])):
            continue
        try:
            fd = os.open(part, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            named = os.stat(part, follow_symlinks=False)
            if (named.st_dev, named.st_ino) != (opened.st_dev, opened.st_ino):
                continue  # replaced meanwhile: not the file whose lock was taken
            os.unlink(part)
            removed.append(part)
        except OSError:
            continue  # locked: a build owns it
        finally:
            os.close(fd)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (one that cannot be signalled still runs)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
