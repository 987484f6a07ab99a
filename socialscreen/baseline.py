"""A baseline of accepted findings: `socialscreen baseline` writes one, `check --baseline FILE`
(or `Screener(baseline=...)`) leaves out every finding it holds.

A finding is keyed by a SHA-256 of the post's text (Unicode NFC, runs of white space as one
space, ends trimmed), the rule id and a SHA-256 of the flagged span's text (normalised the same
way; for a finding on an attachment's alt text, the attachment's number and its alt text). The
file holds those keys and the rule ids, never a post or a span: the same posts give the same
file, byte for byte, on every run.

    {
      "format": "socialscreen-baseline",
      "version": 1,
      "hash": "sha256",
      "findings": [
        {"key": "<64 hex digits>", "rule": "pii.nhs-number", "category": "service_user_identifier"},
        ...
      ]
    }

`findings` is sorted by key, one entry per key (a post that repeats a span under one rule is
one entry, and the baseline accepts every repeat). Entries carry the rule and category so that
a reviewer can see what was accepted; only `key` decides.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable, Optional

from .errors import ConfigError, SocialScreenError

FORMAT = "socialscreen-baseline"
VERSION = 1
_KEY = re.compile(r"^[0-9a-f]{64}$")
_DOMAIN = f"{FORMAT}/{VERSION}"


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _sha256(text: str) -> str:
    # a lone surrogate (kept from bytes that were not UTF-8) still hashes, as itself
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def finding_key(post_text: str, rule: str, span_text: str) -> str:
    """The baseline key of one finding: SHA-256 of (normalised post text, rule id, SHA-256 of
    the normalised span text)."""
    return _sha256("\x00".join((_DOMAIN, _normalised(post_text), rule, _sha256(_normalised(span_text)))))


def span_of(post, finding) -> str:
    """The text a finding flags: its span in the post, or the alt text of its attachment."""
    attachment = finding.get("attachment") if isinstance(finding, dict) else finding.attachment
    if attachment is not None:
        alt = post.attachments[attachment].alt_text if attachment < len(post.attachments) else ""
        return f"attachment {attachment}: {alt}"
    start, end = (finding["start"], finding["end"]) if isinstance(finding, dict) else (finding.start, finding.end)
    return post.text[start:end]


def key_of(post, finding) -> str:
    """The key of a Finding (or a finding dict of `Result.to_dict()`) of a Post."""
    rule = finding["rule"] if isinstance(finding, dict) else finding.rule
    return finding_key(post.text, rule, span_of(post, finding))


class Baseline:
    """The accepted findings' keys (with the path they came from, for messages)."""

    def __init__(self, keys: Iterable[str] = (), path: Optional[str] = None):
        self.keys = frozenset(keys)
        self.path = path

    def __contains__(self, key) -> bool:
        return key in self.keys

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return f"Baseline({len(self.keys)} findings" + (f", {self.path!r})" if self.path else ")")

    @classmethod
    def of(cls, value) -> Optional["Baseline"]:
        """A Baseline from a Baseline, a path, or None."""
        if value is None or isinstance(value, Baseline):
            return value
        if isinstance(value, (str, os.PathLike)):
            return cls.load(value)
        raise SocialScreenError("baseline= takes the path of a baseline file or a socialscreen.Baseline")

    @classmethod
    def load(cls, path) -> "Baseline":
        """Read and check a baseline file; anything else than the documented format is a
        ConfigError naming the file and the field."""
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(path, None, "no such baseline file (write one with: socialscreen baseline "
                                          "--policy PACK FILE... -o FILE)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(path, None, f"cannot be read ({exc.__class__.__name__})") from None
        except (json.JSONDecodeError, RecursionError) as exc:
            where = f"line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else None
            raise ConfigError(path, where, "not a baseline file: it is not valid JSON") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ConfigError(path, "format", f"not a baseline file: 'format' must be {FORMAT!r}")
        if raw.get("version") != VERSION:
            raise ConfigError(path, "version", f"must be {VERSION} (the only version this socialscreen reads); "
                                               f"write the baseline again with socialscreen baseline")
        if raw.get("hash") != "sha256":
            raise ConfigError(path, "hash", "must be 'sha256'")
        unknown = set(raw) - {"format", "version", "hash", "tool", "findings"}
        if unknown:
            raise ConfigError(path, ", ".join(sorted(unknown)),
                              "unknown key(s); valid: format, version, hash, tool, findings")
        entries = raw.get("findings")
        if not isinstance(entries, list):
            raise ConfigError(path, "findings", "must be a list of {key, rule, category} objects")
        keys = []
        for i, e in enumerate(entries):
            if not isinstance(e, dict) or not isinstance(e.get("key"), str) or not _KEY.match(e["key"]):
                raise ConfigError(path, f"findings[{i}].key", "must be 64 lower-case hex digits (a SHA-256)")
            keys.append(e["key"])
        return cls(keys, str(path))


class BaselineWriter:
    """Takes (result dict, post) pairs as the report writers do, and writes the baseline file on
    close: every finding that stands (not those already suppressed by an allow), keyed."""

    wants_post = True

    def __init__(self, path):
        self.path = Path(path)
        self.entries = {}
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir() or not os.access(folder, os.W_OK) or self.path.is_dir():
            # said before anything is screened (exit status 2), never after
            raise SocialScreenError(f"{self.path}: the baseline cannot be written there (no such folder, "
                                    f"not writable, or a folder)")

    def write(self, rec, post=None):
        if rec.get("error") or post is None:
            return
        for f in rec.get("findings", ()):
            self.entries[key_of(post, f)] = {"rule": f["rule"], "category": f["category"]}

    def close(self):
        from . import __version__
        doc = {"format": FORMAT, "version": VERSION, "hash": "sha256", "tool": f"socialscreen {__version__}",
               "findings": [{"key": k, **self.entries[k]} for k in sorted(self.entries)]}
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        folder = self.path.parent if str(self.path.parent) else Path(".")
        # written whole, then moved into place: a run that fails never leaves half a baseline
        fd, tmp = tempfile.mkstemp(prefix=".socialscreen-baseline-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def __len__(self):
        return len(self.entries)


class BaselineOutputs:
    """`socialscreen baseline`'s output: the CLI's (record, result) pairs go to a BaselineWriter,
    written on close; a run stopped part-way writes nothing."""

    def __init__(self, path):
        self.writer = BaselineWriter(path)

    def write(self, record, rec: dict) -> None:
        self.writer.write(rec, post=record)

    def abort(self) -> None:
        pass

    def close(self, packs=None) -> None:
        self.writer.close()
