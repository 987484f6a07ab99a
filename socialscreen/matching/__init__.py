"""The shared machinery of the detector kinds: compiled terms and tries, the context gate,
and the literal prefilter. Knows nothing of rules files, packs or policies."""
from .gate import ContextGate
from .prefilter import Prefilter
from .terms import FLAGS, alternation, compiled, compiled_terms, key_of

__all__ = ["ContextGate", "Prefilter", "FLAGS", "alternation", "compiled", "compiled_terms", "key_of"]
