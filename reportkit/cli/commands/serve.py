"""``reportkit serve``: the live preview in the browser and the HTTP API."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared import fail


@click.command("serve")
@click.argument("folder", required=False, default=Path("."), type=click.Path(path_type=Path, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any other than a loopback address needs tokens.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--token-file", type=click.Path(path_type=Path),
              help="Bearer tokens the API and the page accept, one a line (also: $REPORTKIT_TOKENS).")
@click.option("-j", "--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes rendering at once.")
@click.option("--queue", type=click.IntRange(min=0), default=None,
              help="Requests that may wait for a worker (default: 4 per worker); more are answered 429.")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="Seconds one build may take before it is stopped.")
@click.option("--max-input-mb", type=click.FloatRange(min=0.001), default=8, show_default=True,
              help="Largest fact-check read, in MB.")
@click.option("--max-upload-mb", type=click.FloatRange(min=0.001), default=32, show_default=True,
              help="Largest request accepted (a fact-check with its images), in MB.")
@click.option("--max-memory-mb", type=click.IntRange(min=0), default=2048, show_default=True,
              help="Memory each worker process may use, in MB (0: no limit).")
def serve(folder: Path, host: str, port: int, token_file: Path | None, workers: int, queue: int | None,
          timeout: float, max_input_mb: float, max_upload_mb: float, max_memory_mb: int) -> None:
    """Preview the fact-checks in FOLDER in the browser as you edit them, and serve the HTTP API.

    Open http://127.0.0.1:8000/ : the page lists the checks with their verdicts and shows one as
    web page and PDF pages, updated on every save. Systems send fact-checks to POST /api/build
    (see /api/openapi.json). Needs the serve extra: pip install "reportkit[serve]".
    """
    from ...errors import ReportkitError
    from ...limits import Limits

    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401

        from ...tools.serve import ServeConfig, check_host, read_tokens, run
    except ImportError:
        fail("reportkit serve needs the serve extra: pip install 'reportkit[serve]'", 2)
    if not folder.is_dir():
        fail(f"{folder}: no such folder", 2)
    try:
        tokens = read_tokens(token_file)
        check_host(host, tokens)
    except ReportkitError as exc:
        fail(str(exc), exc.exit_code)
    limits = Limits(max_input_bytes=int(max_input_mb * 1024 * 1024), render_seconds=timeout)
    config = ServeConfig(root=folder.resolve(), host=host, port=port, token_digests=tokens, workers=workers,
                         queue=queue, limits=limits, max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                         max_memory_mb=max_memory_mb)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {folder} at http://{shown}:{port}/" + (" (tokens required)" if tokens else "")
               + " - Ctrl-C stops")
    run(config)
