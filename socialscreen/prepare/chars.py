"""Character tables for normalisation: which code points are invisible, which styled or
enclosed forms stand for a Latin letter, and how upside-down text reads the right way up.

Built from Unicode properties and character names when the module is imported, not from a
hand list: `regex`'s \\p{Default_Ignorable_Code_Point} (variation selectors, Mongolian free
variation selectors, fillers, Hangul fillers, tag characters, bidi controls, U+034F ...) and
the names of the Latin letters Unicode draws in other styles (circled, parenthesised,
squared, negative circled and squared, regional indicators, small capitals, turned letters,
letters with hooks such as U+0192).
"""
from __future__ import annotations

import re
import unicodedata

import regex

# invisible: default-ignorable code points, every format character (Cf), every nonspacing or
# enclosing mark (Mn, Me: combining accents, variation selectors, the keycap and circle marks),
# and the few blanks that render as nothing but are not default-ignorable
INVISIBLE_RX = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Mn}\p{Me}\u2800\u3164\uffa0\u115f\u1160"
                             r"\U0001D159\U0001D173-\U0001D17A]")

# bidi controls that make the letters after them display in reverse order
RIGHT_TO_LEFT_OVERRIDE = "\u202e"
# what ends an override: pop directional formatting, left-to-right override, or a paragraph end
OVERRIDE_ENDS = {"\u202c", "\u202d", "\n", "\r", "\u2029", "\x1c", "\x1d", "\x1e", "\x85"}

_LETTER_NAME = re.compile(r"LETTER (?:SMALL CAPITAL |TURNED |SMALL |CAPITAL )*([A-Z])(?: WITH [A-Z ]+)?$")
_STYLED_RANGES = ((0x0180, 0x02B0), (0x1D00, 0x1DC0), (0x2100, 0x2150), (0x2180, 0x2190), (0x2460, 0x2500),
                  (0x2C60, 0x2C80), (0xA720, 0xA800), (0xAB30, 0xAB70), (0x1F100, 0x1F200))


def _styled_letters() -> dict:
    """{styled or enclosed Latin letter: the plain letter}, from the Unicode character names."""
    table = {}
    for lo, hi in _STYLED_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            name = unicodedata.name(ch, "")
            if "LATIN" not in name and "REGIONAL INDICATOR" not in name:
                continue
            m = _LETTER_NAME.search(name)
            if not m:
                continue
            bare = unicodedata.normalize("NFKD", ch)
            if bare[:1].isascii() and bare[:1].isalpha() and len(bare) == 1 + sum(
                    unicodedata.combining(c) > 0 for c in bare[1:]):
                continue                                  # "é": NFKD and diacritic stripping do it
            capital = "CAPITAL LETTER" in name and "SMALL CAPITAL" not in name and "REGIONAL" not in name
            table[ch] = m.group(1) if capital else m.group(1).lower()
    return table


STYLED = _styled_letters()

# Upside-down text: each letter turned and the word reversed ("ʞɔnɟ" reads "fuck").
UPSIDE_DOWN = {
    "ɐ": "a", "q": "b", "ɔ": "c", "p": "d", "ǝ": "e", "ɟ": "f", "ƃ": "g", "ᵷ": "g", "ɥ": "h", "ᴉ": "i",
    "ı": "i", "ɾ": "j", "ʞ": "k", "ꞁ": "l", "l": "l", "ɯ": "m", "u": "n", "o": "o", "d": "p", "b": "q",
    "ɹ": "r", "s": "s", "ʇ": "t", "n": "u", "ʌ": "v", "ʍ": "w", "x": "x", "ʎ": "y", "z": "z", "i": "i",
    "∀": "A", "Ɐ": "A", "ᗺ": "B", "Ɔ": "C", "ᗡ": "D", "Ǝ": "E", "Ⅎ": "F", "⅁": "G", "H": "H", "I": "I",
    "ſ": "J", "Ʞ": "K", "˥": "L", "W": "M", "N": "N", "O": "O", "Ԁ": "P", "Ό": "Q", "ᴚ": "R", "S": "S",
    "⊥": "T", "Ʇ": "T", "∩": "U", "Λ": "V", "Ʌ": "V", "M": "W", "X": "X", "⅄": "Y", "Z": "Z",
    "e": "e", "a": "a", "c": "c", "t": "t", "r": "r", "y": "y", "h": "h", "f": "f", "g": "g",
}
# letters that only upside-down text uses: a word holding one is read upside down
TURNED_ONLY = set("ɐɔǝɟƃᵷɥᴉɾʞꞁɯɹʇʌʍʎ∀ⱯᗺƆᗡƎℲ⅁ꞰʞԀᴚ⊥Ʇ∩Λ⅄˥")


def is_invisible(ch: str) -> bool:
    return INVISIBLE_RX.match(ch) is not None
