"""The HTTP API (FastAPI). Every route but ``/health`` needs a bearer token with the right scope.

A token sees only its tenant's jobs and uploads (an admin token sees all); each
token may make ``rate_limit_per_minute`` requests a minute (429 past that).
Every error is a JSON ``{"detail": "<one line>"}`` with a 4xx status for a bad
request (5xx only for the server's own faults), naming files relative to the
storage roots and never echoing more than a few lines of the request.

The OpenAPI schema is served at ``/openapi.json`` (browsable at ``/docs``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text

from localize.errors import ConfigError, EditConflict, GlossaryError, InputError, LocalizeError, MediaError
from localize.review import EpisodeBusy
from localize.service.db import JOB_STATES, Token
from localize.service.errors import AccessDenied, Conflict, NotFound, ServiceUnavailable, UnsupportedUpload, UploadTooLarge
from localize.service.runtime import Service
from localize.service.schemas import (
    DeliverableView,
    JobList,
    JobView,
    Submission,
    TokenCreate,
    TokenCreated,
    TokenView,
    UploadView,
    iso,
)
from localize.service.security import Principal, authenticate, create_token, list_tokens, revoke_token
from localize.studio import Reviewer, StudioEpisode, studio_router

__all__ = ["create_app"]

_STATUS: tuple[tuple[type[LocalizeError], int], ...] = (
    (AccessDenied, status.HTTP_403_FORBIDDEN),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (EditConflict, status.HTTP_409_CONFLICT),
    (EpisodeBusy, status.HTTP_409_CONFLICT),
    (UploadTooLarge, status.HTTP_413_CONTENT_TOO_LARGE),
    (UnsupportedUpload, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
    (ServiceUnavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
    (InputError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (ConfigError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (GlossaryError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (MediaError, status.HTTP_422_UNPROCESSABLE_CONTENT),
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
MAX_BODY_BYTES = 1 << 20
"""Request bodies other than uploads (JSON) are this large at most."""
_MAX_OFFSET = 10**9

log = logging.getLogger("localize.service")

_bearer = HTTPBearer(auto_error=False, description="An API token made with 'localize token create'.")


def _admit(request: Request, presented: str | None, scope: str) -> Principal:
    """The principal of a presented token that grants ``scope`` (401 without a valid token, 429 over its rate, 403
    without the scope)."""
    service: Service = request.app.state.service
    principal = authenticate(service.database, presented) if presented else None
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a valid bearer token is required", headers=_CHALLENGE)
    wait = service.limiter.wait(principal.name)
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"this token is over {service.settings.rate_limit_per_minute} requests a minute",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    if not principal.allows(scope):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this token lacks the '{scope}' scope")
    return principal


def _require(scope: str) -> Callable[[Request, HTTPAuthorizationCredentials | None], Principal]:
    """A dependency that admits a bearer token granting ``scope``."""

    def check(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
        return _admit(request, credentials.credentials if credentials else None, scope)

    return check


Reader = Annotated[Principal, Depends(_require("read"))]
Submitter = Annotated[Principal, Depends(_require("submit"))]
Admin = Annotated[Principal, Depends(_require("admin"))]


def _token_view(token: Token) -> TokenView:
    return TokenView(
        name=token.name,
        scopes=token.scopes.split(),  # type: ignore[arg-type]
        tenant=token.tenant,
        created_at=iso(token.created_at) or "",
        expires_at=iso(token.expires_at),
    )


class _BodyLimit:
    """Refuse (413) a request body over ``MAX_BODY_BYTES``, declared or streamed, on every route but ``POST /uploads``."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(
        self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]], send: Callable[..., Awaitable[None]]
    ) -> None:
        if scope["type"] != "http" or (scope["method"] == "POST" and scope["path"] == "/uploads"):
            await self.app(scope, receive, send)
            return
        too_large = f"the request body is over {MAX_BODY_BYTES} bytes"
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await JSONResponse({"detail": too_large}, status.HTTP_413_CONTENT_TOO_LARGE)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, too_large)
            return message

        await self.app(scope, limited, send)


