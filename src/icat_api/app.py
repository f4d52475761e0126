"""create_app(): routers, middleware, error handlers, offline docs."""

import gc
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from icat_api import __version__, clock, decision_subjects
from icat_api.applications.router import router as applications_router
from icat_api.audit.router import router as audit_router
from icat_api.browsers import CorsPolicy, HeadAsGet
from icat_api.calendar.router import router as calendar_router
from icat_api.chair_terms.router import router as chair_terms_router
from icat_api.chairs.candidacy_router import router as candidacy_router
from icat_api.chairs.router import router as chairs_router
from icat_api.changes.router import router as changes_router
from icat_api.data_version import VersionedCache, stored_version
from icat_api.db import make_engine, make_sessionmaker, reads_on_the_loop, writers_for
from icat_api.entities.membership_router import router as memberships_router
from icat_api.entities.router import router as entities_router
from icat_api.focal_points.router import router as focal_points_router
from icat_api.forwarded import ForwardedClient
from icat_api.funding.router import router as funding_router
from icat_api.governance.decisions_router import router as decisions_router
from icat_api.governance.meetings_router import router as meetings_router
from icat_api.governance.working_group_router import router as working_group_router
from icat_api.health import router as health_router
from icat_api.idempotency.middleware import Idempotency
from icat_api.logs import configure_logging
from icat_api.member_list.router import router as member_list_router
from icat_api.middleware import HostGuard, InputGuard, RequestContext
from icat_api.observability import tracing
from icat_api.openapi import build_openapi, operation_id
from icat_api.problems import install_handlers
from icat_api.publications.router import router as publications_router
from icat_api.ratelimit import RateLimit
from icat_api.records.router import router as records_router
from icat_api.response_cache import ResponseCache, media_types
from icat_api.settings import Settings, get_settings
from icat_api.webhooks import outbox, sender
from icat_api.webhooks.router import router as webhooks_router
from icat_api.work_plans.router import router as work_plans_router

DESCRIPTION = """
The registry of the **Inter-Agency Coordination Group against Trafficking in Persons (ICAT)**:
who belongs, who may vote, who may chair, what was decided. It enforces the ICAT Terms of
Reference (ToR) at the boundary: every refusal of a rule is `application/problem+json` whose
`rule` names the clause, e.g. `"rule": "ToR 3.A.4(b)"`.

* Public reads need no key. Writes, and reads of personal data, need
  `Authorization: Bearer <key>`.
* **Getting a key:** ask the ICAT secretariat (the Coordinator, UNODC). It creates a key for your
  entity with the command-line tool, `icat-api keys create --entity ID`, and gives it to you: the
  key is shown once and only its hash is stored, so a lost key is revoked
  (`icat-api keys revoke`) and replaced, never recovered. A key acts for its own entity only; the
  Coordinator's keys carry the secretariat's powers (ToR 3.C.1).
* **Keeping a copy in step:** the change feed, `GET /v1/changes?after=SEQ`, lists every change
  in commit order (created, updated, deleted) with where to read the resource: keep the last
  `seq` and ask again with `after=` it — nothing twice, nothing missed. **Webhooks** push the same
  items as they happen: subscribe with `POST /v1/webhooks` (a member's, a partner's or the
  secretariat's key); each delivery is signed as the Standard Webhooks specification says
  (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret answered once.
* Every GET carries an `ETag`; `If-None-Match` answers 304, `If-Match` on PATCH answers 412 when
  stale.
* Lists are `{"items": [...], "next_cursor": ...}` with `limit` (default 50, at most 200) and
  `cursor`.
* Dates are `YYYY-MM-DD` in fields ending `_on`; timestamps RFC 3339 UTC in fields ending `_at`.
* `Accept` is weighed with its q-values: JSON by default, `text/csv` for lists, and for
  `GET /v1/member-list` `text/html`, a page the website can embed.
* A membership holds from `starts_on` until the day before `ends_on`: a partner admitted as a
  member stops being a partner the day the membership starts.
"""

