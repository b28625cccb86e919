"""The FastAPI application: ``create_app(settings)`` wires the store, the model and routes.

It refuses to start without a champion (``NoChampionError``): there is nothing to serve.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from earlyhelp.errors import ConfigError, EarlyHelpError
from earlyhelp.settings import Settings
from serving.api.deps import AppContext, Principals
from serving.api.routes import admin, alerts, audit, auth, health, model, score
from serving.batching import Batcher
from serving.model_holder import ModelHolder
from serving.scoring import MonthFeatures
from serving.security import VerifiedTokens
from serving.store.database import engine_for, session_factory
from serving.ui import routes as ui

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
DESCRIPTION = (
    "Scores, alerts and decisions for Early Help practitioners. A flag is a suggestion to a "
    "person, who decides; the score is used for offering early help and nothing else. Sign in "
    "with `POST /v1/auth/token`; every view of a child's record and every decision is audited."
)

# Every router the app serves, in order; the role-by-route test walks these.
ROUTERS = (health.router, auth.router, model.router, score.router, alerts.router, admin.router,
           audit.router, ui.router)


def create_app(settings: Settings, *, holder: ModelHolder | None = None,
               warehouse: Path | None = None) -> FastAPI:
    engine = engine_for(settings)
    if settings.environment == "production":
        _refuse_demo_users(session_factory(engine))
    holder = holder or ModelHolder(settings, local_first=True)
    context = AppContext(settings=settings, factory=session_factory(engine), holder=holder,
                         warehouse=warehouse or settings.warehouse_path,
                         features=MonthFeatures(warehouse or settings.warehouse_path),
                         batcher=Batcher(holder),
                         principals=Principals(session_factory(engine),
                                               settings.serving.user_cache_seconds),
                         tokens=VerifiedTokens(settings.serving))
    app = FastAPI(title="earlyhelp", version="1", description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None)
    app.state.context = context
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "ui" / "static"),
              name="static")
    _errors(app)

    app.add_middleware(SecurityHeaders)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    return app


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response (a plain ASGI middleware: Starlette's
    ``BaseHTTPMiddleware`` costs more per request than scoring a child)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] == "/docs"  # Swagger UI loads its own scripts: no CSP there

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers and not (docs and name == "Content-Security-Policy"):
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def _refuse_demo_users(factory: sessionmaker[Session]) -> None:
    from serving.demo import demo_users_active

    with factory() as session:
        demo = demo_users_active(session)
    if demo:
        raise ConfigError(f"production refuses to start while demo users can sign in "
                          f"({', '.join(demo)}): `earlyhelp users disable NAME` each")


def _errors(app: FastAPI) -> None:
    """Every error is a JSON body with a message naming what to fix; pages get a page."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [{"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                     "message": e["msg"]} for e in error.errors()]
        text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return JSONResponse({"message": f"invalid request: {text}", "errors": problems},
                            status_code=422)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith("/ui"):
            if error.status_code == 401:
                return RedirectResponse(f"/ui/login?next={request.url.path}", status_code=303)
            return ui.templates.TemplateResponse(request, "error.html.j2", {
                "user": None, "title": "Not available", "heading": "Not available",
                "message": str(error.detail)}, status_code=error.status_code)
        return JSONResponse({"message": str(error.detail)}, status_code=error.status_code,
                            headers=error.headers)

    @app.exception_handler(EarlyHelpError)
    async def known(request: Request, error: EarlyHelpError) -> JSONResponse:
        return JSONResponse({"message": str(error)}, status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"message": "the service failed on this request; it has been "
                                        f"logged ({type(error).__name__})"}, status_code=500)
