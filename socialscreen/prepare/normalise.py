"""Normalise text before matching, keeping a map back to the original offsets.

Matching runs on the normalised text; every span is mapped back with
`Normalised.to_original` so that `text[start:end]` always points into the post
exactly as given.

Normalisation undoes the usual ways of slipping a word past a filter, in passes
that each keep the offset map exact:

1. characters: HTML character references are decoded ("&#102;uck", "&amp;"); text after a
   right-to-left override is read in the order it displays in, and upside-down text
   ("ʞɔnɟ") the right way up; Cyrillic/Greek look-alikes, full-width and other
   compatibility forms (NFKC), every enclosed or styled form of a Latin letter (circled,
   parenthesised, squared, negative, mathematical, regional indicators, small capitals,
   turned letters, "ƒ": `chars.STYLED`, built from the Unicode names), diacritics,
   typographic punctuation; invisible characters (every default-ignorable code point:
   zero-width, variation selectors, fillers, tag characters, bidi controls; every format
   character, nonspacing or enclosing mark, and control character such as NUL) are
   dropped; a lone surrogate (from a JSON "\\ud800" escape) becomes U+FFFD.
1b. between letters: a word split across a line break ("fu\\nck", "bas-\\ntard"), emoji
   between letters ("fu🖕ck"), Markdown emphasis inside a word ("**fu**ck", "f*u*c*k") and
   an apostrophe that is not a contraction ("fu'ck"; "don't", "O'Neill" stay) are removed.
2. separators between single letters: "f.u.c.k", "f-u-c-k", "f u c k", "f_u_c_k"
   (three or more single letters joined by the same separator, at least two of
   them letters) become "fuck".
3. leetspeak digits inside lower-case words: "sh1t", "f4gg0t" (a digit between two
   letters, in a word with two or more lower-case letters; "B3", "SW1A", "covid19",
   "bed4" and "4th" are left alone).
4. repeated letters: a run of three or more of one letter inside a word is
   squeezed ("fuuuuck" -> "fuck", "shiiiit" -> "shit"; s, l, f and z to two:
   "pisssss" -> "piss"). English words never hold three of a letter in a row, so
   "coffee" and "Scunthorpe" are untouched; a word of one letter only ("www",
   "zzz", "xxx") is left as it is.
5. numbers: digits written as words in an identifier ("nine four three four seven
   six five nine one nine", "double five") become digits; single digits spaced
   out ("9 4 3 4 7 6 5 9 1 9", "9.4.3...") are joined; an NHS-number shape with
   odd separators ("943.476.5919", "943/476/5919", "943 - 476 - 5919") gets single
   spaces; ten digits grouped another way ("9434 765 919", "94347 65919") whose NHS
   check digit is valid are regrouped 3-3-4; an e-mail address written out ("name at
   domain dot com", "name[at]domain.com") gets its "@" and dots.

Every normalised character records the [start, end) of the original characters
it stands for, so a match over a squeezed run or a number written in words maps
back to the whole of it.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

import regex

from .chars import OVERRIDE_ENDS, RIGHT_TO_LEFT_OVERRIDE, STYLED, TURNED_ONLY, UPSIDE_DOWN, is_invisible

# Look-alike letters people use to slip words past filters (Cyrillic, Greek, Latin small capitals).
CONFUSABLES = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ո": "n", "ս": "u",
    "ԛ": "q", "ԝ": "w", "ѡ": "w", "ѵ": "v", "ү": "y", "ҽ": "e", "ɩ": "i", "ꮪ": "s",
    "к": "k", "м": "m", "н": "h", "т": "t", "в": "b", "ь": "b", "г": "r", "п": "n", "ї": "i",
    "ё": "e", "ӧ": "o", "ӱ": "y", "ԍ": "g", "ԗ": "r",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
    "Ү": "Y", "Ї": "I", "Ё": "E", "Ӏ": "I", "Ь": "b",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u",
    "ε": "e", "η": "n", "ω": "w", "χ": "x", "γ": "y", "β": "b", "μ": "u", "σ": "o",
    "ς": "c", "ϲ": "c", "ϳ": "j", "ϐ": "b", "ϱ": "p", "ϰ": "k", "ή": "n", "ί": "i", "ό": "o",
    "ύ": "u", "ά": "a", "έ": "e", "ώ": "w", "ϊ": "i", "ϋ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Latin look-alikes NFKC leaves alone: dotless i, script/alpha forms, small capitals
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɒ": "a", "ɛ": "e", "ɪ": "i", "ʏ": "y", "ɴ": "n", "ʀ": "r",
    "ʙ": "b", "ɢ": "g", "ʜ": "h", "ʟ": "l", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ғ": "f",
    "ᴊ": "j", "ᴋ": "k", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ᴢ": "z", "ꞯ": "q", "ø": "o", "Ø": "O", "ß": "ss", "þ": "p", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ħ": "h",
    # typographic punctuation to ASCII so patterns stay simple
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ",
}
# Characters removed outright: zero-width and other invisible format characters.
# (Every other format character, category Cf, and every control character but
# tab, newline, carriage return, form feed and vertical tab is removed too.)
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u2061",
             "\u2062", "\u2063", "\u2064", "\u034f", "\u115f", "\u1160", "\u3164", "\uffa0",
             "\u17b4", "\u17b5"}
_KEEP_CONTROLS = {"\t", "\n", "\r", "\x0b", "\x0c"}

# digits written as words (an identifier read out: "nine four three ...")
DIGIT_WORDS = {"zero": "0", "nought": "0", "oh": "0", "one": "1", "two": "2", "three": "3",
               "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
# the most characters one character may fold into ("ﬃ" -> "ffi", "㎉" -> "kcal")
MAX_EXPANSION = 4
# leetspeak digits inside a word
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
# letters squeezed to two, not one, when repeated ("pisssss", "bolllocks", "ffffs", "buzzzz")
SQUEEZE_TO_TWO = set("slfz")


@dataclass(frozen=True)
class Normalised:
    original: str
    text: str
    # origin[i] = index in original of normalised char i; origin[len(text)] = len(original)
    origin: tuple
    # origin_end[i] = end (exclusive) in original of what normalised char i stands for
    # (a squeezed run, a digit written as a word); None means origin[i] + 1
    origin_end: Optional[tuple] = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) back to the original text.

        Always within the original: 0 <= o_start <= o_end <= len(original), and
        o_end > o_start whenever the original is not empty."""
        n = len(self.text)
        size = len(self.original)
        start = min(max(0, start), n)
        if end <= start:
            end = start + 1
        end = min(end, n)
        if end <= start:                              # a point at (or past) the end
            o = self.origin[start]
            return (min(o, max(0, size - 1)), size) if size else (0, 0)
        o_start = self.origin[start]
        o_end = self.origin_end[end - 1] if self.origin_end is not None else self.origin[end - 1] + 1
        o_end = min(max(o_end, o_start + 1), size)
        return o_start, o_end