_STATIC = Path(fastapi_offline.__file__).parent / "static"
# The docs pages take everything from this server (they work offline, DESIGN §4), and tell the
# browser so: it refuses anything from elsewhere, such as the Redocly logo that ReDoc's bundle
# asks its CDN for. FastAPI's Swagger UI page starts with an inline script; both UIs style
# elements inline and draw icons as data: images; ReDoc's search runs in a worker from a blob.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
_DOCS_HEADERS = {"Content-Security-Policy": DOCS_POLICY, "X-Content-Type-Options": "nosniff"}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application, wired to the database of ``settings``."""
    settings = settings or get_settings()
    app = FastAPI(
        title="ICAT registry API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        generate_unique_id_function=operation_id,
    )
    clock.configure(settings.timezone)
    assert decision_subjects.REGISTERED  # every kind of decision has its subject
    assert callable(outbox.enqueue_changes)  # imported: the webhooks' outbox is written
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.writers = writers_for(engine)
    app.state.reads_on_loop = reads_on_the_loop(engine)
    app.state.read_cache = VersionedCache(
        lambda: _stored_version(app),
        check_seconds=settings.cache_check_seconds,
        size=settings.response_cache_entries,
        max_bytes=settings.response_cache_bytes,
    )

    install_handlers(app)
    for router in (
        member_list_router,
        entities_router,
        memberships_router,
        focal_points_router,
        working_group_router,
        meetings_router,
        calendar_router,
        decisions_router,
        applications_router,
        chair_terms_router,
        chairs_router,
        candidacy_router,
        work_plans_router,
        funding_router,
        publications_router,
        audit_router,
        changes_router,
        webhooks_router,
        records_router,
        health_router,
    ):
        app.include_router(router)
    _mount_docs(app)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    metrics = None
    if settings.metrics_enabled:  # prometheus_client is imported only then
        from icat_api.observability.metrics import install

        metrics = install(app, engine)  # GET /metrics

    app.add_middleware(Idempotency)
    if settings.response_cache_enabled:
        app.add_middleware(
            ResponseCache, cache=app.state.read_cache, offered=lambda: media_types(app.routes)
        )
    app.add_middleware(InputGuard, max_bytes=settings.max_body_bytes)
    if settings.rate_limit_enabled:
        app.add_middleware(
            RateLimit,
            per_address=settings.rate_limit_per_address,
            per_key=settings.rate_limit_per_key,
            redis_url=settings.redis_url,
            redis_timeout=settings.redis_timeout_seconds,
            on_refusal=metrics.refused if metrics else None,
        )
    app.add_middleware(CorsPolicy, origins=settings.cors_origins)
    app.add_middleware(HostGuard, allowed_hosts=settings.allowed_hosts)
    if settings.forwarded_allow_ips:
        app.add_middleware(ForwardedClient, trusted=settings.forwarded_allow_ips)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestContext)
    if metrics is not None:
        from icat_api.observability.metrics import HttpMetrics

        app.add_middleware(HttpMetrics, metrics=metrics)  # outermost: refusals count too
    if tracing.enabled():  # the standard OTEL_* variables
        tracing.instrument(app, engine)
    return app


def create_served_app() -> FastAPI:
    """The app as ``icat-api serve`` runs it (uvicorn's factory, in the worker process).

    Everything built at start (routes, models, SQLAlchemy's metadata: some 120,000 objects)
    lives as long as the process: frozen out of the collector's sight, a full collection no
    longer walks it (78 ms, against 18 ms for a bare FastAPI app), and requests stop paying for
    it. Not in ``create_app``: tests build many apps, and frozen objects are never freed.
    """
    settings = get_settings()  # each worker's, from the same environment as the parent's
    configure_logging(settings.log_level, settings.log_json)  # a worker starts unconfigured
    app = create_app(settings)
    if settings.webhook_delivery_enabled:
        sender.delivering(app)  # the webhooks' delivery loop, for as long as the app is served
    gc.collect()
    gc.freeze()
    return app


def _stored_version(app: FastAPI) -> int:
    with app.state.sessionmaker() as session:
        return stored_version(session)


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI and ReDoc from assets shipped in a package: the docs work with no internet."""
    app.mount("/static-docs", StaticFiles(directory=_STATIC), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ICAT registry API",
            swagger_js_url="/static-docs/swagger-ui-bundle.js",
            swagger_css_url="/static-docs/swagger-ui.css",
            swagger_favicon_url="/static-docs/favicon.png",
        )
        page.headers.update(_DOCS_HEADERS)
        return page

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url="/openapi.json",
            title="ICAT registry API",
            redoc_js_url="/static-docs/redoc.standalone.js",
            redoc_favicon_url="/static-docs/favicon.png",
            with_google_fonts=False,
        )
        page.headers.update(_DOCS_HEADERS)
        return page
