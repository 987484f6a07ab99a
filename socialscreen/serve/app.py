"""The HTTP service (FastAPI): screen one post or a batch, list packs, show a clause or a rule,
health and readiness, the screen-as-you-type page at `/`.

Safe by default: the command binds 127.0.0.1; an optional bearer token (from an environment
variable, never the command line); request bodies and batches are bounded (413 with a JSON
error); malformed JSON is a 400 that says where; every error is `{"error": ...}` and never
quotes the post; the access log names the route template, never the path, query or body;
CORS is off unless origins are configured; every response carries a strict
Content-Security-Policy (the page loads only its own static files: no inline script, no CDN).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import ScreenInputError, SocialScreenError
from ..values import Post, RecordError
from . import models as m
from .screening import NoScreeningProcess, ProcessEngine, Screeners, ScreeningStopped, ThreadEngine

STATIC = Path(__file__).resolve().parent / "static"
CONFIG_ENV = "SOCIALSCREEN_SERVE_CONFIG"
access_log = logging.getLogger("socialscreen.serve.access")
log = logging.getLogger("socialscreen.serve")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass
class ServeConfig:
    """What `socialscreen serve` passes to each worker (as JSON in SOCIALSCREEN_SERVE_CONFIG)."""
    policy: Optional[str] = None            # the default pack; warmed at start-up
    model: Optional[str] = None
    context: Optional[str] = "context"
    max_body: int = 1_000_000               # bytes per request body
    max_batch: int = 1000                   # posts per batch request
    max_chars: int = 20_000                 # characters per post, profile or alt text
    api_key_env: str = "SOCIALSCREEN_API_KEY"
    cors_origins: list = field(default_factory=list)
    workers: int = 1                        # service worker processes (uvicorn's)
    screen_processes: Optional[int] = None  # screening processes per worker; 0: a thread; None: auto

    def processes(self) -> int:
        """Screening processes per worker: as configured, else the CPU cores shared out among the
        workers (at least one each)."""
        if self.screen_processes is not None:
            return max(0, int(self.screen_processes))
        return max(1, usable_cpus() // max(1, self.workers))

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> "ServeConfig":
        raw = os.environ.get(CONFIG_ENV)
        return cls(**json.loads(raw)) if raw else cls()


def _json(parts_or_bytes) -> Response:
    return Response(parts_or_bytes, media_type="application/json")


def _error(status: int, message: str, details=None, headers=None) -> JSONResponse:
    body = {"error": message}
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def usable_cpus() -> int:
    """The CPU cores this process may run on (its affinity, where the system says)."""
    count = getattr(os, "process_cpu_count", None)               # Python 3.13+
    if count is not None:
        return count() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Guard:
    """Outermost ASGI middleware: the body limit (413 before the app reads a byte more), the
    security headers, the access log (method, route template, status, time: no path, query or
    body) and a last catch that logs an unexpected error's type only."""

    def __init__(self, app, max_body: int):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        state = {"status": 500, "started": False}

        async def send_out(message):
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS:
                    headers[k.decode()] = v.decode()
                if scope["path"].startswith("/v1/"):
                    headers["cache-control"] = "no-store"
            await send(message)

        try:
            replay = await self._read_body(scope, receive, send_out)
            if replay is not None:
                await self.app(scope, replay, send_out)
        except Exception as exc:                       # never the message: it might hold input
            log.error("unexpected %s while handling %s %s", getattr(exc, "kind", None) or type(exc).__name__,
                      scope.get("method"), _route(scope))
            if not state["started"]:
                await _error(500, "internal error (logged by type only); the service goes on")(scope, receive, send_out)
        finally:
            access_log.info('%s "%s %s" %d %.1fms', (scope.get("client") or ("-",))[0], scope.get("method"),
                            _route(scope), state["status"], (time.perf_counter() - started) * 1000)

    async def _read_body(self, scope, receive, send):
        """The request body read up to the limit, replayed to the app; None once a 413 is sent."""
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return receive
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                await _error(400, "the Content-Length header is not a number")(scope, receive, send)
                return None
            if n > self.max_body:
                await self._too_large(scope, receive, send)
                return None
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body:
                await self._too_large(scope, receive, send)
                return None
            chunks.append(body)
            more = message.get("more_body", False)
        body, sent = b"".join(chunks), False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()
        return replay

    async def _too_large(self, scope, receive, send):
        await _error(413, f"the request body is larger than the limit of {self.max_body} bytes "
                          f"(split the batch, or start the service with a larger --max-body)",
                     headers={"connection": "close"})(scope, receive, send)


def _route(scope) -> str:
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return route.path
    if scope.get("path", "").startswith("/static/"):
        return "/static/*"
    return "(no route)"


def _validation_details(exc: RequestValidationError) -> list:
    out = []
    for e in exc.errors():
        loc = ".".join(str(x) for x in e.get("loc", ()))
        out.append(f"{loc}: {e.get('msg', 'invalid')}")          # never e["input"]: it may be the post
    return out


