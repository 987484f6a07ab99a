"""The names kind: person names, counted only in a care context, and the
identifying details that stand next to a kept name.

Candidates come from title patterns ("Mrs Jones", "Mr D"), spaCy's PERSON
entities when a model with NER is loaded (multi-word ones only: the small
models tag places, clubs and hashtags as single-word people), a first-name
lexicon, and the rule's own patterns ("Kelly (23)"). A candidate is kept only
when the rule's context gate allows it (typically: a care word near it, no
consent statement in the post) and no staff or public-role word stands next
to it in its sentence (a colleague, "Sister Angela", "Cllr Patel", an MP,
"thank you Pat", the rule's block_before/block_after: "my nan Doris", "Kath on
reception"); staff named after the person with "with the"/"by the" ("Kevin up on his feet
with the physios") are the helpers, not the person's role. A single pattern word after a
quantifier ("too many Somalis at the forum") is a group of people, not a name. Once one mention of a name is kept, its other mentions in
the post are kept too; once one mention is a colleague, none is kept.

A titled name ("Mr Patterson") may take its care word from the sentence before
or after, when no staff word stands anywhere in those sentences. Ordinary words
a pattern mistakes for a name are dropped: a function word first ("The Oasis"),
or one sentence-initial word that is neither a listed first name nor a spaCy
PERSON ("Music from the youth club band"). A bare listed first name after "in",
"near" ... is a town ("opens in Beverley"). The person a reply greets ("Hi
Marcus, we've checked with the team ...") is not tested against staff words.
A titled name on one of the organisation's own wards ("Mrs Rimmer on Chavasse",
the pack's `places`) counts as in a care context.

A rule pattern may start with a marker comment saying how it is used:

- no marker: group 1 (or the match) is a name candidate, gated like any other.
- ``(?#in-context)``: the pattern carries its own context ("Precious from our
  Wednesday group", "Hi Lisa, ... your dad's discharge"): no care word is
  needed, but the consent block, block_near and the staff guard still apply.
- ``(?#in-post)``: a care word anywhere in the post is enough (relatives:
  "his daughter Claire").
- ``(?#detail)``: an identifying detail (group 1 or the match: "since her
  dementia diagnosis in 2019"), reported only when a kept name stands in the
  same sentence, the one after it or up to two sentences before it.
- ``(?#after-name)``: a detail matched right where a kept name ends
  ("... Rowan, 72, from Bootle"), reported with it.
"""
from __future__ import annotations

import dataclasses

import functools

import regex

from ..matching import FLAGS, ContextGate
from ..values import Hit
from .options import Option

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx")
TITLE_RE = regex.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+(?:(?:and|&)[ \t]+(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+)?"
    r"(?:(?:[A-Z]\.?[ \t]*){1,2}(?=[A-Z][a-z])|)"
    r"(?:[A-Z][a-zA-Z'\-]+(?:[ \t]+[A-Z][a-zA-Z'\-]{2,})?|[A-Z]\b\.?)")

MARKERS = ("(?#in-context)", "(?#in-post)", "(?#detail)", "(?#after-name)")

# Words that are never part of a person's name: spaCy's small models tag wards,
# streets, venues and clubs as PERSON.
NOT_NAME = {
    "ward", "road", "street", "avenue", "lane", "close", "drive", "house", "hospital", "centre",
    "center", "square", "place", "park", "library", "town", "city", "trust", "team", "group",
    "club", "unit", "nhs", "court", "hall", "church", "school", "college", "university", "council",
    "week", "day", "month", "awareness", "appeal", "charity", "foundation", "services", "service",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december", "christmas", "easter", "ramadan", "diwali", "eid", "tues", "weds", "thurs",
    "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
    "today", "tonight", "yesterday", "tomorrow", "morning", "evening", "afternoon", "night",
    # venues and places of worship ("Darnall Forum", "Fairfield Methodist Church"), royal titles
    # in hospital names ("Diana Princess of Wales"), and words for a person, not names ("Lad from")
    "forum", "chapel", "mosque", "temple", "gurdwara", "synagogue", "methodist", "baptist",
    "parish", "cathedral", "princess", "duchess", "royal", "lodge", "manor", "grange", "lad", "lass",
    "gent", "fella", "bloke",
}

QUOTE_OPEN = "'\"‘“"
QUOTE_CLOSE = "'\"’”"


def _marker(pattern: str) -> str:
    for m in MARKERS:
        if pattern.startswith(m):
            return m[3:-1]
    return ""


