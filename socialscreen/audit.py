"""The audit log (`check --audit-log FILE`, `audit-log` in the configuration): one JSON line per
screened post, appended, so a publishing gate can show what it screened, when, under which
policy, and what it decided, without keeping a word of any post.

    {"time": "2026-12-08T09:14:03.512Z", "event": "screened", "id": "dec-02",
     "sha256": "<SHA-256 of the post's text as screened, UTF-8>", "policy": "walton-centre",
     "policy_version": "2.2", "account": "official", "verdict": "block",
     "rules": ["names.person", "pii.nhs-number"], "suppressed": [{"rule": "...", "by": "baseline"}],
     "tool": "socialscreen 0.1.0"}
    {"time": "...", "event": "error", "id": "7", "error": "unreadable", "tool": "socialscreen 0.1.0"}

`rules` lists the rule of each finding that stands, in text order; `suppressed` (only when some
finding was suppressed) the rule and what suppressed it. A record that could not be screened is
an `error` line with its id and the error's code only (values.ERROR_CODES: `unreadable`, `invalid_record`,
`unknown_allow_rule`, `unknown_policy`, `screen_failed`, ...). Never the text, a span, a
profile, an alt text, a reason or an error message. The file is created readable by its owner
only, and each line is one append, so runs that share a log do not interleave within a line.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone

from .errors import SocialScreenError


class AuditLog:
    def __init__(self, path):
        from . import __version__
        self.path = str(path)
        self.tool = f"socialscreen {__version__}"
        try:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise SocialScreenError(f"{self.path}: the audit log cannot be opened for appending "
                                    f"({exc.strerror or exc.__class__.__name__})") from None

    def write(self, result, post=None, pack=None) -> None:
        """One line for a Result (with the Post it came from and the Pack it was screened under),
        or for a RecordError."""
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if getattr(result, "error", None) is not None:
            line = {"time": now, "event": "error", "id": result.id, "error": getattr(result, "code", "unreadable"),
                    "tool": self.tool}
        else:
            text = post.text if post is not None else ""
            line = {"time": now, "event": "screened", "id": result.id,
                    "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
                    "policy": result.policy,
                    "policy_version": None if pack is None or pack.meta.get("version") is None
                    else str(pack.meta.get("version")),
                    "account": result.account, "verdict": result.verdict,
                    "rules": [f.rule for f in result.findings]}
            if result.suppressed:
                line["suppressed"] = [{"rule": s.rule, "by": s.by} for s in result.suppressed]
            line["tool"] = self.tool
        os.write(self.fd, (json.dumps(line) + "\n").encode("utf-8"))

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