def create_app(cfg: Optional[ServeConfig] = None) -> FastAPI:
    cfg = cfg or ServeConfig.from_env()
    api_key = os.environ.get(cfg.api_key_env) or None
    from ..packs import load_all
    from ..rules import load_rules
    packs = load_all()
    rules = {r.id: r for r in load_rules()}
    if cfg.policy is not None and cfg.policy not in packs:
        raise SocialScreenError(f"no installed pack {cfg.policy!r}; installed: {', '.join(packs)}")
    kwargs = dict(model=cfg.model, context=cfg.context, max_chars=cfg.max_chars)
    n = cfg.processes()
    work = ProcessEngine(cfg.policy, kwargs, n) if n else ThreadEngine(cfg.policy, Screeners(**kwargs))

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        work.start()
        try:
            yield
        finally:
            await work.close()

    app = FastAPI(title="socialscreen", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Screen draft social-media posts against a social media policy. "
                              "Results are the same JSON as `socialscreen check --format json`.")
    app.state.cfg, app.state.engine = cfg, work
    bearer = HTTPBearer(auto_error=False, description="needed only when the service was started with "
                                                      f"{cfg.api_key_env} set")

    async def authorised(creds: Optional[HTTPAuthorizationCredentials] = Depends(bearer)):
        if api_key is None:
            return
        if creds is None or not secrets.compare_digest(creds.credentials.encode(), api_key.encode()):
            raise HTTPException(401, "missing or wrong API key: send Authorization: Bearer <key>",
                                headers={"WWW-Authenticate": "Bearer"})

    errors = {s: {"model": m.ErrorOut} for s in (400, 401, 413, 415, 422, 503)}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint (GET /openapi.json lists them)"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed here (GET /openapi.json lists the endpoints)"
        return _error(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(ScreeningStopped)
    async def stopped(request: Request, exc: ScreeningStopped):
        log.error("a screening process stopped while handling %s %s", request.method, _route(request.scope))
        return _error(503, "the screening process stopped while screening this request (it has been replaced): "
                           "send it again", headers={"retry-after": "1"})

    @app.exception_handler(NoScreeningProcess)
    async def no_process(request: Request, exc: NoScreeningProcess):
        return _error(503, "no screening process could start (GET /readyz says why; the service's log has more)")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errs = exc.errors()
        bad_json = next((e for e in errs if e.get("type") == "json_invalid"), None)
        if bad_json is not None:
            loc = bad_json.get("loc", ())
            where = f" at character {loc[1]}" if len(loc) > 1 else ""
            why = (bad_json.get("ctx") or {}).get("error", "cannot be parsed")
            return _error(400, f"the request body is not valid JSON{where}: {why}")
        if any(e.get("type") == "missing" and tuple(e.get("loc", ())) == ("body",) for e in errs):
            return _error(400, "the request body is empty, not valid JSON: send a JSON object (GET /openapi.json)")
        ctype = request.headers.get("content-type", "")
        if request.method == "POST" and "json" not in ctype.lower():
            return _error(415, "send the body as JSON with Content-Type: application/json")
        return _error(422, "the request does not match the schema (GET /openapi.json)", _validation_details(exc))

    def _pack_id(policy: Optional[str]) -> str:
        pid = policy or cfg.policy
        if pid is None:
            raise HTTPException(422, f"name a policy: one of {', '.join(packs)}")
        if pid not in packs:
            raise HTTPException(422, f"no installed pack {pid!r}; installed: {', '.join(packs)}")
        return pid

    def _check_length(what: str, value: Optional[str]):
        if value is not None and len(value) > cfg.max_chars:
            raise HTTPException(413, f"{what} is {len(value)} characters; the limit is {cfg.max_chars}")

    # -- the page --------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # -- health ------------------------------------------------------------------------------
    @app.get("/healthz", response_model=m.HealthOut, tags=["health"], summary="liveness")
    def healthz():
        return {"status": "ok", "version": __version__, "auth": api_key is not None, "policy": cfg.policy}

    @app.get("/readyz", response_model=m.ReadyOut, tags=["health"], summary="readiness: the default pack is loaded",
             responses={503: {"model": m.ReadyOut}})
    def readyz():
        if not work.ready:
            return JSONResponse({"status": "loading", "loaded": work.loaded()}, status_code=503)
        if work.error:
            return JSONResponse({"status": "failed", "loaded": work.loaded(), "error": work.error},
                                status_code=503)
        return {"status": "ready", "loaded": work.loaded()}

    # -- screening -------------------------------------------------------------------------------
    @app.post("/v1/screen", tags=["screen"], summary="screen one post",
              responses={200: {"model": m.ResultOut}, **errors}, dependencies=[Depends(authorised)])
    async def screen_one(req: m.ScreenRequest):
        pid = _pack_id(req.policy)
        _check_length("the post", req.text)
        _check_length("the profile", req.profile)
        for a in req.attachments:
            _check_length("an attachment's alt text", a.alt_text)
        try:
            post = Post.build(req.text, id=req.id, account=req.account, profile=req.profile,
                              attachments=[a.model_dump() for a in req.attachments],
                              allow=[a if isinstance(a, str) else a.model_dump() for a in req.allow])
        except ScreenInputError as exc:
            raise HTTPException(422, str(exc))
        ((problem, out),) = await work.screen(pid, [post])
        if problem is not None:
            raise HTTPException(422, problem)
        return _json(out)

    @app.post("/v1/screen/batch", tags=["screen"], summary="screen many posts, in order",
              responses={200: {"model": list[m.BatchItem]}, **errors}, dependencies=[Depends(authorised)])
    async def screen_batch(req: m.BatchRequest):
        if len(req.posts) > cfg.max_batch:
            raise HTTPException(413, f"the batch holds {len(req.posts)} posts; the limit is {cfg.max_batch} "
                                     f"(split it)")
        default = _pack_id(req.policy)
        items, packs_of = [], []
        for raw in req.posts:
            rid = raw.get("id") if isinstance(raw, dict) else None
            rid = None if rid is None else str(rid)
            p = raw.get("policy") if isinstance(raw, dict) else None
            p = default if p is None else p
            if not isinstance(p, str) or p not in packs:
                items.append(RecordError(rid, "the record's policy is not an installed pack id (GET /v1/packs); "
                                              "leave it out to use the batch's policy", code="unknown_policy"))
                packs_of.append(default)
                continue
            try:
                items.append(Post.of(raw, account=req.account, profile=req.profile))
            except ScreenInputError as exc:
                items.append(RecordError(rid, str(exc), code=exc.code))
            packs_of.append(p)
        # consecutive records of one pack go as one job; results come back in input order
        runs = [(pid, [x for _, x in group]) for pid, group in itertools.groupby(zip(packs_of, items),
                                                                                   key=lambda x: x[0])]
        parts = []
        for results in await asyncio.gather(*(work.screen(pid, run) for pid, run in runs)):
            parts.extend(out for _, out in results)
        return _json(b"[" + b",".join(parts) + b"]")

    # -- packs, clauses, rules ------------------------------------------------------------------------
    @app.get("/v1/packs", response_model=list[m.PackOut], tags=["policy"], summary="the installed packs",
             dependencies=[Depends(authorised)], responses={401: {"model": m.ErrorOut}})
    def list_packs():
        return [{"id": pid, "title": p.title, "organisation": p.organisation.name,
                 "version": None if p.meta.get("version") is None else str(p.meta.get("version")),
                 "categories": list(p.categories), "clauses": list(p.clauses)} for pid, p in packs.items()]

    @app.get("/v1/packs/{pack_id}/clauses/{clause_id}", response_model=m.ClauseDetailOut, tags=["policy"],
             summary="a clause of a pack, quoted", dependencies=[Depends(authorised)],
             responses={404: {"model": m.ErrorOut}, 401: {"model": m.ErrorOut}})
    def clause(pack_id: str, clause_id: str):
        pack = packs.get(pack_id)
        if pack is None:
            raise HTTPException(404, f"no installed pack by that id; installed: {', '.join(packs)}")
        c = pack.clauses.get(clause_id) or next((x for x in pack.clauses.values() if x.section == clause_id), None)
        if c is None:
            raise HTTPException(404, f"pack {pack_id} has no clause by that id; it has: {', '.join(pack.clauses)}")
        cats = [cat for cat, mp in pack.categories.items() if any(c.id in ids for ids in mp.values())]
        cited = [key for key, mp in pack.rules.items() if any(c.id in ids for ids in mp.values())]
        return {**c.to_dict(), "cited_for": cats + cited, "manual": c.id in pack.manual}

    @app.get("/v1/rules", response_model=list[m.RuleSummaryOut], tags=["policy"], summary="every rule",
             dependencies=[Depends(authorised)], responses={401: {"model": m.ErrorOut}})
    def list_rules():
        return [{"id": r.id, "kind": r.kind, "category": r.category, "severity": r.severity,
                 "message": r.message, "fix": r.fix or ""} for r in rules.values()]

    @app.get("/v1/rules/{rule_id}", response_model=m.RuleOut, tags=["policy"],
             summary="a rule explained: message, what to do, the clauses it cites",
             dependencies=[Depends(authorised)], responses={404: {"model": m.ErrorOut}, 401: {"model": m.ErrorOut}})
    def rule(rule_id: str):
        r = rules.get(rule_id)
        if r is None:
            raise HTTPException(404, "no rule by that id (GET /v1/rules lists them)")
        cites = []
        for pid, pack in packs.items():
            for account in ("personal", "official"):
                cs = pack.clauses_for(r.id, r.category, account)
                if cs:
                    cites.append({"policy": pid, "account": account, "clauses": [c.id for c in cs]})
        return {"id": r.id, "kind": r.kind, "category": r.category, "severity": r.severity,
                "description": r.description or "", "message": r.message, "fix": r.fix or "", "cites": cites}

    if cfg.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=list(cfg.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["authorization", "content-type"])
    app.add_middleware(Guard, max_body=cfg.max_body)
    return app
