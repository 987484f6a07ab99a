"""Lists of people an organisation names without ever storing their names: the people it
supports (found in posts, typos, nicknames and spacing included) and the people whose recorded
consent clears them (their names are not flagged). Issue 10.

A list is a JSON file of salted hashes (keyed BLAKE2b, 16 bytes) and nothing else: no name,
number or length in clear. Each person is stored as the keys a post could write them as:

- full name, title and surname ("Mrs Hughes"), title and full name, initial and surname ("M Hughes"), and the
  first name's common nicknames with the surname ("Peggy Hughes", `patterns/lexicons/nicknames.txt`);
- numbers (NHS, hospital, NI...) by their letters and digits alone ("943 476 5919" = "9434765919");
- each key also by its one-letter deletions, so a post one slip away (a letter dropped, added,
  changed or two swapped) still matches (the symmetric-delete method of SymSpell).

A post is read as runs of one to four words; each run's key (letters and digits, lower case,
spaces and punctuation dropped) and its deletions are hashed with the list's salt and looked up.

    socialscreen people names.txt -o people.json                 # the people we support
    socialscreen people consented.txt -o consented.json --purpose consented
    Screener("b3", known_people="people.json", consented="consented.json")
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Iterable, Optional

from .errors import SocialScreenError

FORMAT = "socialscreen-people/1"
PURPOSES = ("service_users", "consented")
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr")
MIN_FUZZY = 8            # keys shorter than this must match exactly (a slip away from "Mr Lee" is too much)
MAX_WORDS = 4
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_DIGIT = re.compile(r"\d")


def key_of(text: str) -> str:
    """Letters and digits only, lower case: 'Mrs  O'Neill' -> 'mrsoneill'."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _deletions(key: str):
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def _nicknames() -> dict:
    from .data import patterns_dir
    table = {}
    path = patterns_dir() / "lexicons" / "nicknames.txt"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            name, nicks = line.split(":", 1)
            table.setdefault(name.strip().lower(), set()).update(n.strip().lower() for n in nicks.split(",") if n.strip())
    return table


def _variants(entry: str, nicknames: dict) -> set[str]:
    """The keys one person (or number) may be written as in a post."""
    words = [w for w in _WORD.findall(entry)]
    if not words:
        return set()
    if _DIGIT.search(entry) or len(words) == 1:
        return {key_of(entry)}
    first, last = words[0].lower(), words[-1].lower()
    keys = {key_of(entry), key_of(first + last), first[0] + key_of(last)}
    keys |= {t + key_of(last) for t in TITLES} | {t + key_of(entry) for t in TITLES}
    keys |= {key_of(n + last) for n in nicknames.get(first, ())}
    return {k for k in keys if len(k) >= 4}


class PeopleList:
    """Salted hashes of the ways some people may be written; finds them in text."""

    def __init__(self, salt: bytes, hashes: Iterable[str], fuzzy: Iterable[str] = (), purpose: str = "service_users"):
        if purpose not in PURPOSES:
            raise SocialScreenError(f"purpose must be one of {', '.join(PURPOSES)}")
        self.salt, self.purpose = salt, purpose
        self.exact = frozenset(hashes)          # hashes of whole keys
        self.fuzzy = frozenset(fuzzy)           # hashes of the one-letter deletions of long keys

    # -- building and storing ------------------------------------------------------------------
    @classmethod
    def build(cls, entries: Iterable[str], purpose: str = "service_users", salt: Optional[bytes] = None) -> "PeopleList":
        salt = salt if salt is not None else os.urandom(16)
        nicknames = _nicknames()
        exact, fuzzy = set(), set()
        for entry in entries:
            for k in _variants(entry, nicknames):
                exact.add(_hash(salt, k))
                if len(k) >= MIN_FUZZY:
                    fuzzy.update(_hash(salt, d) for d in _deletions(k))
        return cls(salt, exact, fuzzy, purpose)

    def save(self, path) -> None:
        data = {"format": FORMAT, "purpose": self.purpose, "salt": self.salt.hex(),
                "exact": sorted(self.exact), "fuzzy": sorted(self.fuzzy)}
        Path(path).write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path) -> "PeopleList":
        where = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SocialScreenError(f"{where}: cannot read a people list ({type(exc).__name__}); "
                                    "make one with `socialscreen people NAMES.txt -o FILE`") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SocialScreenError(f"{where}: not a people list (format {FORMAT!r}); "
                                    "make one with `socialscreen people NAMES.txt -o FILE`")
        hexes = [data.get("salt")] + list(data.get("exact") or []) + list(data.get("fuzzy") or [])
        if not all(isinstance(h, str) and re.fullmatch(r"[0-9a-f]{32}", h) for h in hexes):
            raise SocialScreenError(f"{where}: salt and hashes must be 32 hexadecimal characters each")
        return cls(bytes.fromhex(data["salt"]), data.get("exact") or (), data.get("fuzzy") or (),
                   data.get("purpose", "service_users"))

    @classmethod
    def of(cls, value, purpose: str) -> Optional["PeopleList"]:
        if value is None or isinstance(value, PeopleList):
            return value
        people = cls.load(value)
        if people.purpose != purpose:
            raise SocialScreenError(f"{value}: this list is for {people.purpose!r}, not {purpose!r}")
        return people

    # -- finding -------------------------------------------------------------------------------
    def matches(self, text: str) -> bool:
        """Is this whole span (a name, a number) one of the list's people?"""
        k = key_of(text)
        return bool(k) and self._match(k)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of text written as one of the list's people (longest first, not overlapping)."""
        words = [(m.start(), m.end(), key_of(m.group(0))) for m in _WORD.finditer(text)]
        found = []
        for i in range(len(words)):
            for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                run = words[i:i + n]
                k = "".join(w[2] for w in run)
                if len(k) >= 4 and self._match(k):
                    found.append((run[0][0], run[-1][1]))
                    break
        out, end = [], -1
        for s, e in sorted(found, key=lambda x: (x[0], -(x[1] - x[0]))):
            if s >= end:
                out.append((s, e))
                end = e
        return out

    def _match(self, k: str) -> bool:
        h = _hash(self.salt, k)
        if h in self.exact:
            return True
        if len(k) + 1 < MIN_FUZZY or not self.fuzzy:
            return False
        if h in self.fuzzy:                     # the post dropped a letter
            return True
        for d in _deletions(k):                 # the post added, changed or swapped a letter
            hd = _hash(self.salt, d)
            if hd in self.exact or hd in self.fuzzy:
                return True
        return False


def _hash(salt: bytes, key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), key=salt, digest_size=16).hexdigest()


def read_entries(path) -> list[str]:
    """One person or number per line; blank lines and lines starting with # are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SocialScreenError(f"{path}: cannot read ({type(exc).__name__})") from None
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


__all__ = ["PeopleList", "PURPOSES", "key_of", "read_entries"]