# -- pass 1: characters -----------------------------------------------------------------

def _fold(ch: str) -> str:
    if ch in CONFUSABLES:
        return CONFUSABLES[ch]
    if ch.isascii():
        return ch
    if ch in STYLED:                      # circled, parenthesised, squared, small-capital, hooked
        return STYLED[ch]
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) > MAX_EXPANSION:       # "\ufdfa" is 18 letters: a post of them would grow 18-fold
        return ch
    if len(folded) == 1 and folded in CONFUSABLES:
        return CONFUSABLES[folded]
    # strip diacritics: "é" -> "e" (letters only, so emoji and symbols stay as they are)
    if folded.isalpha():
        bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
        if bare:
            return "".join(CONFUSABLES.get(c, c) for c in bare)
    return folded


def _dropped(ch: str) -> bool:
    if ch.isascii():
        return ch < " " and ch not in _KEEP_CONTROLS or ch == "\x7f"
    if ch in INVISIBLE or is_invisible(ch):
        return True
    cat = unicodedata.category(ch)
    if cat == "Cc" and ch not in _KEEP_CONTROLS:
        return True
    return False


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HTML_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _units(text: str) -> list:
    """(character, start, end) in reading order: HTML character references decoded ("&#102;"
    -> "f", each character standing for the whole reference), a run after a right-to-left
    override put back in the order it displays in, and an upside-down word turned the right
    way up (each character of a reordered run stands for the whole run)."""
    units = None
    if "&" in text:
        units, pos = [], 0
        for m in _HTML_REF.finditer(text):
            decoded = html.unescape(m.group(0))
            if decoded == m.group(0):
                continue
            units += [(text[i], i, i + 1) for i in range(pos, m.start())]
            units += [(c, m.start(), m.end()) for c in decoded]
            pos = m.end()
        if pos == 0:
            units = None
        else:
            units += [(text[i], i, i + 1) for i in range(pos, len(text))]
    if units is None:
        units = [(c, i, i + 1) for i, c in enumerate(text)]
    if RIGHT_TO_LEFT_OVERRIDE in text or "&" in text and any(u[0] == RIGHT_TO_LEFT_OVERRIDE for u in units):
        units = _display_order(units)
    if not TURNED_ONLY.isdisjoint(text):
        units = _upside_down_words(units)
    return units


