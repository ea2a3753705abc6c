"""The editor's live preview: the checks in a folder, one shown as web page and PDF pages, updated on save.

The page (``static/index.html``) opens an event stream (``GET /events``) for the check it
shows, with the layout, page size and engine chosen. While a stream is open its preview is
kept current: every change in the folder (seen by watchfiles) rebuilds it in a worker, and
the stream tells the page the new version. A build that fails keeps the last good preview;
the stream carries the error (file, line, field) for the page to show above it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import ReportkitError
from .jobs import Outcome, Preview, describe

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from .server import Server

__all__ = ["Previews", "PreviewKey"]

log = logging.getLogger("reportkit.serve")

#: Versions of a preview whose files are still served (a page may ask for the one before the newest).
KEPT_VERSIONS = 2
#: Previews kept in memory (each holds its page images); those no page shows are dropped first.
KEPT_PREVIEWS = 16
#: Seconds watchfiles waits for more changes before reporting a batch of them (an editor's save is several writes).
DEBOUNCE_MS = 50


@dataclass(frozen=True)
class PreviewKey:
    """One check as the page shows it: its file in the folder, layout, page size and engine."""

    name: str
    layout: str
    page_size: str
    engine: str

    @property
    def id(self) -> str:
        """A short stable identifier, used in URLs."""
        text = json.dumps([self.name, self.layout, self.page_size, self.engine])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class PreviewState:
    """The last good preview of a key (a few versions of it), and the error of the last build if it failed."""

    key: PreviewKey
    version: int = 0
    good: dict[int, Outcome] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    built_at: float = 0.0
    #: Set while a build runs; a change during it asks for one more build after it.
    building: asyncio.Lock = field(default_factory=asyncio.Lock)
    again: bool = False
    #: Never built, or files changed while no page showed it.
    stale: bool = True

    def to_json(self) -> dict[str, Any]:
        """What the page needs to show the preview."""
        current = self.good.get(self.version)
        base = f"/preview/{self.key.id}/{self.version}"
        return {
            "key": self.key.id,
            "file": self.key.name,
            "engine": self.key.engine,
            "version": self.version,
            "title": current.title if current else "",
            "verdict": current.verdict if current else {},
            "html": f"{base}/page.html" if current else None,
            "pages": [f"{base}/page-{n}.png" for n in range(1, len(current.pages) + 1)] if current else [],
            "downloads": {},
            "error": self.error,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "built_at": self.built_at,
        }


class Previews:
    """Every preview a page asked for, and the event streams that show them."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.states: dict[str, PreviewState] = {}
        #: Each open stream's queue and the key it shows.
        self.streams: dict[asyncio.Queue[tuple[str, dict[str, Any]]], PreviewKey] = {}

    async def state(self, key: PreviewKey) -> PreviewState:
        """The preview of ``key``, built first if it was never built or files changed since."""
        state = self.states.get(key.id)
        if state is None:
            self._forget_unshown()
            state = self.states[key.id] = PreviewState(key)
        if state.stale:
            state.stale = False
            await self.rebuild(state)
        return state

    def _forget_unshown(self) -> None:
        """Keep at most :data:`KEPT_PREVIEWS` previews: drop those no page shows, oldest first."""
        shown = {key.id for key in self.streams.values()}
        for old in [i for i in self.states if i not in shown][: max(0, len(self.states) - KEPT_PREVIEWS + 1)]:
            del self.states[old]

    async def rebuild(self, state: PreviewState) -> None:
        """Build ``state``'s preview again (once more after the running build, if one runs)."""
        if state.building.locked():
            state.again = True
            return
        async with state.building:
            while True:
                state.again = False
                await self._build(state)
                if not state.again:
                    break
        self.publish("preview", state.to_json(), key=state.key)

    async def _build(self, state: PreviewState) -> None:
        from .pool import Busy

        key, config = state.key, self.server.config
        try:
            layout = self.server.layout_path(key.layout)
            job = Preview(folder=str(config.root), name=key.name, layout=layout, page_size=key.page_size,
                          options=self.server.engine_options(key.engine), limits=config.limits,
                          dpi=config.preview_dpi)
            outcome = await self.server.pool.run(job)
        except ReportkitError as exc:
            outcome = Outcome(error=describe(exc, config.root))
        except Busy as busy:
            outcome = Outcome(error={"error": "Busy", "message": f"the server is busy: retrying in {busy.retry_after} s"})
            asyncio.get_running_loop().call_later(busy.retry_after, lambda: asyncio.ensure_future(self.rebuild(state)))
        state.built_at = time.time()
        state.warnings = outcome.warnings
        if outcome.ok:
            outcome.data = b""  # the page shows the images; a download builds its own PDF
            state.version += 1
            state.good[state.version] = outcome
            for old in [v for v in state.good if v <= state.version - KEPT_VERSIONS]:
                del state.good[old]
            state.error = None
            state.seconds = outcome.seconds
        else:
            error = dict(outcome.error or {})
            if "traceback" in error:
                log.error("a preview failed unexpectedly:\n%s", error.pop("traceback"))
            state.error = {k: v for k, v in error.items() if v is not None and k != "status"}

    def publish(self, event: str, data: dict[str, Any], *, key: PreviewKey | None = None) -> None:
        """Send an event to every stream (showing ``key``, when given)."""
        for queue, shown in self.streams.items():
            if key is None or shown == key:
                queue.put_nowait((event, data))

    async def changed(self, paths: set[Path]) -> None:
        """Files in the folder changed: refresh the list of checks, and every preview a page shows."""
        self.server.forget_listing()
        self.publish("checks", {"changed": sorted(p.name for p in paths)})
        shown = {key.id for key in self.streams.values()}
        for i, state in self.states.items():
            state.stale = i not in shown  # built again when a page shows it next
        await asyncio.gather(*(self.rebuild(self.states[i]) for i in shown if i in self.states))

    async def stream(self, key: PreviewKey) -> AsyncIterator[dict[str, str]]:
        """The events of one page: the preview of ``key`` now, then on every change; a ping now and then."""
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.streams[queue] = key
        try:
            state = await self.state(key)
            yield {"event": "preview", "data": json.dumps(state.to_json())}
            while True:
                event, data = await queue.get()
                yield {"event": event, "data": json.dumps(data)}
        finally:
            self.streams.pop(queue, None)

    async def watch(self, stop: asyncio.Event) -> None:
        """Watch the folder (and below it) until ``stop`` is set; tell :meth:`changed` what changed."""
        from watchfiles import awatch

        root = self.server.config.root
        async for changes in awatch(root, stop_event=stop, debounce=DEBOUNCE_MS, step=20, recursive=True,
                                    watch_filter=_relevant):
            try:
                await self.changed({Path(path) for _, path in changes})
            except Exception:  # noqa: BLE001 - the watcher must outlive one failed refresh
                log.exception("refreshing the previews failed")


