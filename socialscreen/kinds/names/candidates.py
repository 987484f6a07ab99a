"""Name candidates: where a person's name may stand, from four sources, before any gating.

Sources: title patterns ("Mrs Jones", "Mr D"), spaCy's PERSON entities when a model with NER
is loaded (multi-word ones only: the small models tag places, clubs and hashtags as single-word
people), the first-name lexicon, and the rule's own name patterns. Overlapping candidates merge
into the longest, keeping the most self-contained mode.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import regex

QUOTE_OPEN = "'\"‘“"
QUOTE_CLOSE = "'\"’”"


class Source(enum.Enum):
    TITLE = "title pattern"
    NER = "spaCy NER PERSON"
    FIRST_NAME = "first-name lexicon"
    PATTERN = "name pattern"


class Mode(enum.IntEnum):
    """How much context a candidate brings with it (higher wins when candidates merge)."""
    GATED = 0          # the rule's context gate decides
    IN_POST = 1        # a care word anywhere in the post is enough (name_in_post_patterns)
    IN_CONTEXT = 2     # the pattern carries its own context (name_in_context_patterns)


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    source: Source
    mode: Mode = Mode.GATED
    key: str = ""           # the name's first word, lower case: mentions of one person share it


def find(analysis, vocab, pats, patterns_by_mode) -> list:
    """Every candidate in the post, overlapping ones merged, in text order."""
    text = analysis.text
    cands = [Candidate(m.start(), m.end(), Source.TITLE) for m in pats.title.finditer(text)]
    if analysis.has_ner and analysis.doc is not None:
        for e in analysis.doc.ents:
            if e.label_ == "PERSON":
                span = clean_ner(text, e.start_char, e.end_char, vocab)
                if span:
                    cands.append(Candidate(span[0], span[1], Source.NER))
    if pats.first_name is not None:
        for m in pats.first_name.finditer(text):
            if m.group(0).split()[0] in vocab.wordlike and sentence_initial(text, m.start()):
                continue
            # a bare first name after "in", "near"...: a town ("opens in Beverley")
            if " " not in m.group(0).strip() and pats.place_prep.search(text, max(0, m.start() - 12), m.start()):
                continue
            cands.append(Candidate(m.start(), m.end(), Source.FIRST_NAME))
    for mode in (Mode.GATED, Mode.IN_CONTEXT, Mode.IN_POST):
        for p in patterns_by_mode[mode]:
            for m in p.finditer(text):
                s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                if e > s:
                    cands.append(Candidate(s, e, Source.PATTERN, mode))
    # longest first, drop those inside a longer one (keeping the most self-contained mode)
    cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept = []
    for c in cands:
        if kept and c.start < kept[-1].end:
            last = kept[-1]
            better = c if c.mode > last.mode else last
            kept[-1] = Candidate(last.start, max(last.end, c.end), better.source, better.mode)
            continue
        kept.append(c)
    return kept


def trim(text, start, end):
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] == "."):
        end -= 1
    # "Mr K." keeps its dot; a sentence-final dot after a surname does not
    if end > start and text[end - 1] == "." and end - start > 2 and text[end - 3:end - 1].isalpha():
        end -= 1
    return start, end


def clean_ner(text, start, end, vocab):
    """A PERSON entity worth a look: two to four capitalised words of letters, no venue or
    calendar word. Single words are left to the first-name list and the title patterns. A
    capitalised verb or adjective before a title or first name is dropped ("Meet Sarah",
    "Visited Mrs Green")."""
    start, end = trim(text, start, end)
    words = regex.split(r"[ \t]+", text[start:end])
    while len(words) >= 2 and words[0] not in vocab.first_names and words[0] not in vocab.titles and (
            words[1].rstrip(".") in vocab.titles or words[1] in vocab.first_names):
        start += len(words[0])
        while start < end and text[start] in " \t":
            start += 1
        words = words[1:]
    if len(words) < 2 or len(words) > 4:
        return None
    for w in words:
        core = w.rstrip(".").replace("'s", "").replace("’s", "")
        if not core or not regex.fullmatch(r"[A-Z][\p{L}'\-]*", core):
            return None
        if core.lower() in vocab.not_name:
            return None
    if any(w.endswith(("'s", "’s")) for w in words[:-1]):
        return None
    if words[-1].endswith(("'s", "’s")):
        end -= 2
    return start, end


def common_word_start(analysis, text, start, end, vocab, pats) -> bool:
    """A pattern's 'name' that is really an ordinary word: it starts with a function word
    ("The Oasis from ..."), it is one word after a quantifier ("too many Somalis"), or it is one
    word opening a sentence that is neither a known first name nor tagged PERSON by the model
    ("Music from the youth club band", "Greetings from our lunch club")."""
    words = regex.split(r"[ \t]+", text[start:end])
    if words[0].lower().rstrip(".") in vocab.function_words:
        return True
    if (len(words) == 1 and words[0] not in vocab.first_names
            and pats.quantifier_before.search(text[max(0, start - 12):start])):
        return True
    core = [w for w in words if w.rstrip(".") not in vocab.titles]
    if len(core) != 1 or len(words) != 1 or core[0] in vocab.first_names or not sentence_initial(text, start):
        return False
    if analysis.has_ner and analysis.doc is not None:
        for e in analysis.doc.ents:
            if e.label_ == "PERSON" and e.start_char <= start < e.end_char:
                return False
    return True


def drop_leading_word(text, start, end, vocab) -> int:
    """'Seen Precious at the crisis café': a capitalised word opening the sentence before a
    known first name is not part of the name."""
    m = regex.match(r"([A-Z][\w'’\-]*)[ \t]+([A-Z][\w'’\-]*)", text[start:end])
    if (m and m.group(1) not in vocab.first_names and m.group(1).rstrip(".") not in vocab.titles
            and m.group(2) in vocab.first_names and sentence_initial(text, start)):
        return start + m.start(2)
    return start


def sentence_initial(text, start) -> bool:
    """Nothing but spaces, punctuation that ends a sentence, quotes or emoji before it."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or not (text[i].isalnum() or text[i] in ",;:&(-–")


def in_place_name(text, start, end, pats) -> bool:
    """'Diana, Princess of Wales Hospital', 'Victoria Road', 'St Mary's church': part of a place."""
    if pats.place_head.search(text[max(0, start - 12):start]):
        return True
    return bool(pats.place_tail.match(text, end, min(len(text), end + 60)))


def is_handle_or_tag(text, start) -> bool:
    """'#WaltonCentre', '@Gary Pritchard': hashtags and the person a reply is addressed to."""
    return start > 0 and text[start - 1] in "#@"


def in_quoted_title(text, start, end) -> bool:
    """'Sweet Caroline', "Dick Whittington": a song, show or book title in quotes."""
    before = regex.search(r"[" + QUOTE_OPEN + r"](?:[A-Z][\w'’]*[ \t]+){0,3}$", text[max(0, start - 40):start])
    after = regex.match(r"(?:[ \t]+[A-Z][\w’]*){0,3}[" + QUOTE_CLOSE + r"]", text[end:end + 40])
    return bool(before and after)


def name_key(name: str, vocab) -> str:
    parts = [p for p in regex.split(r"[\s.]+", name) if p and p not in vocab.titles and p not in ("and", "&")]
    return parts[0].lower().replace("'s", "").replace("’s", "") if parts else name.lower()