def _reordered(run, table=None):
    s, e = run[0][1], run[-1][2]
    return [((table or {}).get(c, c), s, e) for c, _, _ in reversed(run)]


def _display_order(units):
    """Text after U+202E (right-to-left override) displays reversed: read it as displayed,
    up to the override's end (U+202C, U+202D or a line break)."""
    out, i, n = [], 0, len(units)
    while i < n:
        out.append(units[i])
        if units[i][0] != RIGHT_TO_LEFT_OVERRIDE:
            i += 1
            continue
        j = i + 1
        while j < n and units[j][0] not in OVERRIDE_ENDS:
            j += 1
        if j > i + 1:
            out += _reordered(units[i + 1:j])
        i = j
    return out


def _upside_down_words(units):
    """Upside-down text ("ʞɔnɟ ǝɥʇ ʇɐɥʍ") is read turned round: a run of words each holding a
    letter only upside-down text uses, with the words between them that turn too ("uo"),
    reversed as a whole, from its first such word to its last."""
    words, i, n = [], 0, len(units)          # (start, end, turned-only?, all turnable?)
    while i < n:
        c = units[i][0]
        if c in UPSIDE_DOWN or c.isalpha():
            j = i
            while j < n and (units[j][0] in UPSIDE_DOWN or units[j][0].isalpha()):
                j += 1
            run = [u[0] for u in units[i:j]]
            words.append((i, j, any(ch in TURNED_ONLY for ch in run), all(ch in UPSIDE_DOWN for ch in run)))
            i = j
        else:
            i += 1
    out, pos, k = [], 0, 0
    while k < len(words):
        if not words[k][2]:
            k += 1
            continue
        last = k
        m = k + 1
        while m < len(words) and words[m][3] and not any(
                units[x][0] in OVERRIDE_ENDS for x in range(words[m - 1][1], words[m][0])):
            if words[m][2]:
                last = m
            m += 1
        a, b = words[k][0], words[last][1]
        out += units[pos:a]
        out += _reordered(units[a:b], UPSIDE_DOWN)
        pos = b
        k = last + 1
    out += units[pos:]
    return out


def _fold_chars(text: str):
    """(text, starts, ends) after pass 1, or None when nothing changes."""
    if text.isascii() and "&" not in text:
        if not _ASCII_CONTROL.search(text):
            return None
    out, starts, ends = [], [], []
    for ch, s, e in _units(text):
        if _dropped(ch) or not ch.isascii() and unicodedata.combining(ch):
            # a mark (an accent, a variation selector) belongs to the character before it:
            # a span that ends there takes it along rather than cut the character in two
            if ends and ends[-1] == s and unicodedata.category(ch) in ("Mn", "Me"):
                ends[-1] = e
            continue                      # combining marks stay out of words ("fu\u0301ck" -> "fuck")
        if ch.isascii():
            folded = ch
        elif "\ud800" <= ch <= "\udfff":           # a lone surrogate is not Unicode text:
            folded = "\ufffd"                         # spaCy cannot encode it; one char for one
        else:
            folded = _fold(ch)
        for c in folded:
            out.append(c)
            starts.append(s)
            ends.append(e)
    if len(out) == len(text) and "".join(out) == text:
        return None
    return "".join(out), starts, ends


