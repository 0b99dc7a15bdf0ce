"""``localize studio OUT/<episode>``: the studio for one episode folder, served on this machine.

It binds 127.0.0.1 by default. A secret made at start is given once in the URL it
prints (``/?token=...``), exchanged for a same-site, HTTP-only cookie; every other
request needs that cookie (or the secret as a bearer token), so another web page
open in the same browser cannot drive the studio, and requests naming another
host (DNS rebinding) are refused.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

from localize.errors import LocalizeError
from localize.studio.app import Reviewer, error_response, studio_router
from localize.studio.episode import StudioEpisode

__all__ = ["COOKIE", "create_studio_app", "new_secret"]

COOKIE = "localize_studio"


def new_secret() -> str:
    """A secret for one studio session (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def _presented(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.cookies.get(COOKIE, "")


def create_studio_app(folder: Path, who: str, secret: str, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> FastAPI:
    """The studio app for the episode in ``folder``, acting for ``who``, admitting the holder of ``secret``."""
    studio = StudioEpisode(folder)
    studio.warm_up_in_background()
    app = FastAPI(title="localize studio", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))

    @app.middleware("http")
    async def admit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given.encode(), secret.encode()):
            response = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
            response.set_cookie(COOKIE, secret, httponly=True, samesite="strict")
            return response
        if not hmac.compare_digest(_presented(request).encode(), secret.encode()):
            return JSONResponse({"detail": "open the address 'localize studio' printed (it holds the session's key)"}, 401)
        return await call_next(request)

    @app.exception_handler(LocalizeError)
    async def _error(_: Request, exc: LocalizeError) -> JSONResponse:
        return error_response(exc)

    def resolve(request: Request) -> Reviewer:
        return Reviewer(studio, who, "")

    app.include_router(studio_router(resolve))
    return app
