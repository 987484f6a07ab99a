"""A generated evasion suite: each trick applied to the rule examples of the offensive,
discriminatory and pii families; the catch rate per trick must not fall below the
floor measured when the trick was handled (run with -s to see the table).

For every `examples.flag` that its rule flags as written, the text the rule matched
is disguised with one trick and put back in the sentence; the trick is caught when
the same rule still hits a span overlapping the disguised text, and the span maps
back exactly (text[start:end] is inside the post).
"""
from __future__ import annotations

import pytest

import functools

from socialscreen import Screener
from socialscreen.prepare import normalise
from socialscreen.rules import load_rules

FAMILIES = ("offensive", "discriminatory", "pii")
ALL_RULES = load_rules()
RULES = [r for r in ALL_RULES if r.family in FAMILIES]

CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "i": "і", "s": "ѕ",
            "j": "ј", "h": "һ", "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О",
            "P": "Р", "C": "С", "T": "Т", "X": "Х", "S": "Ѕ", "I": "І"}
GREEK = {"a": "α", "o": "ο", "i": "ι", "k": "κ", "t": "τ", "u": "υ", "v": "ν", "p": "ρ", "n": "η",
         "e": "ε", "w": "ω", "x": "χ", "y": "γ", "A": "Α", "B": "Β", "E": "Ε", "H": "Η", "I": "Ι",
         "K": "Κ", "M": "Μ", "N": "Ν", "O": "Ο", "P": "Ρ", "T": "Τ", "X": "Χ", "Z": "Ζ"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
ACCENT = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "c": "ç", "n": "ñ", "y": "ý"}
DIGIT_WORDS = "zero one two three four five six seven eight nine".split()


def _per_word(fn):
    """Apply fn to each alphabetic word of the span (punctuation and spaces as they are)."""
    def apply(span):
        out, word = [], []
        for ch in span + "\0":
            if ch.isalpha():
                word.append(ch)
                continue
            if word:
                out.append(fn("".join(word)))
                word = []
            if ch != "\0":
                out.append(ch)
        return "".join(out)
    return apply


def _repeat_letters(w):
    for i, c in enumerate(w):
        if c.lower() in "aeiou" and 0 < i:
            return w[:i] + c * 5 + w[i + 1:]
    return w[:-1] + w[-1] * 4 if len(w) > 2 else w


def _digits(fn):
    def apply(span):
        return fn(span) if sum(c.isdigit() for c in span) >= 6 else None
    return apply


def _digit_groups(sep):
    def fn(span):
        digits = "".join(c for c in span if c.isdigit())
        if len(digits) != 10:
            return None
        return span.replace(span, f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}")
    return fn


TRICKS = {
    "cyrillic": lambda s: "".join(CYRILLIC.get(c, c) for c in s),
    "greek": lambda s: "".join(GREEK.get(c, c) for c in s),
    "fullwidth": lambda s: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s),
    "zero-width": _per_word(lambda w: "\u200b".join(w)),
    "soft-hyphen": _per_word(lambda w: "\u00ad".join(w)),
    "combining-marks": lambda s: "".join(c + "\u0301" if c.isalpha() else c for c in s),
    "diacritics": lambda s: "".join(ACCENT.get(c, c) for c in s),
    "leetspeak": _per_word(lambda w: w[0] + "".join(LEET.get(c, c) for c in w[1:-1]) + w[-1] if len(w) > 2 else w),
    "dots-between": _per_word(lambda w: ".".join(w) if len(w) > 2 else w),
    "hyphens-between": _per_word(lambda w: "-".join(w) if len(w) > 2 else w),
    "spaces-between": _per_word(lambda w: " ".join(w) if len(w) > 2 else w),
    "repeated-letters": _per_word(_repeat_letters),
    "mixed-case": lambda s: "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(s)),
    "digits-as-words": _digits(lambda s: " ".join(DIGIT_WORDS[int(c)] if c.isdigit() else c for c in s
                                                  if not c.isspace())),
    "spaced-digits": _digits(lambda s: " ".join(c for c in s if not c.isspace())),
    "nhs-dots": _digits(_digit_groups(".")),
    "nhs-slashes": _digits(_digit_groups("/")),
    "nhs-spaced-hyphens": _digits(_digit_groups(" - ")),
}

# Catch-rate floors (fraction of applicable examples), set a little under the rates
# measured when each trick was handled (measured: 100% for the character tricks,
# leetspeak and the number tricks; dots 99%, hyphens 98%, repeated letters 92%,
# mixed case 96%; spaces 29%). A regression below a floor fails. "spaces-between"
# spaces out every letter of the whole example, so neighbouring words run together
# once the letters are joined ("o l d p e o p l e" -> "oldpeople"); one spaced-out
# word in an ordinary sentence ("a proper w a n k e r") is caught.
FLOORS = {
    "cyrillic": 0.95, "greek": 0.95, "fullwidth": 0.95, "zero-width": 0.95, "soft-hyphen": 0.95,
    "combining-marks": 0.95, "diacritics": 0.95, "leetspeak": 0.9, "dots-between": 0.93,
    "hyphens-between": 0.93, "spaces-between": 0.25, "repeated-letters": 0.85, "mixed-case": 0.9,
    "digits-as-words": 0.9, "spaced-digits": 0.9, "nhs-dots": 1.0, "nhs-slashes": 1.0,
    "nhs-spaced-hyphens": 1.0,
}