# -- passes 2-5: edits found by regular expressions (linear-time patterns) ---------------

_SINGLE = r"[^\W_]"

_SPACED_SEP = r"(?:[.\-_*/|+~:·•]|,\s?|\.\s| {1,2})"
_SPELLED = re.compile(rf"(?<![^\W_]){_SINGLE}(?P<sep>{_SPACED_SEP}){_SINGLE}(?:(?P=sep){_SINGLE})+(?![^\W_])")
_WORD = re.compile(r"[^\W_]+")
_LEET_IN_WORD = re.compile(r"(?<=[^\W\d_])[013457]+(?=[^\W\d_])")
_LEET_TAIL = re.compile(r"(?<=[^\W\d_])[013457]\Z")
_OUTWARD_POSTCODE = re.compile(r"[a-z]{1,2}\d[a-z]\Z", re.IGNORECASE)
# a whole postcode with no space: one block of digits, the inward letters as Royal Mail allows them
_WHOLE_POSTCODE = re.compile(r"[a-z]{1,2}\d{2,3}[abd-hjlnp-uw-z]{2}\Z", re.IGNORECASE)
_INWARD_POSTCODE = re.compile(r"\s+\d[a-z]{2}\b", re.IGNORECASE)
_RUN = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
_DIGIT_TOKEN = r"(?:zero|nought|oh|one|two|three|four|five|six|seven|eight|nine|double|triple|\d+|(?-i:[A-Z]))"
_DIGIT_WORDS_RUN = re.compile(rf"(?<![^\W_]){_DIGIT_TOKEN}(?:[\s,.\-/]{{1,3}}{_DIGIT_TOKEN})+(?![^\W_])",
                              re.IGNORECASE)
_DIGIT_TOKENS = re.compile(rf"{_DIGIT_TOKEN}", re.IGNORECASE)
_SPACED_DIGITS = re.compile(r"(?<![^\W_])[^\W_](?:[ .\-_/|,*:·•]{1,3}[^\W_]){5,}(?![^\W_])")
SYMBOL_RUN = 32
_SYMBOL_RUN = re.compile(r"(?:[^\w\s]|_){%d,}" % (SYMBOL_RUN + 1))
_NHS_SEP = r"(?:[\s.\-/\\_|:,~*·•]{1,5})"
_EMOJI_BETWEEN = regex.compile(r"(?<=[^\W\d_])[\p{Extended_Pictographic}\p{Emoji_Modifier}]+(?=[^\W\d_])")
_MARK_RUN = re.compile(r"[*~`]+|_{2,}")
_TOKEN = re.compile(r"\S+")
_MARK_CHAR = re.compile(r"[*~`]|__")
_LETTER_BEFORE = re.compile(r"[^\W\d_]")
_APOSTROPHE_WORD = re.compile(r"(?<![\w'])[^\W\d_]+(?:'[^\W\d_]+)+(?![\w'])")
_LINE_SPLIT = re.compile(r"(?<![^\W\d_])(?P<before>[^\W\d_]{1,40})(?P<hyphen>-?)\r?\n(?P<after>[^\W\d_A-Z][^\W\d_]{0,39})(?![^\W\d_])")
# a word in capitals hyphenated across a line ("PA-\nTEL" in a licence number, "SCUN-\nTHORPE")
_LINE_SPLIT_CAPS = re.compile(r"(?<![^\W\d_])(?P<before>[A-Z]{1,40})(?P<hyphen>-)\r?\n(?P<after>[A-Z]{1,40})(?![^\W\d_])")
_TEN_DIGITS = re.compile(r"(?<![\w.\-])\d(?:[ .\-]?\d){9}(?![\w]|[ .\-]\d)")
_DIGIT_GROUP = re.compile(r"\d+")
_GROUP_SEP = re.compile(r"[ .\-]")
_EMAIL_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_EMAIL_DOT_RX = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_EMAIL_DOT = re.compile(_EMAIL_DOT_RX, re.IGNORECASE)
_WRITTEN_EMAIL = re.compile(rf"(?<![\w.@])[A-Za-z0-9][\w.+\-]{{0,63}}(?P<at>{_EMAIL_AT})"
                            rf"(?P<domain>[A-Za-z0-9][\w\-]{{0,62}}(?:{_EMAIL_DOT_RX}[A-Za-z0-9][\w\-]{{0,62}}){{1,4}})"
                            rf"(?![\w])", re.IGNORECASE)
