"""Prepare posts for the kinds: normalise every text field once, run spaCy once over a whole
batch (posts and their attachments' alt texts together), and build one Analysis per text.

Nothing here knows about policies; the Screener hands in the organisation's names and places
(which tie a post to the employer) and the names rules' NER gate.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ScreenInputError
from ..values import Post
from . import nlp as nlp_mod
from .analysis import Analysis
from .normalise import Normalised, normalise


@dataclass(frozen=True)
class Prepared:
    """A post ready for the kinds: its own Analysis, and one per attachment with alt text."""
    post: Post
    analysis: Analysis
    alts: tuple = ()          # (attachment index, Analysis, the original alt text)

    @property
    def norm(self) -> Normalised:
        return self.analysis.norm


class Preparer:
    def __init__(self, nlp, ner_gate, org_names=(), org_places=(), max_chars=100_000):
        self.nlp = nlp
        self.has_ner = nlp_mod.has_ner(nlp)
        self.ner_gate = ner_gate
        self.org_names = tuple(org_names)
        self.org_places = tuple(org_places)
        self.max_chars = int(max_chars)

    def check(self, post: Post) -> None:
        """Every text field within max_chars (the post, the profile and each alt text)."""
        fields = [("post", post.text), ("profile", post.profile or "")]
        fields += [(f"attachment {i + 1} alt text", a.alt_text) for i, a in enumerate(post.attachments)]
        for name, value in fields:
            if len(value) > self.max_chars:
                raise ScreenInputError(f"{name} is {len(value)} characters, over the limit of {self.max_chars} "
                                       f"(raise max_chars to screen it)", code="too_long")

    def prepare(self, posts, batch_size: int = 64) -> list[Prepared]:
        """Prepared posts, in order, with one spaCy pass for every text of the batch."""
        norms, profiles, alts = [], [], []
        for post in posts:
            self.check(post)
            norms.append(normalise(post.text))
            profiles.append(normalise(post.profile).text if post.profile else "")
            alts.append([(i, a.alt_text, normalise(a.alt_text)) for i, a in enumerate(post.attachments)
                         if a.alt_text.strip()])
        texts = [n.text for n in norms] + [n.text for group in alts for _, _, n in group]
        longest = max(map(len, texts), default=0)
        if self.nlp is not None and longest >= getattr(self.nlp, "max_length", longest + 1):
            # normalising may lengthen a text (up to MAX_EXPANSION-fold); max_chars is the limit
            self.nlp.max_length = longest + 1
        docs = iter(self._docs(texts, batch_size))
        post_docs = [next(docs) for _ in norms]
        out = []
        for post, norm, doc, profile, group in zip(posts, norms, post_docs, profiles, alts):
            # "anywhere in the post" (require_any / block_any) includes the attachments' alt text
            whole = "\n".join([norm.text] + [n.text for _, _, n in group]) if group else ""
            analysis = self._analysis(norm, doc, profile, whole)
            alt_analyses = tuple((i, self._analysis(n, next(docs), profile, n.text + "\n" + norm.text), raw)
                                 for i, raw, n in group)
            out.append(Prepared(post, analysis, alt_analyses))
        return out

    def _analysis(self, norm, doc, profile, whole) -> Analysis:
        return Analysis(norm=norm, doc=doc, profile=profile, org_names=self.org_names,
                        org_places=self.org_places, has_ner=self.has_ner, whole=whole)

    def _docs(self, texts, batch_size):
        """Tokens and sentences for every text; NER only where a name could become a finding."""
        gate = self.ner_gate
        need = (lambda t: self.has_ner and gate.needed(t))
        return nlp_mod.analyse(self.nlp, texts, need, batch_size, by_sentence=gate.sentence_scoped)


__all__ = ["Analysis", "Normalised", "Prepared", "Preparer", "normalise"]