class NamesDetector:
    name = "names"
    OPTIONS = (
        Option("staff", "terms", (), "staff, colleague and public-role words: a name next to one is not a service user"),
        Option("staff_window", "number", 30, "how many characters either side of a name the staff words are looked for"),
    )

    def __init__(self, rules):
        self.compiled = []
        for rule in rules:
            staff = rule.options["staff"]
            first = sorted({t.rstrip("*") for t in rule.terms if t[:1].isupper()})
            wordlike = {t.rstrip("*") for t in rule.terms if t[:1].isupper() and t.endswith("*")}
            first_re = None
            if first:
                body = "|".join(regex.escape(t) for t in sorted(first, key=len, reverse=True))
                first_re = regex.compile(
                    rf"(?<![\w'’])(?:{body})(?:[ \t]+(?!(?:{body})\b)[A-Z][a-z'\-]{{2,}})?(?![\w])")
            groups = {"": [], "in-context": [], "in-post": [], "detail": [], "after-name": []}
            for p in rule.patterns:                                    # case-sensitive on purpose
                groups[_marker(p)].append(regex.compile(p))
            # literal terms and "re:" entries, as the context gate compiles them
            staff_re = ContextGate._compile(tuple(staff)) if staff else None
            ctx = rule.context
            care_re = None
            if ctx is not None and (ctx.require_near or ctx.require_any):
                care_re = ContextGate._compile(tuple(ctx.require_near) + tuple(ctx.require_any))
            # a titled name ("Mrs Holt", "Mr Patterson") is plainly a person: the care word may
            # stand in the sentence before or after ("Can't stop thinking about Mr Patterson.
            # Came in after a bleed on the brain ...")
            wide = (ContextGate(dataclasses.replace(ctx, window="sentence+1"))
                    if ctx is not None and ctx.window == "sentence" else None)
            self.compiled.append((rule, first_re, (set(first), wordlike), groups, staff_re,
                                  int(rule.options["staff_window"]), ContextGate(ctx), care_re, wide))

    # -- candidates -------------------------------------------------------------------
    def _candidates(self, analysis, first_re, names, groups):
        first_set, wordlike = names
        text = analysis.text
        cands = [(m.start(), m.end(), "title pattern", "") for m in TITLE_RE.finditer(text)]
        if analysis.has_ner and analysis.doc is not None:
            for e in analysis.doc.ents:
                if e.label_ != "PERSON":
                    continue
                span = _clean_ner(text, e.start_char, e.end_char, first_set)
                if span:
                    cands.append((span[0], span[1], "spaCy NER PERSON", ""))
        if first_re is not None:
            for m in first_re.finditer(text):
                if m.group(0).split()[0] in wordlike and _sentence_initial(text, m.start()):
                    continue
                # a bare first name after "in", "near"...: a town ("opens in Beverley")
                if " " not in m.group(0).strip() and PLACE_PREP.search(text, max(0, m.start() - 12), m.start()):
                    continue
                cands.append((m.start(), m.end(), "first-name lexicon", ""))
        for mode in ("", "in-context", "in-post"):
            for p in groups[mode]:
                for m in p.finditer(text):
                    s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                    if e > s:
                        cands.append((s, e, "name pattern", mode))
        # longest first, drop those inside a longer one (keeping the most self-contained mode)
        rank = {"in-context": 2, "in-post": 1, "": 0}
        cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        kept = []
        for c in cands:
            if kept and c[0] < kept[-1][1]:
                last = kept[-1]
                end = max(last[1], c[1])
                mode = c[3] if rank[c[3]] > rank[last[3]] else last[3]
                why = c[2] if rank[c[3]] > rank[last[3]] else last[2]
                kept[-1] = (last[0], end, why, mode)
                continue
            kept.append(c)
        return kept

    # -- gating -----------------------------------------------------------------------
    def _staff(self, analysis, staff_re, staff_window, gate, start, end) -> bool:
        """A colleague, volunteer or public figure: a staff word close by in the same
        sentence, or a thanks/role phrase right before the name (the rule's block_before)."""
        text = analysis.text
        if gate.before is not None and gate.before.search(text[max(0, start - 80):start]):
            return True
        if gate.after is not None:
            if gate.after.match(text[end:end + 80]):
                return True
            # "Sue Bradley has been at the Trust ...": the role follows the surname
            m = SURNAME_AFTER.match(text, end)
            if m and gate.after.match(text[m.end():m.end() + 80]):
                return True
        if staff_re is None:
            return False
        ss, se = analysis.sentence_bounds(start, end)
        ws, we = max(ss, start - staff_window), min(se, end + staff_window)
        # a paragraph break ends the window too (the sentencizer runs on over emoji and blank lines)
        nl = text.rfind("\n", ws, start)
        ws = nl + 1 if nl >= 0 else ws
        nl = text.find("\n", end, we)
        we = nl if nl >= 0 else we
        for m in staff_re.finditer(text, ws, we):
            # "her sister Mary", "his support worker": a relation of the person, not their role
            if POSSESSIVE_BEFORE.search(text[max(0, m.start() - 8):m.start()]):
                continue
            # "Kevin up on his feet with the physios": the staff who help the person, after the name
            if m.start() >= end and HELPED_BY_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
                continue
            return True
        return False

    @staticmethod
    def _allowed(analysis, gate, care_re, start, end, mode, why="", staff_re=None, wide=None) -> tuple[bool, str]:
        if mode == "":
            ok, ctx = gate.check(analysis, start, end)
            if not ok and why == "title pattern" and wide is not None:
                # weaker evidence, stricter guard: no staff or public role anywhere in those sentences
                ws, we = analysis.sentence_bounds(start, end, extra=1)
                if staff_re is None or not analysis.search_in(staff_re, ws, we):
                    ok, ctx = wide.check(analysis, start, end)
                    ctx = ctx and ctx + " (next sentence)"
            if (not ok and why == "title pattern" and analysis.org_places and gate.ctx is not None
                    and gate.ctx.window == "sentence"):
                ok, ctx = _on_org_place(analysis, gate, start, end)
            return ok, ctx
        ctx, text = gate.ctx, analysis.text
        if ctx is None:
            return True, ""
        why = "pattern carries its own context"
        if gate.block_any is not None and analysis.search_whole(gate.block_any):
            return False, ""
        if mode == "in-post":
            if care_re is not None:
                m = analysis.search_in(care_re, 0, len(text))
                if not m:
                    return False, ""
                why = f"context in post: '{m.group(0).lower()}'"
        if gate.block_near is not None:
            ws, we = analysis.window(start, end, ctx.window)
            if analysis.search_in(gate.block_near, ws, we):
                return False, ""
        return True, why

    # -- detection ----------------------------------------------------------------------
    def detect(self, analysis):
        text = analysis.text
        org = {n.lower().lstrip("#@") for n in analysis.org_names}
        out = []
        for rule, first_re, first_set, groups, staff_re, staff_window, gate, care_re, wide in self.compiled:
            cands = []
            for start, end, why, mode in self._candidates(analysis, first_re, first_set, groups):
                start, end = _trim(text, start, end)
                if why == "name pattern":
                    start = _drop_leading_word(text, start, end, first_set[0])
                name = text[start:end]
                if (not name or name.lower() in org or not any(ch.isupper() for ch in name)
                        or _is_handle_or_tag(text, start) or _in_quoted_title(text, start, end)
                        or (why != "title pattern" and _in_place_name(text, start, end))
                        or (mode == "" and GREETING_RE.search(text, max(0, start - 60), start))):
                    continue
                key = _key(name)
                if key in NOT_NAME or any(w.lower() in NOT_NAME for w in regex.split(r"[\s.]+", name)):
                    continue
                if why == "name pattern" and _common_word_start(analysis, text, start, end, first_set[0]):
                    continue
                cands.append((start, end, why, mode, key))
            # the person a reply greets is a member of the public: "Hi Marcus, we've checked with
            # the team ..." names our team, not Marcus's role
            staff_keys = {c[4] for c in cands
                          if self._staff(analysis, None if (c[3] == "in-context" and GREETING_RE.search(
                              text, max(0, c[0] - 60), c[0])) else staff_re, staff_window, gate, c[0], c[1])}
            accepted, pending, kept = set(), [], []
            for start, end, why, mode, key in cands:
                if key in staff_keys:
                    continue
                ok, ctx = self._allowed(analysis, gate, care_re, start, end, mode, why, staff_re, wide)
                if ok:
                    accepted.add(key)
                    kept.append((start, end))
                    out.append(Hit(rule, start, end, rule.confidence, why + (f"; {ctx}" if ctx else "")))
                else:
                    pending.append((start, end, why, key))
            for start, end, why, key in pending:
                if key in accepted:
                    kept.append((start, end))
                    out.append(Hit(rule, start, end, rule.confidence * 0.9, why + "; same name as a flagged mention"))
            if kept:
                out += self._details(analysis, rule, groups, gate, kept)
        return out

    def _details(self, analysis, rule, groups, gate, kept):
        text = analysis.text
        out = []
        if gate.block_any is not None and analysis.search_whole(gate.block_any):
            return out
        for p in groups["after-name"]:
            for start, end in kept:
                m = p.match(text, end)
                if m:
                    s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                    if e > s:
                        out.append(Hit(rule, s, e, rule.confidence * 0.9, "identifying detail next to a flagged name"))
        if groups["detail"]:
            sents = {analysis.sentence_index(s) for s, _ in kept}
            for p in groups["detail"]:
                for m in p.finditer(text):
                    s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                    if e <= s:
                        continue
                    i = analysis.sentence_index(s)
                    if sents & {i - 2, i - 1, i, i + 1}:
                        out.append(Hit(rule, s, e, rule.confidence * 0.9,
                                       "identifying detail near a flagged name"))
        return out