_NHS_SHAPE = re.compile(rf"(?<![\d\w])\d{{3}}(?P<a>{_NHS_SEP})\d{{3}}(?P<b>{_NHS_SEP})\d{{4}}(?![\d\w])")


def _emoji_between_edits(text):
    """Emoji between letters: "fu\U0001f595ck" -> "fuck" (delete the emoji)."""
    if text.isascii():
        return []
    return [(m.start(), m.end(), "") for m in _EMOJI_BETWEEN.finditer(text)]


def _markup_edits(text):
    """Markdown emphasis inside a word: "**fu**ck", "fu__ck__", "~~f~~uck", "f*u*c*k" -> "fuck".
    A marker run is deleted when the same run comes at least twice in the word and one of them
    is at its edge (or between single letters); a single masking run ("f**k") stays."""
    edits = []
    if not any(c in text for c in "*~`_"):
        return edits
    for tok in _TOKEN.finditer(text):
        a, b = tok.span()
        if not _MARK_CHAR.search(text, a, b):
            continue
        runs = list(_MARK_RUN.finditer(text, a, b))
        if len(runs) < 2:
            continue
        letters = [m.start() for m in _LETTER_BEFORE.finditer(text, a, b)]
        if len(letters) < 2:
            continue
        first, last = letters[0], letters[-1]
        counts = {}
        for r in runs:
            counts[r.group(0)] = counts.get(r.group(0), 0) + 1
        edge = {r.group(0) for r in runs if r.end() <= first or r.start() > last}
        for r in runs:
            if counts[r.group(0)] >= 2 and r.group(0) in edge:
                edits.append((r.start(), r.end(), ""))
    return edits


_CONTRACTION_TAILS = {"s", "t", "re", "ve", "ll", "d", "m"}


def _apostrophe_edits(text):
    """An apostrophe inside a word that is not a contraction or an O'Neill: "fu'ck" -> "fuck"."""
    edits = []
    if "'" not in text:
        return edits
    for w in _APOSTROPHE_WORD.finditer(text):
        parts = w.group(0).split("'")
        pos = w.start()
        for k in range(1, len(parts)):
            pos += len(parts[k - 1])
            before, after = parts[k - 1], parts[k]
            last = k == len(parts) - 1
            if (last and after.lower() in _CONTRACTION_TAILS) or (k == 1 and len(before) == 1):
                pos += 1
                continue
            edits.append((pos, pos + 1, ""))
            pos += 1
    return edits


_LINE_BREAK_STOP = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "is", "it", "my", "our",
                    "we", "i", "you", "he", "she", "so", "but", "not", "no", "be", "by", "as", "up", "me", "us",
                    "her", "his", "him", "all", "are", "was", "too", "lol", "omg", "x", "xx", "xxx", "ok", "yes",
                    "if", "do", "did", "get", "got", "had", "has", "its", "who", "why", "how", "off", "out",
                    "new", "now", "one", "two", "day", "see", "any", "can", "per", "via", "re", "am", "pm"}