def _relevant(change: Any, path: str) -> bool:
    """Changes worth a rebuild: not hidden files, editors' backups, or the atomic writes' temporary files."""
    name = Path(path).name
    return not (name.startswith(".") or name.endswith(("~", ".part", ".swp", ".tmp")))


# --- routes ---------------------------------------------------------------------------------------


def _key(request: Request) -> PreviewKey:
    """The preview a request names (``file``, ``layout``, ``page_size``, ``engine``), each checked."""
    server: Server = request.app.state.server
    params = request.query_params
    name = server.check_name(params.get("file", ""))
    layout = params.get("layout", "report")
    server.layout_path(layout)
    page_size = server.page_size(layout, params.get("page_size", "A4"))
    engine = server.engine(params.get("engine"), default=server.preview_engine)
    return PreviewKey(name, layout, page_size, engine)


async def page(request: Request) -> Response:
    """``GET /``: the editor's page."""
    from starlette.responses import HTMLResponse

    return HTMLResponse((Path(__file__).parent / "static" / "index.html").read_text("utf-8"))


async def checks(request: Request) -> Response:
    """``GET /checks``: the fact-checks in the folder with their verdicts, and the choices of the page."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    server: Server = request.app.state.server
    listing = await run_in_threadpool(server.listing)
    layouts = [{"name": name, "page_sizes": list(l.page_sizes), "description": l.description}
               for name, l in server.layouts().items()]
    return JSONResponse({"folder": server.config.root.name, "checks": listing, "layouts": layouts,
                         "engines": list(server.engines), "preview_engine": server.preview_engine})


async def events(request: Request) -> Response:
    """``GET /events?file=...``: server-sent events for the page showing that preview."""
    from sse_starlette import EventSourceResponse

    previews: Previews = request.app.state.previews
    return EventSourceResponse(previews.stream(_key(request)), ping=15)


async def preview_state(request: Request) -> Response:
    """``GET /preview?file=...``: the preview now (built first if needed), as the stream sends it."""
    from starlette.responses import JSONResponse

    previews: Previews = request.app.state.previews
    state = await previews.state(_key(request))
    return JSONResponse(state.to_json())


async def preview_file(request: Request) -> Response:
    """``GET /preview/{key}/{version}/page.html`` and ``.../page-{n}.png``: a part of a kept preview."""
    from starlette.responses import Response

    previews: Previews = request.app.state.previews
    state = previews.states.get(request.path_params["key"])
    outcome = state.good.get(request.path_params["version"]) if state else None
    part = request.path_params["part"]
    if outcome is None:
        return Response("no such preview", status_code=404, media_type="text/plain")
    cache = {"Cache-Control": "private, max-age=3600, immutable"}
    if part == "page.html":
        # The page is built to need nothing (its own policy says so too); a sandbox keeps it inert.
        policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox"
        return Response(outcome.html, media_type="text/html; charset=utf-8",
                        headers={**cache, "Content-Security-Policy": policy})
    if part.startswith("page-") and part.endswith(".png") and part[5:-4].isdigit():
        number = int(part[5:-4])
        if 1 <= number <= len(outcome.pages):
            return Response(outcome.pages[number - 1], media_type="image/png", headers=cache)
    return Response("no such page", status_code=404, media_type="text/plain")


async def download(request: Request) -> Response:
    """``GET /download?file=...&as=pdf|epub|archival|html``: one output of one check, built now."""
    from starlette.responses import Response

    from .answers import outcome_error

    server: Server = request.app.state.server
    key = _key(request)
    kind = request.query_params.get("as", "pdf")
    formats = {"pdf": ("pdf", {}), "archival": ("pdf", {"archival": True}), "epub": ("epub", {}),
               "html": ("html", {})}
    if kind not in formats:
        raise ReportkitError(f"cannot download {kind!r}", field="as", hint="use pdf, archival, epub or html")
    fmt, extra = formats[kind]
    job = server.build_job(str(server.config.root), key.name, fmt, layout=key.layout, page_size=key.page_size,
                           engine=key.engine, **extra)
    outcome = await server.pool.run(job)
    if not outcome.ok:
        return outcome_error(outcome)
    stem = Path(key.name).stem + ("-archival" if kind == "archival" else "")
    suffix = {"pdf": ".pdf", "epub": ".epub", "html": ".html"}[fmt]
    return Response(outcome.data, media_type=outcome.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{stem}{suffix}"'})


async def download_bundle(request: Request) -> Response:
    """``GET /download/bundle?file=a.md&file=b.md``: the PDFs of the checks chosen, as one digest."""
    from starlette.responses import Response

    from .answers import outcome_error
    from .jobs import Bundle

    server: Server = request.app.state.server
    names = tuple(dict.fromkeys(server.check_name(n) for n in request.query_params.getlist("file")))
    if not names:
        raise ReportkitError("choose at least one check for the bundle", field="file")
    key = _key(request)
    job = Bundle(folder=str(server.config.root), names=names, layout=server.layout_path(key.layout), page_size=key.page_size,
                 options=server.engine_options(key.engine), limits=server.config.limits)
    outcome = await server.pool.run(job, timeout=server.config.limits.render_seconds * len(names))
    if not outcome.ok:
        return outcome_error(outcome)
    return Response(outcome.data, media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="bundle.pdf"'})
