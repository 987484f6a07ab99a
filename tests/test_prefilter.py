"""The literal prefilter only skips work: every pattern that matches is a candidate."""
import regex
from hypothesis import given, settings, strategies as st

from socialscreen.matching import FLAGS
from socialscreen.matching.prefilter import Prefilter, required_literals
from socialscreen.rules import load_rules

RULES = load_rules()
PATTERNS = [p for r in RULES if r.kind == "lexicon" for p in r.patterns]
COMPILED = [regex.compile(p, FLAGS) for p in PATTERNS]
PF = Prefilter(PATTERNS)
TEXTS = [ex for r in RULES for ex in r.examples_flag + r.examples_pass]


def _missed(text):
    cands = PF.candidates(text)
    return [PATTERNS[i] for i, rx in enumerate(COMPILED) if i not in cands and rx.search(text)]


def test_no_matching_pattern_is_skipped_on_rule_examples():
    for text in TEXTS:
        assert not _missed(text), text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=3), st.sampled_from(["", " ", "\n", "  —  "]))
def test_no_matching_pattern_is_skipped_on_mixed_text(parts, sep):
    text = sep.join(parts).upper() if len(parts) == 2 else sep.join(parts)
    assert not _missed(text)


def test_literals_are_extracted():
    assert required_literals(r"\bkeep (?:it|this) quiet\b") in ({"keep "}, {" quiet"})
    assert required_literals(r"\b(?:foo|barbaz)\d+") == {"foo", "barbaz"}
    assert required_literals(r"\d+") is None