def _line_break_edits(text):
    """A word split across a line break: "fu\nck", "bas-\ntard" -> one word. A hyphen at the
    end of the line always joins a lower-case continuation (and a word in capitals, its
    continuation in capitals); a bare break with no space around
    it joins a lower-case continuation unless either side is a short word of its own ("the",
    "and", "lol")."""
    edits = []
    if "\n" not in text:
        return edits
    for m in _LINE_SPLIT.finditer(text):
        before, after = m.group("before"), m.group("after")
        if m.group("hyphen") or (before.lower() not in _LINE_BREAK_STOP and after.lower() not in _LINE_BREAK_STOP):
            edits.append((m.end("before"), m.start("after"), ""))
    edits += [(m.end("before"), m.start("after"), "") for m in _LINE_SPLIT_CAPS.finditer(text)]
    return sorted(edits)


def _nhs_check_digit_ok(digits: str) -> bool:
    total = sum(int(c) * w for c, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _nhs_grouping_edits(text):
    """Ten digits grouped some other way than 3-3-4 ("9434 765 919", "94347 65919",
    "94 34 76 59 19", "9 434 765 919") whose NHS check digit is valid: regrouped 3-3-4,
    the new text standing for the whole original number."""
    edits = []
    if sum(c.isdigit() for c in text) < 10:
        return edits
    for m in _TEN_DIGITS.finditer(text):
        chunk = m.group(0)
        digits = "".join(c for c in chunk if c.isdigit())
        groups = _DIGIT_GROUP.findall(chunk)
        if len(digits) != 10 or digits[0] == "0" or [len(g) for g in groups] in ([3, 3, 4], [10]):
            continue                                   # a phone number, or already the usual shape
        if len(set(_GROUP_SEP.findall(chunk))) > 1 or not _nhs_check_digit_ok(digits):
            continue
        edits.append((m.start(), m.end(), f"{digits[:3]} {digits[3:6]} {digits[6:]}"))
    return edits


_TLDS = {"com", "org", "net", "uk", "co", "ac", "gov", "nhs", "edu", "io", "me", "info", "biz", "ie", "scot",
         "wales", "eu", "de", "fr", "es", "it", "nl", "us", "ca", "au", "in", "online", "email", "mail"}


def _written_email_edits(text):
    """An e-mail address written out: "name at domain dot com", "name[at]domain.com",
    "name (at) domain dot co dot uk" -> "name@domain.com". A plain " at " needs a written-out
    " dot " and a known ending (".com", ".uk", ...), so "meet at the cafe" is left alone."""
    edits = []
    lowered = text.lower()
    if "at" not in lowered or ("dot" not in lowered and "." not in lowered):
        return edits
    for m in _WRITTEN_EMAIL.finditer(text):
        at = m.group("at")
        dots = list(_EMAIL_DOT.finditer(text, m.end("at"), m.end()))
        written = [d for d in dots if d.group(0) != "."]
        labels = re.split(r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)", m.group("domain"), flags=re.IGNORECASE)
        bracketed = bool(re.search(r"[\[({<]", at))
        if not dots or labels[-1].lower() not in _TLDS:
            continue
        if not bracketed and not written:
            continue                                   # "at Tesco.com": an ordinary " at "
        edits.append((m.start("at"), m.end("at"), "@"))
        edits += [(d.start(), d.end(), ".") for d in written]
    return edits


def _word_after_article(letters: str) -> bool:
    """Spelled-out letters that start with "a" or "i": is the rest a word the detectors or the
    dictionary know, and the whole run not one ("a c u n t" is "a" + "cunt", "i d i o t" a word)?"""
    from .spelling import speller
    sp = speller()
    return sp.known(letters[1:]) and not sp.known(letters)


def _spelled_out_edits(text):
    """Separators between single letters: "f.u.c.k" -> "fuck" (delete the separators)."""
    edits = []
    for m in _SPELLED.finditer(text):
        chunk = m.group(0)
        if sum(c.isalpha() for c in chunk) < 2 or sum(c.isdigit() for c in chunk) > sum(c.isalpha() for c in chunk):
            continue
        sep = m.group("sep")
        i = m.start() + 1
        letters = chunk.replace(sep, "").lower()
        if sep.strip() == "" and letters[0] in "ai" and len(letters) >= 5 and _word_after_article(letters):
            i += len(sep) + 1                          # "a c u n t": the article stays a word of its own
        while i < m.end():
            edits.append((i, i + len(sep), ""))
            i += len(sep) + 1
    return edits


def _leet_edits(text):
    """Digits inside lower-case words: "sh1t" -> "shit", "r374rd" -> "retard", "h3ll0" -> "hello"."""
    edits = []
    if not any(c in text for c in LEET):
        return edits
    for w in _WORD.finditer(text):
        word = w.group(0)
        if word.isalpha() or word.isdigit():
            continue
        if word[0].isdigit() or word[-2:].isdigit() or not any(c.islower() for c in word) \
                or sum(c.isalpha() for c in word) < 2:
            continue                                   # "4th", "covid19", "SW1A", "B3": not leetspeak
        if _OUTWARD_POSTCODE.match(word) and _INWARD_POSTCODE.match(text, w.end()):
            continue                                   # "sw1a 1aa": a postcode, not leetspeak
        if "1" in word and _WHOLE_POSTCODE.match(word):
            continue                                   # "m14ab", "b153tt": a postcode with no space
        inner = list(_LEET_IN_WORD.finditer(word))
        if not inner:
            continue
        for m in inner:
            edits += [(w.start() + i, w.start() + i + 1, LEET[word[i]]) for i in range(*m.span())]
        tail = _LEET_TAIL.search(word)                 # "h3ll0": a trailing digit once the word is leet
        if tail and tail.start() > inner[-1].end():
            edits += [(w.start() + i, w.start() + i + 1, LEET[word[i]]) for i in range(*tail.span())]
    return edits


def _squeeze_edits(text):
    """Runs of three or more of one letter inside a word: "fuuuuck" -> "fuck"."""
    edits = []
    for m in _RUN.finditer(text):
        a, b = m.span()
        before = text[a - 1] if a > 0 else ""
        after = text[b] if b < len(text) else ""
        if not (before.isalpha() or after.isalpha()):
            continue                                   # "www", "zzz", "xxx": a word of one letter
        keep = 2 if m.group(1).lower() in SQUEEZE_TO_TWO else 1
        edits.append((a, b, text[a:a + keep]))
    return edits


def _number_edits(text):
    """Digits written as words, spaced-out digits and NHS-number shapes with odd separators."""
    edits = []
    lowered = text.lower()
    if any(w in lowered for w in ("zero", "nought", "one", "two", "three", "four", "five", "six",
                                  "seven", "eight", "nine")):
        for m in _DIGIT_WORDS_RUN.finditer(text):
            tokens = list(_DIGIT_TOKENS.finditer(text, m.start(), m.end()))
            words = [t for t in tokens if not t.group(0).isdigit()
                     and t.group(0).lower() not in ("oh", "double", "triple")]
            if len(words) < 3:
                continue
            digits = 0
            run_edits = []
            repeat = 1
            prev_end = None
            for t in tokens:
                if prev_end is not None:
                    sep = text[prev_end:t.start()]               # spaces and commas go, "/" "-" "." stay
                    kept = sep.strip().strip(",").strip()
                    if kept != sep:
                        run_edits.append((prev_end, t.start(), kept))
                tok = t.group(0).lower()
                if len(tok) == 1 and tok.isalpha() and t.group(0).isupper() and tok not in DIGIT_WORDS:
                    prev_end = t.end()                           # a letter of the identifier ("W", "A B")
                    continue
                if tok in ("double", "triple"):
                    repeat = 2 if tok == "double" else 3
                    run_edits.append((t.start(), t.end(), ""))
                else:
                    value = tok if tok.isdigit() else DIGIT_WORDS[tok]
                    if repeat > 1 and len(value) == 1:
                        value *= repeat
                    repeat = 1
                    digits += len(value)
                    if value != t.group(0):
                        run_edits.append((t.start(), t.end(), value))
                prev_end = t.end()
            if digits >= 6:
                edits += run_edits
    if sum(c.isdigit() for c in text) >= 6:
        for m in _SPACED_DIGITS.finditer(text):
            # single digits spaced out: drop the commonest separator, keep others' punctuation
            # ("1 2 / 0 4 / 1 9 5 6" -> "12/04/1956", "9.4.3.4.7.6.5.9.1.9" -> "9434765919").
            # The run is cut to its digits (and at most two letters before them: "W 1 0 9 ...").
            singles = [i for i in range(m.start(), m.end()) if text[i].isalnum()]
            digit_at = [k for k, i in enumerate(singles) if text[i].isdigit()]
            if len(digit_at) < 6:
                continue
            k0, k1 = digit_at[0], digit_at[-1]
            lead = 0
            while k0 > 0 and lead < 2 and text[singles[k0 - 1]].isalpha():
                k0, lead = k0 - 1, lead + 1
            if sum(text[singles[k]].isalpha() for k in range(k0, k1 + 1)) > 2:
                continue
            seps = [(singles[k] + 1, singles[k + 1]) for k in range(k0, k1)]
            counts = {}
            for a, b in seps:
                counts[text[a:b]] = counts.get(text[a:b], 0) + 1
            common = max(counts, key=counts.get)
            for a, b in seps:
                kept = "" if text[a:b] == common else text[a:b].strip()
                if kept != text[a:b]:
                    edits.append((a, b, kept))
        for m in _NHS_SHAPE.finditer(text):
            for g in ("a", "b"):
                if m.group(g) not in (" ", "-", ""):
                    edits.append((m.start(g), m.end(g), " "))
    return edits


def _apply(text, starts, ends, edits):
    """Apply non-overlapping edits (start, end, replacement) to text; each replacement
    character stands for the whole original span of what it replaces."""
    edits = sorted(set(edits))
    out, new_starts, new_ends = [], [], []
    pos = 0
    for a, b, repl in edits:
        if a < pos:
            continue                                   # overlaps an earlier edit: skip
        out.append(text[pos:a])
        new_starts += starts[pos:a]
        new_ends += ends[pos:a]
        if a == b:                                     # an insertion stands for nothing
            s = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
            out.append(repl)
            new_starts += [s] * len(repl)
            new_ends += [s] * len(repl)
            pos = b
            continue
        if repl:
            s, e = starts[a], ends[b - 1]
            out.append(repl)
            new_starts += [s] * len(repl)
            new_ends += [e] * len(repl)
        pos = b
    out.append(text[pos:])
    new_starts += starts[pos:]
    new_ends += ends[pos:]
    return "".join(out), new_starts, new_ends


def _symbol_run_edits(text):
    """A space every 32 characters in a long run of symbols, emoji or punctuation. spaCy's
    tokenizer strips prefixes and suffixes one at a time, in time quadratic in the length of
    a run with no space ("😀" * 8000 takes 8 s, 100,000 would take minutes); no pattern
    matches across 32 symbols in a row."""
    edits = []
    for m in _SYMBOL_RUN.finditer(text):
        edits += [(i, i, " ") for i in range(m.start() + SYMBOL_RUN, m.end(), SYMBOL_RUN)]
    return edits


def _spelling_edits(text):
    """A misspelt or run-together slur, insult or group word read as the word it disguises
    ("wmoen" -> "women", "ihatewomen" -> "i hate women"): spelling.py."""
    from .spelling import speller
    return speller().edits(text)


PASSES = (_line_break_edits, _emoji_between_edits, _markup_edits, _apostrophe_edits, _spelled_out_edits, _leet_edits, _squeeze_edits, _spelling_edits, _number_edits, _nhs_grouping_edits, _written_email_edits,
          _symbol_run_edits)


def normalise(text: str) -> Normalised:
    """Fold look-alikes, width variants, invisible characters and the evasion tricks above;
    keep an exact offset map back to `text`."""
    folded = _fold_chars(text)
    if folded is None:
        current, starts, ends = text, None, None
    else:
        current, starts, ends = folded
    for find in PASSES:
        edits = find(current)
        if not edits:
            continue
        if starts is None:
            starts, ends = list(range(len(current))), list(range(1, len(current) + 1))
        current, starts, ends = _apply(current, starts, ends, edits)
    if starts is None:
        return Normalised(text, text, tuple(range(len(text) + 1)))
    return Normalised(text, current, tuple(starts) + (len(text),), tuple(ends))
