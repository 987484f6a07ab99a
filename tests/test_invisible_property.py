"""Property (issue 11): inserting any one invisible character anywhere into a rule example
that its rule flags never un-flags it. "Invisible" is every default-ignorable code point
(variation selectors, Mongolian free variation selectors, fillers, tag characters, bidi
controls, U+034F ...) and every variation selector, except U+202E (a right-to-left override
changes what the post displays: it reverses the rest of the line, which is read reversed)."""
from __future__ import annotations

import functools

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialscreen import Screener
from socialscreen.rules import load_rules

ALL_RULES = load_rules()
_DI = regex.compile(r"[\p{Default_Ignorable_Code_Point}\uFE00-\uFE0F\U000E0100-\U000E01EF]")
INVISIBLE = sorted({chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and _DI.match(chr(c))}
                   - {"\u202e"})


@functools.lru_cache(maxsize=None)
def screener_for(rule_id):
    return Screener.for_rule(rule_id, rules=ALL_RULES)


def flagged(rule, text):
    if "text" in rule.applies_to:
        return bool(screener_for(rule.id).screen(text).findings)
    return bool(screener_for(rule.id).screen("", attachments=[{"type": "image", "alt_text": text}]).findings)


EXAMPLES = [(r, ex) for r in ALL_RULES if "text" in r.applies_to for ex in r.examples_flag]


def test_the_invisible_set_is_broad():
    for ch in ("\ufe0f", "\U000e0100", "\u180b", "\u180f", "\u3164", "\u115f", "\U000e0061", "\u2066",
               "\u202d", "\u034f", "\u200b", "\u00ad", "\u2060"):
        assert ch in INVISIBLE, hex(ord(ch))
    assert len(INVISIBLE) > 4000


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(EXAMPLES), st.floats(0, 1), st.sampled_from(INVISIBLE))
def test_one_invisible_character_never_unflags(example, where, ch):
    rule, text = example
    if not flagged(rule, text):
        return                                  # an example its rule needs context for elsewhere
    pos = int(where * len(text))
    disguised = text[:pos] + ch + text[pos:]
    assert flagged(rule, disguised), (rule.id, pos, hex(ord(ch)))