def _trim(text, start, end):
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] == "."):
        end -= 1
    # "Mr K." keeps its dot; a sentence-final dot after a surname does not
    if end > start and text[end - 1] == "." and end - start > 2 and text[end - 3:end - 1].isalpha():
        end -= 1
    return start, end


def _clean_ner(text, start, end, first_set):
    """A PERSON entity worth a look: at least two capitalised words of letters, no venue
    or calendar word. Single words are left to the first-name list and the title patterns.
    A capitalised verb or adjective before a title or first name is dropped ("Meet Sarah",
    "Visited Mrs Green")."""
    start, end = _trim(text, start, end)
    words = regex.split(r"[ \t]+", text[start:end])
    while len(words) >= 2 and words[0] not in first_set and words[0] not in TITLES and (
            words[1].rstrip(".") in TITLES or words[1] in first_set):
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
        if core.lower() in NOT_NAME:
            return None
    if any(w.endswith(("'s", "’s")) for w in words[:-1]):
        return None
    if words[-1].endswith(("'s", "’s")):
        end -= 2
    return start, end


# Words that open a noun phrase or a sentence, never a name: "The Oasis", "Our Bev".
FUNCTION_WORDS = {
    "the", "a", "an", "our", "my", "your", "his", "her", "their", "its", "this", "that", "these",
    "those", "some", "any", "every", "each", "all", "no", "we", "i", "you", "he", "she", "they",
    "it", "and", "but", "or", "so", "if", "when", "what", "who", "how", "why", "where", "there",
    "here", "then", "just", "also", "please", "thanks", "thank", "well", "yes", "not", "for",
}


