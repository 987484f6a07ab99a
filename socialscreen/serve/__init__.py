"""socialscreen serve: the HTTP service and the screen-as-you-type page (the `serve` extra:
pip install 'socialscreen[serve]'). `create_app(ServeConfig(...))` gives the FastAPI app."""
from __future__ import annotations

__all__ = ["create_app", "ServeConfig"]


def __getattr__(name):
    if name in __all__:
        from . import app
        return getattr(app, name)
    raise AttributeError(name)
