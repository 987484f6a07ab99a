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
        if len(digits) != 10 or any(c.isalpha() for c in span):      # a ten-digit number, not a licence
            return None
        return span.replace(span, f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}")
    return fn


SMALL_CAPS = dict(zip("abcdefghijklmnopqrstuvwyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ"))
TURNED = dict(zip("abcdefghijklmnopqrstuvwxyz", "ɐqɔpǝɟƃɥᴉɾʞꞁɯuodbɹsʇnʌʍxʎz"))


def _letters_from(lower_base, upper_base=None):
    """Each ASCII letter as the letter at that offset of a styled Unicode block."""
    def fn(s):
        out = []
        for c in s:
            if "a" <= c <= "z":
                out.append(chr(lower_base + ord(c) - 97))
            elif "A" <= c <= "Z":
                out.append(chr((upper_base if upper_base is not None else lower_base) + ord(c) - 65))
            else:
                out.append(c)
        return "".join(out)
    return fn


def _between(sep, min_len=2):
    """sep between every two letters of each word."""
    return _per_word(lambda w: sep.join(w) if len(w) >= min_len else w)


def _middle(insert, min_len=4):
    """insert in the middle of each word of min_len letters or more."""
    return _per_word(lambda w: w[:len(w) // 2] + insert + w[len(w) // 2:] if len(w) >= min_len else w)


def _first_word_split(sep):
    """The first word of four letters or more split in two by sep (a line break)."""
    def fn(span):
        words = [w for w in span.split() if len(w) >= 4 and w.isalpha()]
        if not words:
            return None
        w = words[0]
        return span.replace(w, w[:len(w) // 2] + sep + w[len(w) // 2:], 1)
    return fn


def _upside_down(s):
    """As upside-down text generators write it: every letter turned, the whole text reversed."""
    return "".join(TURNED.get(c, c) for c in reversed(s.lower()))


def _markdown(w):
    return "**" + w[:2] + "**" + w[2:] if len(w) >= 4 else w


def _apostrophe(w):
    return w[:2] + "'" + w[2:] if len(w) >= 5 else w


def _html_refs(s):
    return _per_word(lambda w: f"&#{ord(w[0])};" + w[1:])(s)


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
    # issue 11: invisible characters (default-ignorable code points) between letters and digits
    "variation-selector": _between("\ufe0f"),
    "variation-selector-supplement": _between("\U000e0100"),
    "mongolian-selector": _between("\u180b"),
    "hangul-filler": _between("\u3164"),
    "tag-characters": _between("\U000e0061"),
    "bidi-isolates": _between("\u2066\u2069"),
    "grapheme-joiner": _between("\u034f"),
    "invisible-in-number": _digits(lambda s: "".join(c + "\ufe0f" if c.isdigit() else c for c in s)),
    # enclosed and styled Latin letters
    "circled": _letters_from(0x24D0, 0x24B6),
    "parenthesised": _letters_from(0x249C),
    "squared": _letters_from(0x1F130),
    "negative-squared": _letters_from(0x1F170),
    "negative-circled": _letters_from(0x1F150),
    "math-bold": _letters_from(0x1D41A, 0x1D400),
    "math-sans-bold-italic": _letters_from(0x1D656, 0x1D63C),
    "regional-indicators": _letters_from(0x1F1E6),
    "small-capitals": lambda s: "".join(SMALL_CAPS.get(c.lower(), c) if c.isalpha() else c for c in s),
    "upside-down": _upside_down,
    "f-with-hook": lambda s: s.replace("f", "ƒ") if "f" in s else None,
    # things between letters
    "emoji-between": _middle("\U0001F595"),
    "asterisks-between": _between("*", 3),
    "markdown-emphasis": _per_word(_markdown),
    "apostrophe-between": _per_word(_apostrophe),
    "html-references": _html_refs,
    "html-hex-references": lambda s: "".join(f"&#x{ord(c):x};" if c.isalpha() else c for c in s),
    "right-to-left-override": lambda s: "\u202e" + s[::-1] + "\u202c",
    "line-break": _first_word_split("\n"),
    "hyphen-line-break": _first_word_split("-\n"),
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
    "digits-as-words": 0.85, "spaced-digits": 0.9, "nhs-dots": 1.0, "nhs-slashes": 1.0,
    "nhs-spaced-hyphens": 1.0,
}
# upside-down: 0.78 until model v7 (77% measured: the layer reads fewer of the rule examples'
# upside-down words as discriminatory once the concept features carry the group words).
# digits-as-words: 0.90 until the fourth session's alphanumeric identifier rules (passport, driving
# licence, vehicle registration), whose examples spelled out with spaced letters are joined onto
# their neighbours or read as a name by the normaliser ("M O R G A" -> "MORGAN"): 87% measured.
# issue 11 tricks (measured: 100% for every invisible character, circled, math styles, f with hook,
# emoji between letters, HTML references, right-to-left override and hyphenated line breaks;
# 96% for the enclosed forms with no capitals (parenthesised, regional indicators, small
# capitals: an address or ward name loses its capitals), 98% asterisks and Markdown, 99%
# apostrophes, 92% bare line breaks, 81% upside-down text (names, numbers and phrases
# written across punctuation lose their case or order)).
FLOORS.update({name: 1.0 for name in TRICKS if name not in FLOORS})
FLOORS.update({"parenthesised": 0.94, "squared": 0.94, "negative-squared": 0.94, "negative-circled": 0.94,
               "regional-indicators": 0.94, "small-capitals": 0.94, "upside-down": 0.76,
               "asterisks-between": 0.95, "markdown-emphasis": 0.95, "apostrophe-between": 0.96,
               "line-break": 0.88})


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
