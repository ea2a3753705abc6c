"""How the server answers a problem: a short JSON body naming it, never a traceback or a server path."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from .jobs import Outcome

if TYPE_CHECKING:
    from starlette.responses import Response

__all__ = ["ErrorBody", "error_response", "outcome_error"]


class ErrorBody(BaseModel):
    """Why a request failed: the problem, and where it is in the fact-check."""

    error: str = Field(description="The kind of problem: InputError, LimitError, Unauthorized, Busy...")
    message: str
    file: str | None = Field(None, description="The uploaded file the problem is in (its name only).")
    line: int | None = None
    column: int | None = None
    field: str | None = Field(None, description="The field, e.g. sources[2].url.")
    hint: str | None = Field(None, description="What to do about it.")


def error_response(status: int, error: str, message: str, **fields: Any) -> Response:
    """A JSON :class:`ErrorBody` answer."""
    from starlette.responses import JSONResponse

    body = ErrorBody(error=error, message=message, **{k: v for k, v in fields.items() if k in ErrorBody.model_fields})
    headers = {"Retry-After": str(fields["retry_after"])} if "retry_after" in fields else None
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def outcome_error(outcome: Outcome) -> Response:
    """The answer for a failed job (an unexpected failure says nothing of its cause: the server logs it)."""
    error = dict(outcome.error or {})
    status = int(error.pop("status", 500))
    if "traceback" in error:
        logging.getLogger("reportkit.serve").error("a build failed unexpectedly:\n%s", error.pop("traceback"))
    return error_response(status, error.pop("error", "RenderError"), error.pop("message", "rendering failed"), **error)