def _one_line(exc: RequestValidationError) -> str:
    """The first problem of a request that does not fit the schema, without the input it held."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"] if part != "body") or "body"
    return f"{where[:200]}: {str(first['msg'])[:300]}"


def _status_of(exc: LocalizeError) -> int:
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)


def create_app(service: Service) -> FastAPI:
    """The API app over one service."""
    from localize import __version__

    app = FastAPI(
        title="localize",
        version=__version__,
        description="Submit episodes to transcribe, translate and dub; follow their stages; download the deliverables.",
    )

    app.state.service = service
    app.add_middleware(_BodyLimit)

    @app.exception_handler(LocalizeError)
    async def _localize_error(_: Request, exc: LocalizeError) -> JSONResponse:
        return JSONResponse({"detail": service.public(exc.one_line())}, status_code=_status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": service.public(_one_line(exc))}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": f"internal error ({type(exc).__name__}); the operator can find it in the server log"}, 500)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness and database reachability; needs no token."""
        try:
            with service.database.read() as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"database unreachable: {type(exc).__name__}") from exc
        return {"status": "ok"}

    @app.post("/uploads", status_code=status.HTTP_201_CREATED, tags=["uploads"])
    async def upload(
        request: Request,
        principal: Submitter,
        filename: Annotated[str, Query(max_length=1024, description="File name; its suffix says media or glossary.")],
    ) -> UploadView:
        """Upload an episode (video or audio) or a glossary as the raw request body; size-limited and type-checked."""
        limit = service.settings.max_upload_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise UploadTooLarge(f"upload of {declared} bytes is over the {limit}-byte limit", "upload a smaller file")
        upload_id, kind, path = service.new_upload(filename)
        size = 0
        try:
            async with await anyio.open_file(path, "wb") as handle:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise UploadTooLarge(f"upload is over the {limit}-byte limit", "upload a smaller file")
                    await handle.write(chunk)
        except BaseException:
            service.discard_upload(path)
            raise
        if size == 0:
            service.discard_upload(path)
            raise InputError("the upload is empty", "send the file as the request body")
        await run_in_threadpool(service.check_upload, path, kind, principal)
        return UploadView(id=upload_id, filename=path.name, kind=kind, bytes=size)  # type: ignore[arg-type]

    @app.post("/jobs", status_code=status.HTTP_201_CREATED, tags=["jobs"])
    def submit(submission: Submission, principal: Submitter) -> JobView:
        """Submit an episode: checked now, then run stage by stage on the workers."""
        return service.view(service.submit(submission, principal))

    @app.get("/jobs", tags=["jobs"])
    def list_jobs(
        principal: Reader,
        state: Annotated[str | None, Query(alias="status", description=f"One of {', '.join(JOB_STATES)}.")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
    ) -> JobList:
        """This token's tenant's jobs (every tenant's for an admin), newest first."""
        if state is not None and state not in JOB_STATES:
            raise InputError(f"unknown status '{state[:40]}'", f"use one of {', '.join(JOB_STATES)}")
        found, total = service.list_jobs(principal, state, limit, offset)
        return JobList(jobs=[service.view(job) for job in found], total=total)

    @app.get("/jobs/{job_id}", tags=["jobs"])
    def get_job(job_id: str, principal: Reader) -> JobView:
        """A job's status and per-stage progress."""
        return service.view(service.job(job_id, principal))

    @app.post("/jobs/{job_id}/cancel", tags=["jobs"])
    def cancel(job_id: str, principal: Submitter) -> JobView:
        """Cancel a job; a running stage stops at its next progress report."""
        return service.view(service.cancel(job_id, principal))

    @app.post("/jobs/{job_id}/retry", tags=["jobs"])
    def retry(job_id: str, principal: Submitter) -> JobView:
        """Run a failed or cancelled job again; finished work comes from the cache."""
        return service.view(service.retry(job_id, principal))

    @app.delete("/jobs/{job_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["jobs"])
    def delete_job(job_id: str, principal: Submitter) -> None:
        """Delete a finished (or cancelled) job with its files and the uploads no other job uses."""
        service.delete(job_id, principal)

    @app.get("/jobs/{job_id}/files", tags=["deliverables"])
    def files(job_id: str, principal: Reader) -> list[DeliverableView]:
        """The deliverables and reports of a finished job."""
        job = service.job(job_id, principal)
        return [
            DeliverableView(**d.model_dump(include={"path", "kind", "language", "sha256", "bytes"}), url=f"/jobs/{job_id}/files/{d.path}")
            for d in service.deliverables(job)
        ]

    @app.get("/jobs/{job_id}/files/{path:path}", tags=["deliverables"], response_class=FileResponse)
    def download(job_id: str, path: str, principal: Reader) -> FileResponse:
        """Download one deliverable."""
        return FileResponse(service.deliverable_path(service.job(job_id, principal), path))

    @app.get("/tokens", tags=["tokens"])
    def tokens(_: Admin) -> list[TokenView]:
        """Every token's name and scopes."""
        return [_token_view(token) for token in list_tokens(service.database)]

    @app.post("/tokens", status_code=status.HTTP_201_CREATED, tags=["tokens"])
    def new_token(body: TokenCreate, _: Admin) -> TokenCreated:
        """Create a token; its secret is in this response only."""
        lifetime = body.expires_in_days * 86400 if body.expires_in_days is not None else None
        secret, token = create_token(service.database, body.name, body.scopes, body.tenant, lifetime)
        return TokenCreated(**_token_view(token).model_dump(), token=secret)

    @app.delete("/tokens/{name}", status_code=status.HTTP_204_NO_CONTENT, tags=["tokens"])
    def delete_token(name: str, _: Admin) -> None:
        """Revoke a token."""
        revoke_token(service.database, name)

    _mount_studio(app, service)
    return app


STUDIO_COOKIE = "localize_review"


def _mount_studio(app: FastAPI, service: Service) -> None:
    """The review studio of each finished job at ``/jobs/{id}/studio/``, for tokens with the ``review`` scope of the
    job's tenant. A browser opens ``/jobs/{id}/studio/open?token=...`` once; the token then travels in a same-site,
    HTTP-only cookie limited to that job's studio."""
    studios: dict[str, StudioEpisode] = {}

    def reviewable(request: Request, job_id: str, presented: str | None) -> tuple[Principal, Path]:
        principal = _admit(request, presented, "review")
        job = service.job(job_id, principal)
        if job.status != "succeeded":
            raise Conflict(f"job {job.id} is {job.status}", "open the studio once the job has succeeded")
        return principal, service.episode_folder(job)

    def resolve(request: Request, job_id: str, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Reviewer:
        presented = credentials.credentials if credentials else request.cookies.get(STUDIO_COOKIE)
        principal, folder = reviewable(request, job_id, presented)
        studio = studios.setdefault(job_id, StudioEpisode(folder))
        return Reviewer(studio, principal.name, f"/jobs/{job_id}/studio")

    @app.get("/jobs/{job_id}/studio/open", tags=["studio"], response_class=RedirectResponse)
    def open_studio(request: Request, job_id: str, token: Annotated[str, Query(max_length=200)]) -> RedirectResponse:
        """Open a finished job in the review studio (a browser's way in: the token is kept in a cookie)."""
        reviewable(request, job_id, token)
        response = RedirectResponse(f"/jobs/{job_id}/studio/", status_code=status.HTTP_303_SEE_OTHER)
        response.set_cookie(STUDIO_COOKIE, token, path=f"/jobs/{job_id}/studio", httponly=True, samesite="strict")
        return response

    app.include_router(studio_router(resolve), prefix="/jobs/{job_id}/studio", tags=["studio"])
