"""Get the fact-check back out of an archival PDF: :func:`extract` writes its source and images, ready to rebuild.

Embedded file names come from an untrusted PDF: they are never used as paths outside the chosen folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..input.text import parse_json
from ..writers.pdf.archival import SOURCE_NAME
from .verify import PathLike, read_archive, write_images

if TYPE_CHECKING:
    from ..factcheck import FactCheck

__all__ = ["extract"]


def extract(pdf: PathLike, out: PathLike | None = None) -> "FactCheck":
    """The fact-check embedded in an archival PDF; with ``out`` (``.json`` or ``.md``) also written there, images beside it.

    The returned fact-check renders again to the same PDF, byte for byte, when it was
    written to ``out`` (so its images are found) and built with the same layout, page
    size, reportkit, WeasyPrint and fonts (the XMP metadata records them:
    ``rk:layout``, ``rk:pageSize``, ``rk:reportkitVersion``, ``rk:weasyprintVersion``).
    Raises :class:`InputError` when the PDF holds no valid source.
    """
    from ..input.to_markdown import to_markdown
    from ..factcheck import FactCheck, load
    from ..files import atomic_write, check_target

    archive = read_archive(pdf)
    source = archive.source
    if source is None:
        raise InputError(
            f"the PDF holds no embedded {SOURCE_NAME}",
            file=archive.path,
            hint="only PDFs built with --archival (archival=True) carry their source",
        )
    try:
        data = parse_json(source.data.decode("utf-8"), Path(SOURCE_NAME))  # bounded as any JSON input
        if not isinstance(data, dict):
            raise ValueError("it holds no mapping of fields")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"the embedded {SOURCE_NAME} is not JSON: {exc}", file=archive.path) from None
    except InputError as exc:
        raise InputError(f"the embedded {SOURCE_NAME}: {exc.message}", file=archive.path, line=exc.line) from None
    if out is None:
        return FactCheck.from_dict(data)
    target = check_target(out)
    suffix = target.suffix.lower()
    if suffix == ".json":
        FactCheck.from_dict(data)  # validate before writing anything
        atomic_write(target, source.data)
    elif suffix in (".md", ".markdown"):
        atomic_write(target, to_markdown(FactCheck.from_dict(data).to_dict()).encode("utf-8"))
    else:
        raise InputError(
            f"cannot write {suffix or 'a file without a suffix'}",
            file=target,
            hint="give a .json or .md file name",
        )
    write_images(archive.files, target.parent)
    return load(target)
