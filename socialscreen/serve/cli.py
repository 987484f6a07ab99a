"""`socialscreen serve`: its options, and starting uvicorn. Importing this module needs no
FastAPI; running it does (pip install 'socialscreen[serve]')."""
from __future__ import annotations

import os
import sys

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def add_arguments(p) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--policy", help="the default pack for requests that name none; loaded at start-up")
    p.add_argument("--workers", type=int, default=1,
                   help="service worker processes: each answers HTTP and feeds its own screening processes "
                        "(default 1)")
    p.add_argument("--screen-processes", type=int, default=None, metavar="N",
                   help="screening processes per worker, each loading its screeners once (default: the CPU "
                        "cores shared out among the workers); 0 screens in a thread of the worker itself")
    p.add_argument("--model", help="spaCy model, or 'none' for rules only (default: best installed)")
    p.add_argument("--context", default="context", help="the learned context layer, or 'none'")
    p.add_argument("--max-body", type=int, default=1_000_000, help="largest request body in bytes (413 above)")
    p.add_argument("--max-batch", type=int, default=1000, help="most posts in one batch request (413 above)")
    p.add_argument("--max-chars", type=int, default=20_000,
                   help="longest post, profile or alt text in characters (413, or a record error in a batch)")
    p.add_argument("--api-key-env", default="SOCIALSCREEN_API_KEY", metavar="VAR",
                   help="environment variable holding the bearer token; when it is set, every /v1 request "
                        "must send Authorization: Bearer <token> (default SOCIALSCREEN_API_KEY)")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="allow browser calls from this origin (repeatable); CORS is off by default")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])


def log_config(level: str) -> dict:
    """uvicorn's own access log is off (it prints the path and query); socialscreen.serve.access
    logs the route template instead."""
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    lv = level.upper()
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"plain": {"format": LOG_FORMAT}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": lv, "propagate": False},
            "uvicorn.error": {"level": lv},
            "uvicorn.access": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "socialscreen": {"handlers": ["stderr"], "level": lv, "propagate": False},
        },
    }


def run(args) -> int:
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        print("socialscreen: serve needs the serve extra: pip install 'socialscreen[serve]'", file=sys.stderr)
        return 2
    from .app import CONFIG_ENV, ServeConfig

    cfg = ServeConfig(policy=args.policy, model=args.model, context=None if args.context == "none" else args.context,
                      max_body=args.max_body, max_batch=args.max_batch, max_chars=args.max_chars,
                      api_key_env=args.api_key_env, cors_origins=list(args.cors_origin), workers=args.workers,
                      screen_processes=args.screen_processes)
    os.environ[CONFIG_ENV] = cfg.to_env()
    from .app import create_app
    # one worker: the app built here (a bad --policy fails before binding); more: each builds its own
    target = create_app(cfg) if args.workers <= 1 else "socialscreen.serve.app:create_app"
    uvicorn.run(target, factory=args.workers > 1, host=args.host, port=args.port, workers=args.workers, access_log=False, log_config=log_config(args.log_level),
                server_header=False, proxy_headers=False)
    return 0