def _common_word_start(analysis, text, start, end, first_set) -> bool:
    """A pattern's 'name' that is really an ordinary word: it starts with a function word
    ("The Oasis from ..."), or it is one word opening a sentence that is neither a known first
    name nor tagged PERSON by the model ("Music from the youth club band", "Wreath-making at
    the memory café", "Greetings from our lunch club")."""
    words = regex.split(r"[ \t]+", text[start:end])
    if words[0].lower().rstrip(".") in FUNCTION_WORDS:
        return True
    if (len(words) == 1 and words[0] not in first_set
            and QUANTIFIER_BEFORE.search(text[max(0, start - 12):start])):
        return True
    core = [w for w in words if w.rstrip(".") not in TITLES]
    if len(core) != 1 or len(words) != 1 or core[0] in first_set or not _sentence_initial(text, start):
        return False
    if analysis.has_ner and analysis.doc is not None:
        for e in analysis.doc.ents:
            if e.label_ == "PERSON" and e.start_char <= start < e.end_char:
                return False
    return True


def _drop_leading_word(text, start, end, first_set) -> int:
    """'Seen Precious at the crisis café': a capitalised word opening the sentence before
    a known first name is not part of the name."""
    m = regex.match(r"([A-Z][\w'’\-]*)[ \t]+([A-Z][\w'’\-]*)", text[start:end])
    if (m and m.group(1) not in first_set and m.group(1).rstrip(".") not in TITLES
            and m.group(2) in first_set and _sentence_initial(text, start)):
        return start + m.start(2)
    return start


@functools.lru_cache(maxsize=32)
def _org_place_re(places):
    """Compiled once per set of organisation places, not per hit."""
    alts = "|".join(regex.escape(p) for p in sorted(places, key=len, reverse=True))
    return regex.compile(rf"\b(?:on|in|onto|to|from|off)[ \t]+(?:{alts})\b(?![ \t]+(?:team|staff|nurses))")


