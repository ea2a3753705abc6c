"""The HTTP API for systems: ``POST /api/build``, ``GET /api/schema``, ``GET /api/openapi.json``.

A fact-check comes as JSON (the fields of ``reportkit schema``), as Markdown with a
front matter, or as a multipart form holding either (part ``check``) and its images (any
other file part, named as the fact-check names them). The upload is written to a fresh
private folder, built there by a worker, and the folder is removed: nothing outside it is
read, and the renderer fetches nothing. Options come as query parameters (or form fields):
``format`` (pdf, epub, html, claimreview), ``layout``, ``page_size``, ``archival``, ``engine``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..._version import __version__
from ...errors import InputError
from .answers import ErrorBody, error_response, outcome_error
from .jobs import MEDIA_TYPES

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from .server import Server

__all__ = ["BuildQuery", "build", "openapi", "schema"]

#: Request content type -> the suffix the fact-check is saved with.
CHECK_TYPES = {
    "application/json": ".json",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
}
#: A file name of an uploaded image, or of a folder it sits in.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
#: Most files one multipart request may hold.
MAX_FILES = 64
#: Most warnings sent in the X-Reportkit-Warnings header (each is one line of text).
MAX_WARNINGS = 20


class BuildQuery(BaseModel):
    """The options of ``POST /api/build`` (query parameters, or fields of a multipart form)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["pdf", "epub", "html", "claimreview"] = Field("pdf", description="What to answer with.")
    layout: str = Field("report", description="A layout the server knows (GET /api/layouts lists them).")
    page_size: str = Field("A4", description="One of the layout's page sizes (A4, Letter, A5 for the built-in ones).")
    archival: bool = Field(False, description="PDF/A-3a and PDF/UA-1 with the fact-check's source embedded.")
    engine: str | None = Field(None, description="The PDF engine (GET /api/layouts lists those installed).")


class LayoutInfo(BaseModel):
    """A layout the server builds with."""

    name: str
    description: str = ""
    page_sizes: list[str]


class Capabilities(BaseModel):
    """What ``layout``, ``page_size`` and ``engine`` may be."""

    layouts: list[LayoutInfo]
    engines: list[str]
    formats: list[str]


async def build(request: Request) -> Response:
    """``POST /api/build``: a fact-check in, its PDF, EPUB, web page or ClaimReview out."""
    server: Server = request.app.state.server
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    fields: dict[str, Any] = dict(request.query_params)
    folder = Path(tempfile.mkdtemp(prefix="reportkit-api-"))
    try:
        if kind == "multipart/form-data":
            name = await _save_form(request, folder, fields)
        elif kind in CHECK_TYPES:
            name = "check" + CHECK_TYPES[kind]
            (folder / name).write_bytes(await request.body())
        else:
            return error_response(
                415, "UnsupportedMediaType", f"cannot read a fact-check sent as {kind or 'no content type'}",
                hint="send application/json, text/markdown, or multipart/form-data with a part 'check'",
            )
        try:
            query = BuildQuery.model_validate(fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return error_response(400, "InputError", first["msg"], field=where,
                                  hint="options: format, layout, page_size, archival, engine")
        job = server.build_job(str(folder), name, query.format, layout=query.layout, page_size=query.page_size,
                               archival=query.archival, engine=query.engine)
        outcome = await server.pool.run(job)
        if not outcome.ok:
            return outcome_error(outcome)
        from starlette.responses import Response

        suffix = {"claimreview": ".jsonld"}.get(query.format, "." + query.format)
        headers = {
            "Content-Disposition": f'inline; filename="{outcome.slug}{suffix}"',
            "X-Reportkit-Warnings": json.dumps(outcome.warnings[:MAX_WARNINGS], ensure_ascii=True),
        }
        return Response(outcome.data, media_type=outcome.media_type, headers=headers)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _save_form(request: Request, folder: Path, fields: dict[str, Any]) -> str:
    """Save a multipart form's fact-check and images into ``folder``; return the fact-check's file name."""
    from starlette.datastructures import UploadFile

    server: Server = request.app.state.server
    limit = server.config.limits.max_input_bytes
    async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES, max_part_size=limit) as form:
        check = form.get("check")
        if check is None:
            raise InputError("the form has no part 'check' (the fact-check)", field="check",
                             hint="send the JSON or Markdown fact-check in a part named 'check'")
        if isinstance(check, UploadFile):
            data = await check.read()
            suffix = _suffix(check.filename, check.content_type, data)
        else:
            data = check.encode("utf-8")
            suffix = _suffix(None, None, data)
        name = "check" + suffix
        (folder / name).write_bytes(data)
        for key, value in form.multi_items():
            if key == "check":
                continue
            if not isinstance(value, UploadFile):
                fields[key] = value
                continue
            relative = _image_path(value.filename, key)
            if relative.as_posix() == name:
                raise InputError(f"an image cannot be named {name}", field=key)
            target = folder.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                await _copy(value, out)
    return name


