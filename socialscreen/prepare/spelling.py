"""Spelling repair for the words that matter: a misspelt or run-together slur, insult or
group word is read as the word it disguises.

Two repairs, both only on a word that is not an English word (nor a name, nor any lexicon
entry), so ordinary text is never touched:

- **one slip**: a word one letter dropped or added, or two neighbouring letters swapped, away from exactly one *target* word is rewritten to it
  ("wmoen" -> "women", "idoit" -> "idiot"). Targets are the one-word entries of the
  language lexicons (`TARGET_LEXICONS`) and the one-word terms of the offensive and
  discriminatory rules, with their singular or plural, at least five letters long, or four
  when the first letter is kept. Failing a target, the most frequent of the 5,000 commonest
  English words one slip away, when it is clearly the most frequent ("hte" is too short,
  "shoudl" -> "should", "hsould" -> "should").
- a capitalised word inside a sentence (a name, a place) is never repaired.
- **run together**: a long word that is not English but splits into English words, one of
  them a target, gets its spaces back ("ihatewomen" -> "i hate women"), by the most
  probable split under word frequencies ("bankstaff" stays: it may be a username).
- **split apart**: two words that make a target with the space taken out, one of them not
  an English word, are joined ("wo men" -> "women", "mus lims" -> "muslims").
- handles, hashtags, e-mail addresses and paths are left alone.

The English word list with frequencies is symspellpy's (`frequency_dictionary_en_82_765.txt`,
82,765 words, MIT licence), read only when a post holds a word that could be a repair's
candidate (so a cold start does not pay for it). Targets come from the shipped lexicons.
"""
from __future__ import annotations

import math
import threading
from functools import lru_cache
from pathlib import Path

import regex

TARGET_LEXICONS = ("offensive-*", "derogatory-*", "group-*", "slurs-*", "threat-phrases", "sexual-innuendo",
                   "disparagement-insults")
TARGET_RULE_FOLDERS = ("offensive", "discriminatory")      # and the one-word `terms` of these rules
MIN_TARGET = 4
MIN_JOINED = 7              # a run-together word this long or longer is tried for a split
MAX_PIECE = 18
MAX_WORD = 40               # longer "words" (a URL's tail, a run of letters) are never repaired: linear time
COMMON_WORDS = 5000         # the most frequent English words (four letters or more) a slip may be read as

# a word of letters, not part of a contraction ("couldn't", "o'clock"), a masked word ("motherf***er")
# or a longer token
WORD = regex.compile(r"(?<![\p{L}\p{N}'’*#@$%!])[\p{L}]+(?![\p{L}\p{N}*#@$%])(?!['’]\p{L})", regex.V1)
_LETTERS = regex.compile(r"^[a-z]+$")


def _lexicon_words(folder: Path, patterns, whole_entries_only: bool = False) -> set[str]:
    """The words of the lexicons matching `patterns`; with whole_entries_only, only entries of
    one word (the words inside a phrase are not targets: "speak" in "can't speak English")."""
    words = set()
    for pattern in patterns:
        for path in sorted(folder.glob(pattern + ".txt")):
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip().lower()
                if not line or line.startswith("re:"):
                    continue
                parts = [w for w in regex.split(r"[\s\-/]+", line) if w]
                if not whole_entries_only or len(parts) == 1:
                    words.update(parts)
    return words


def _terms_of_rules(folder: Path, subfolders) -> list[str]:
    """The literal `terms` of every rule file in these subfolders of rules/ ("*" for all), lower case."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml when there: ~100 files at start-up
    out = []
    for sub in subfolders:
        for path in sorted(folder.glob(f"{sub}/*.yaml")):
            rule = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}   # noqa: S506 (a safe loader)
            out += [t.strip().lower() for t in rule.get("terms") or () if isinstance(t, str) and not t.startswith("re:")]
    return out


def _rule_terms(folder: Path, subfolders) -> set[str]:
    """The one-word terms of these rules: words the speller may repair into."""
    return {t for t in _terms_of_rules(folder, subfolders) if " " not in t}


def _detector_words(rules_folder: Path) -> set[str]:
    """Every word a detector knows as it is, so never "repaired" into a common word ("shite"
    is not "site"): better-profanity's word list and the words of every rule's terms."""
    from ..kinds.profanity import better_profanity_words_and_leet
    words = {w.lower() for w in better_profanity_words_and_leet()[0] if _LETTERS.match(w.lower())}
    for term in _terms_of_rules(rules_folder, ("*",)):
        words.update(w for w in regex.split(r"[\s\-/]+", term) if _LETTERS.match(w))
    return words


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _long_or_anchored(word: str, target: str) -> bool:
    """A four-letter target only by a slip that keeps its first letter, or swaps the first two."""
    return len(target) >= 5 or target[0] == word[0] or (len(word) == len(target) and word[:2] == target[1::-1])


def _distance_one(a: str, b: str) -> bool:
    """One letter dropped, one added, or two neighbours swapped (not one changed: "mozzies" is
    slang for mosquitoes, one letter from a slur; the disguises people type drop or swap)."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