@functools.lru_cache(maxsize=None)
def screener_for(rule_id):
    return Screener.for_rule(rule_id, rules=ALL_RULES)


def hit_spans(rule, text):
    """The spans the rule flags in text, through the production road with only that rule on."""
    spans = []
    for f in screener_for(rule.id).screen(text).findings:
        assert 0 <= f.start < f.end <= len(text) and text[f.start:f.end] == f.text
        spans.append((f.start, f.end))
    return spans


@pytest.fixture(scope="module")
def table():
    """{trick: [caught, tried, [missed examples]]}"""
    out = {t: [0, 0, []] for t in TRICKS}
    for rule in RULES:
        for ex in rule.examples_flag:
            base = hit_spans(rule, ex)
            if not base:
                continue
            s, e = base[0]
            span = ex[s:e]
            for name, trick in TRICKS.items():
                disguised = trick(span)
                if disguised is None or disguised == span:
                    continue
                text = ex[:s] + disguised + ex[e:]
                ds, de = s, s + len(disguised)
                caught = any(a < de and ds < b for a, b in hit_spans(rule, text))
                row = out[name]
                row[1] += 1
                if caught:
                    row[0] += 1
                else:
                    row[2].append(f"{rule.id}: {text!r}")
    return out


def test_evasion_catch_rate_per_trick(table):
    lines = [f"{'trick':20} {'caught':>7} {'tried':>6} {'rate':>6}  floor"]
    low = []
    for name, (caught, tried, missed) in table.items():
        rate = caught / tried if tried else 1.0
        lines.append(f"{name:20} {caught:7} {tried:6} {rate:6.0%}  {FLOORS[name]:.0%}")
        if rate < FLOORS[name]:
            low.append(f"{name}: {rate:.0%} < {FLOORS[name]:.0%}; missed e.g. {missed[:3]}")
    total_c = sum(r[0] for r in table.values())
    total_t = sum(r[1] for r in table.values())
    lines.append(f"{'all tricks':20} {total_c:7} {total_t:6} {total_c / total_t:6.0%}")
    print("\n" + "\n".join(lines))
    assert not low, "\n".join(low)


@pytest.mark.parametrize("text, needle", [
    ("what the f.u.c.k is this", "f.u.c.k"),
    ("f-u-c-k this rota", "f-u-c-k"),
    ("fuuuuuck this rota", "fuuuuuck"),
    ("shiiiiit pay again", "shiiiiit"),
    ("sh1t pay again", "sh1t"),
    ("ｆｕｃｋ this", "ｆｕｃｋ"),
    ("fu\u200bck this", "fu\u200bck"),
    ("fυсk this", "fυсk"),
])
def test_spans_map_back_to_the_disguised_word(text, needle):
    rules = [r for r in RULES if r.id in ("offensive.profanity", "offensive.masked-profanity")]
    spans = [sp for r in rules for sp in hit_spans(r, text)]
    assert spans, text
    assert any(text[s:e] == needle for s, e in spans), [text[s:e] for s, e in spans]


@pytest.mark.parametrize("text", [
    "NHS no nine four three four seven six five nine one nine please chase",
    "NHS no 943.476.5919 please chase",
    "NHS no 943/476/5919 please chase",
    "NHS no 943 - 476 - 5919 please chase",
    "NHS no 9 4 3 4 7 6 5 9 1 9 please chase",
    "NHS no nine four three 476 5919 please chase",
])
def test_nhs_number_disguised(text):
    rule = next(r for r in RULES if r.id == "pii.nhs-number")
    spans = hit_spans(rule, text)
    assert spans, text
    s, e = spans[0]
    assert text[s:e].startswith(("nine", "943", "9 4")) and text[s:e].endswith(("nine", "5919", "1 9"))


@pytest.mark.parametrize("text", [
    "Coffee morning in Scunthorpe, all welcome", "Brrr, cold on the ward", "See www.nhs.uk",
    "Postcode SW1A 1AA, B3 meeting at 4pm, covid19 jabs for bed4", "e.g. this, i.e. that",
    "Meet at 12/03/2024 10:30", "Call 0151 525 3611", "Grade A A B results",
])
def test_ordinary_text_kept_usable(text):
    """Words, postcodes, dates and phone numbers come through normalisation unchanged."""
    n = normalise(text)
    keep = {"Coffee", "Scunthorpe", "www.nhs.uk", "SW1A 1AA", "B3", "covid19", "bed4", "e.g.", "i.e.",
            "12/03/2024", "10:30", "0151 525 3611", "4pm"}
    for word in keep:
        if word in text:
            assert word in n.text, (word, n.text)