def _on_org_place(analysis, gate, start, end) -> tuple[bool, str]:
    """One of the organisation's own wards or units in the sentence ("Mrs Rimmer on Chavasse"):
    a care setting, under the same consent and block_near checks as any other context."""
    text = analysis.text
    if not analysis.org_places:
        return False, ""
    if gate.block_any is not None and analysis.search_whole(gate.block_any):
        return False, ""
    ws, we = analysis.sentence_bounds(start, end)
    if gate.block_near is not None and analysis.search_in(gate.block_near, ws, we):
        return False, ""
    m = analysis.search_in(_org_place_re(tuple(analysis.org_places)), ws, we)
    if not m:
        return False, ""
    return True, f"context: '{m.group(0)}' (one of the organisation's wards)"


def _sentence_initial(text, start) -> bool:
    """Nothing but spaces, punctuation that ends a sentence, quotes or emoji before it."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or not (text[i].isalnum() or text[i] in ",;:&(-–")


PLACE_TAIL = regex.compile(
    r"(?:,?[ \t]+(?:[A-Z][\w'’]*|of|the|and|&)){0,5}?[ \t]+(?:Hospital|Infirmary|Centre|Center|House|Ward|"
    r"Road|Street|Avenue|Lane|Unit|Hospice|Trust|Surgery|Practice|Clinic|School|College|Academy|Court|"
    r"Lodge|Park|Hall|Library|Foundation|Fund|Appeal|Awards?|Building|Wing|Suite|Stadium|Arena)\b")


SURNAME_AFTER = regex.compile(r"[ \t]+[A-Z][a-z'\-]{2,}(?=[ \t,])")

PLACE_PREP = regex.compile(r"\b(?:in|near|around|across|outside|towards|via)[ \t]+\Z")

POSSESSIVE_BEFORE = regex.compile(r"\b(?:his|her|their|your)[ \t]+\Z", FLAGS)

HELPED_BY_BEFORE = regex.compile(r"\b(?:with|by)[ \t]+(?:the|our)[ \t]+\Z", FLAGS)

# A word that counts or generalises the capitalised word after it: a group of people, not
# one person ("Too many Somalis at the forum", "all the Poles in the club")
QUANTIFIER_BEFORE = regex.compile(
    r"\b(?:many|few|several|some|more|most|all|these|those|loads|lots|other|no|two|three|four)[ \t]+\Z", FLAGS)

PLACE_HEAD = regex.compile(r"\b(?:St|St\.|Saint|Lady|Queen|King|Prince|Princess|Mount|Port|Fort)[ \t]+\Z")

# A name greeted at the start of a reply ("@jane Hi Jane, sorry to hear ..."): the
# person addressed. Kept only by a pattern that shows the reply discusses their care.
GREETING_RE = regex.compile(
    r"(?:^|\n)[ \t]*(?:@\w+[ \t]+)?(?:Hi|Hello|Hey|Dear|Morning|Good morning|Afternoon|Good afternoon|"
    r"Evening|Good evening|Thanks|Thank you)[ \t,]+(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+)?\Z")


def _in_place_name(text, start, end) -> bool:
    """'Diana, Princess of Wales Hospital', 'Victoria Road', 'St Mary's church': part of a place."""
    if PLACE_HEAD.search(text[max(0, start - 12):start]):
        return True
    return bool(PLACE_TAIL.match(text, end, min(len(text), end + 60)))


def _is_handle_or_tag(text, start) -> bool:
    """'#WaltonCentre', '@Gary Pritchard': hashtags and the person a reply is addressed to."""
    return start > 0 and text[start - 1] in "#@"


def _in_quoted_title(text, start, end) -> bool:
    """'Sweet Caroline', "Dick Whittington": a song, show or book title in quotes."""
    before = regex.search(r"[" + QUOTE_OPEN + r"](?:[A-Z][\w'’]*[ \t]+){0,3}$", text[max(0, start - 40):start])
    after = regex.match(r"(?:[ \t]+[A-Z][\w’]*){0,3}[" + QUOTE_CLOSE + r"]", text[end:end + 40])
    return bool(before and after)


def _key(name: str) -> str:
    parts = [p for p in regex.split(r"[\s.]+", name) if p and p not in TITLES and p not in ("and", "&")]
    return parts[0].lower().replace("'s", "").replace("’s", "") if parts else name.lower()
