"""The FastAPI application: routers under ``/api/v1``, one error format, OpenAPI docs."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from labelqa import __version__
from labelqa.api.routers import (
    annotations as annotations_routes,
)
from labelqa.api.routers import (
    gold,
    health,
    labelers,
    metrics,
    queues,
    reports,
    sops,
    sources,
    sync_runs,
    tokens,
    webhooks,
)
from labelqa.context import AppContext
from labelqa.errors import LabelQAError
from labelqa.settings import get_settings
from labelqa.web import routes as web_routes

__all__ = ["create_app"]

API_PREFIX = "/api/v1"


def _error(status: int, code: str, message: str, details: object = None) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse(status_code=status, content=body)


def create_app(ctx: AppContext | None = None) -> FastAPI:
    """Build the app around ``ctx`` (default: settings from the environment)."""
    if ctx is None:
        settings = get_settings()
        settings.check_secret()
        ctx = AppContext(settings)
    app = FastAPI(
        title="LabelQA",
        version=__version__,
        description="Quality assurance for ML training labels made in Label Studio.",
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx

    @app.exception_handler(LabelQAError)
    async def _labelqa_error(_: Request, exc: LabelQAError) -> JSONResponse:
        return _error(exc.status_code, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        ]
        return _error(422, "invalid_request", "; ".join(problems), problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    for r in (
        health,
        sources,
        queues,
        labelers,
        annotations_routes,
        sync_runs,
        tokens,
        webhooks,
        sops,
        metrics,
        gold,
        reports,
    ):
        app.include_router(r.router, prefix=API_PREFIX)
    web_routes.mount(app)  # dashboard pages at / and their static assets at /static
    return app