async def _copy(upload: Any, out: Any) -> None:
    while block := await upload.read(1 << 20):
        out.write(block)


def _suffix(filename: str | None, content_type: str | None, data: bytes) -> str:
    """The fact-check's suffix from its part's file name, else its content type, else its first character."""
    if filename:
        suffix = PurePosixPath(filename).suffix.lower()
        if suffix in (".md", ".markdown", ".json", ".yaml", ".yml"):
            return suffix
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in CHECK_TYPES:
        return CHECK_TYPES[kind]
    return ".json" if data.lstrip()[:1] in (b"{", b"[") else ".md"


def _image_path(filename: str | None, key: str) -> PurePosixPath:
    """The relative path an uploaded image is saved at, from its file name; refuses names that climb out."""
    relative = PurePosixPath(filename or "")
    if not filename or relative.is_absolute() or not all(_SAFE_NAME.match(part) for part in relative.parts) \
            or len(relative.parts) > 4:
        raise InputError(
            f"the uploaded file name {str(filename)[:80]!r} is not allowed",
            field=key,
            hint="name images with letters, digits, '.', '_' and '-' (folders with '/'), as the fact-check names them",
        )
    return relative


async def schema(request: Request) -> Response:
    """``GET /api/schema``: the JSON Schema of a fact-check, as ``reportkit schema`` prints it."""
    from starlette.responses import JSONResponse

    from ...document.schema import input_schema

    return JSONResponse(input_schema(), media_type="application/schema+json")


async def capabilities(request: Request) -> Response:
    """``GET /api/layouts``: the layouts, page sizes and engines a request may ask for."""
    from starlette.responses import JSONResponse

    server: Server = request.app.state.server
    layouts = [LayoutInfo(name=l.name, description=l.description, page_sizes=list(l.page_sizes))
               for l in server.layouts().values()]
    body = Capabilities(layouts=layouts, engines=list(server.engines), formats=list(MEDIA_TYPES))
    return JSONResponse(body.model_dump())


async def openapi_document(request: Request) -> Response:
    """``GET /api/openapi.json``: the OpenAPI 3.1 description of the API."""
    from starlette.responses import JSONResponse

    server: Server = request.app.state.server
    return JSONResponse(openapi(bearer=server.config.needs_token))


def openapi(*, bearer: bool) -> dict[str, Any]:
    """The OpenAPI 3.1 document, its schemas generated from the models the server validates with."""
    from pydantic.json_schema import models_json_schema

    from ...document.model import Document

    _, top = models_json_schema(
        [(Document, "validation"), (ErrorBody, "serialization"), (Capabilities, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    schemas = top.get("$defs", {})
    query = BuildQuery.model_json_schema()
    parameters = [
        {"name": name, "in": "query", "required": False, "description": prop.get("description", ""),
         "schema": {k: v for k, v in prop.items() if k not in ("description", "title")}}
        for name, prop in query["properties"].items()
    ]
    ref = {"$ref": "#/components/schemas/Document"}
    errors = {
        str(status): {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
        for status, text in (
            (400, "The fact-check or an option is wrong (the body names file, line and field)."),
            (401, "No token, or a wrong one."),
            (413, "The request, the fact-check or an image is larger than the server's limits."),
            (415, "The content type is not one the server reads."),
            (429, "Every worker is busy and the queue is full: try again after Retry-After seconds."),
            (500, "Rendering failed."),
        )
    }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "reportkit", "version": __version__,
                 "description": "Typeset fact-checks as PDF, EPUB 3, a web page or schema.org ClaimReview."},
        "paths": {
            "/api/build": {"post": {
                "operationId": "build",
                "summary": "Build a fact-check",
                "parameters": parameters,
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref},
                    "text/markdown": {"schema": {"type": "string", "description": "Markdown with a YAML front matter."}},
                    "multipart/form-data": {"schema": {"type": "object", "required": ["check"], "properties": {
                        "check": {"description": "The fact-check: JSON or Markdown.",
                                  "oneOf": [ref, {"type": "string"}]},
                        "images": {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                                   "description": "Images, each named as the fact-check names it."},
                    }}},
                }},
                "responses": {
                    "200": {"description": "The output.", "content": {
                        "application/pdf": {}, "application/epub+zip": {}, "text/html": {}, "application/ld+json": {}}},
                    **errors,
                },
            }},
            "/api/schema": {"get": {"operationId": "schema", "summary": "The JSON Schema of a fact-check",
                                    "responses": {"200": {"description": "JSON Schema 2020-12.",
                                                          "content": {"application/schema+json": {}}}}}},
            "/api/layouts": {"get": {"operationId": "layouts", "summary": "Layouts, page sizes and engines",
                                     "responses": {"200": {"description": "What the options may be.", "content": {
                                         "application/json": {"schema": {"$ref": "#/components/schemas/Capabilities"}}}}}}},
        },
        "components": {"schemas": schemas},
    }
    if bearer:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        document["security"] = [{"bearer": []}]
    return document