class Speller:
    def __init__(self, lexicon_folder: Path, dictionary: Path | None = None):
        self._folder = Path(lexicon_folder)
        words = _lexicon_words(self._folder, TARGET_LEXICONS, whole_entries_only=True)
        words |= _rule_terms(self._folder.parent / "rules", TARGET_RULE_FOLDERS)
        words = {w for w in words if _LETTERS.match(w) and len(w) >= MIN_TARGET}
        # singular and plural of each ("idiots" lists "idiot" too)
        words |= {w + "s" for w in words if not w.endswith("s")} | {w[:-1] for w in words if w.endswith("s") and len(w) > MIN_TARGET}
        self.targets = frozenset(words)
        index: dict[str, set[str]] = {}
        for t in self.targets:
            for d in _deletes(t) | {t}:
                index.setdefault(d, set()).add(t)
        self._index = index
        self._all_lexicon_words = _lexicon_words(self._folder, ("*",))
        self._dictionary_path = dictionary
        self._freq: dict[str, int] | None = None
        self._common: dict | None = None
        self._total = 1
        self._lock = threading.Lock()

    # -- the English word list, read on first need ------------------------------------------------
    def _words(self) -> dict[str, int]:
        if self._freq is None:
            with self._lock:
                if self._freq is None:
                    freq: dict[str, int] = {}
                    path = self._dictionary_path or _symspell_dictionary()
                    if path is not None:
                        with open(path, encoding="utf-8") as fh:
                            for line in fh:
                                w, _sep, n = line.partition(" ")
                                freq[w] = int(n)
                    for w in self._all_lexicon_words | _detector_words(self._folder.parent / "rules"):
                        freq.setdefault(w, 1)
                    self._total = sum(freq.values()) or 1
                    self._freq = freq
        return self._freq

    def known(self, word: str) -> bool:
        return word in self._words()

    # -- repairs --------------------------------------------------------------------------------
    def slip(self, word: str) -> str | None:
        """The word `word` is one slip away from, or None: a target if exactly one is (the
        targets' index needs no word list), else the most frequent of the common English
        words one slip away (ties: none)."""
        if len(word) < MIN_TARGET or word in self.targets:
            return None
        found = self._near(word, self._index, lambda t: _long_or_anchored(word, t))
        if len(found) > 1 or self.known(word):
            return None
        if found:
            return found.pop()
        freq = self._words()
        common = self._near(word, self._common_index(), lambda t: _long_or_anchored(word, t))
        if not common:
            return None
        ranked = sorted(common, key=lambda t: -freq.get(t, 0))
        if len(ranked) > 1 and freq.get(ranked[0], 0) < 2 * freq.get(ranked[1], 0):
            return None                                    # no clear favourite: leave it
        return ranked[0]

    @staticmethod
    def _near(word, index, ok) -> set:
        found = set()
        for d in _deletes(word) | {word}:
            for t in index.get(d, ()):
                if _distance_one(word, t) and ok(t):
                    found.add(t)
        return found

    def _common_index(self) -> dict:
        if self._common is None:
            freq = self._words()
            with self._lock:
                if self._common is None:
                    ranked = sorted((w for w in freq if len(w) >= MIN_TARGET and w.isalpha()),
                                    key=lambda w: (-freq[w], w))[:COMMON_WORDS]
                    index: dict[str, set[str]] = {}
                    for t in ranked:
                        for d in _deletes(t) | {t}:
                            index.setdefault(d, set()).add(t)
                    self._common = index
        return self._common

    def split(self, word: str) -> list[str] | None:
        """The pieces of a run-together word, when one of them is a target, else None."""
        if len(word) < MIN_JOINED or self.known(word):
            return None
        freq = self._words()
        n = len(word)
        # best[i] = (log probability, pieces) of the best split of word[:i]
        best: list = [(0.0, [])] + [None] * n
        for i in range(1, n + 1):
            for j in range(max(0, i - MAX_PIECE), i):
                if best[j] is None:
                    continue
                piece = word[j:i]
                c = freq.get(piece)
                if c is None or (len(piece) == 1 and piece not in ("a", "i")):
                    continue
                score = best[j][0] + math.log(c / self._total)
                if best[i] is None or score > best[i][0]:
                    best[i] = (score, best[j][1] + [piece])
        if best[n] is None:
            return None
        pieces = best[n][1]
        if len(pieces) < 2:
            return None
        if any(p in self.targets for p in pieces):
            return pieces
        return None                  # "bankstaff" may be a username: only a split that reveals a target

    def joined(self, a: str, b: str) -> str | None:
        """Two words that are one target with a space inside it ("wo men", "mus lims"), when
        at least one half is not an English word ("is lam" stays)."""
        w = a + b
        if len(w) < 5 or w not in self.targets or (self.known(a) and self.known(b)):
            return None
        return w

    def edits(self, text: str) -> list[tuple[int, int, str]]:
        """Normalisation edits (start, end, replacement) for text."""
        out = []
        prev = None                                   # the previous word's match, when one space before this
        for m in WORD.finditer(text):
            raw = m.group()
            word = raw.lower()
            before = text[m.start() - 1] if m.start() else ""
            if before in "@#/.\\_" and m.start():
                prev = None
                continue                               # a handle, a hashtag, a path, an address: left alone
            if prev is not None and prev.end() + 1 == m.start() and text[prev.end()] == " " and word.isascii() \
                    and not (raw[0].isupper() and not _sentence_start(text, prev.start())):
                fixed = self.joined(prev.group().lower(), word)
                if fixed is not None:
                    out.append((prev.end(), m.start(), ""))      # the space out
                    prev = None
                    continue
            prev = m
            if len(word) < MIN_TARGET or len(word) > MAX_WORD or not word.isascii():
                continue
            if raw[0].isupper() and not raw.isupper() and not _sentence_start(text, m.start()):
                continue               # a capitalised word mid-sentence: a name or a place, left alone
            after = text[m.end()] if m.end() < len(text) else ""
            if after in "@." and m.end() + 1 < len(text) and text[m.end() + 1].isalnum():
                continue               # the local part of an e-mail address, a domain
            fixed = _repair(self, word)
            if fixed is None:
                continue
            if isinstance(fixed, list):
                if not raw.islower() and (len(fixed) < 3 or not any(p in self.targets for p in fixed)):
                    continue           # "Penistone", "Middlesex": a capitalised word splits only into three or more with a target
                pos = m.start()
                for piece in fixed[:-1]:
                    pos += len(piece)
                    out.append((pos, pos, " "))
            else:
                out.append((m.start(), m.end(), _with_case(raw, fixed)))
        return out


def _repair(speller: Speller, word: str):
    return _cached_repair(speller, word)


@lru_cache(maxsize=16384)
def _cached_repair(speller: Speller, word: str):
    fixed = speller.slip(word)
    if fixed is not None:
        return fixed
    return speller.split(word)


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:"


def _with_case(raw: str, fixed: str) -> str:
    if raw.isupper():
        return fixed.upper()
    if raw[0].isupper():
        return fixed[0].upper() + fixed[1:]
    return fixed


def _symspell_dictionary() -> Path | None:
    try:
        import importlib.resources
        path = importlib.resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
        return Path(str(path)) if path.is_file() else None
    except (ImportError, ModuleNotFoundError):
        return None


_SPELLER: Speller | None = None
_SPELLER_LOCK = threading.Lock()


def speller() -> Speller:
    """The speller over the shipped lexicons, built once per process."""
    global _SPELLER
    if _SPELLER is None:
        with _SPELLER_LOCK:
            if _SPELLER is None:
                from ..data import patterns_dir
                _SPELLER = Speller(Path(patterns_dir()) / "lexicons")
    return _SPELLER
