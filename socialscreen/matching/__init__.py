"""The shared machinery of the detector kinds: compiled terms and tries, the context gate,
and the literal prefilter. Knows nothing of rules files, packs or policies."""
from .gate import ContextGate
from .prefilter import Prefilter
from .termset import TermSet
from .terms import FLAGS, alternation, compiled, key_of

__all__ = ["ContextGate", "Prefilter", "FLAGS", "alternation", "compiled", "key_of", "TermSet"]
