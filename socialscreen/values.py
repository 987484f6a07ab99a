"""The small immutable values a post travels as: Post and Attachment in, Hit from a kind,
Finding, Clause and Result out, RecordError for a record that could not be screened; and the
fixed vocabularies (accounts, severities, verdicts, categories, characteristics)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from .errors import ScreenInputError

ACCOUNTS = ("personal", "official")
ATTACHMENT_TYPES = ("image", "video")
SEVERITIES = ("low", "medium", "high")
VERDICTS = ("pass", "review", "block")            # in rising order
CATEGORIES = (
    "service_user_identifier", "confidential_information", "offensive_language",
    "discriminatory_language", "missing_disclaimer",
    "work_grievance", "disparagement", "unconsented_image",
)
# why a record could not be screened (RecordError.code): stable words for scripts and spreadsheets
ERROR_CODES = (
    "unreadable",        # the file or stream cannot be read (or not read further)
    "empty",             # nothing to screen: an empty file, stream, sheet cell or array
    "not_utf8",          # bytes that are not UTF-8 (save the file as UTF-8)
    "invalid_json",      # a JSON line or document that does not parse, or nests too deeply
    "invalid_csv",       # a CSV row whose quotes are broken, or that is cut short
    "invalid_workbook",  # not a readable .xlsx, too large unpacked, no worksheet, no such sheet
    "no_text_column",    # no column holds the posts (said once for the file or sheet)
    "invalid_record",    # a field of the wrong type or value (text, account, profile, attachments, policy)
    "too_long",          # a post, profile or alt text over max_chars
    "unknown_policy",    # the record names a policy that is not an installed pack id
    "unknown_allow_rule", # the record's allow names a rule id that is not loaded
    "screen_failed",     # screening itself failed on this post
)
CHARACTERISTICS = (
    "age", "disability", "gender_reassignment", "marriage_civil_partnership",
    "pregnancy_maternity", "race", "religion_belief", "sex", "sexual_orientation",
)

# The kinds of service-user identifier a finding names (its `label`; issue 10). INDIRECT: details
# that single a person out only together (a condition, a street, an age, a date).
IDENTIFIER_LABELS = (
    "NAME", "INITIALS", "NICKNAME", "HANDLE", "NHS_NUMBER", "HOSPITAL_NUMBER", "NI_NUMBER", "PASSPORT_NUMBER",
    "DRIVING_LICENCE", "VEHICLE_REGISTRATION", "TAX_REFERENCE", "DATE_OF_BIRTH", "DATE", "AGE", "ADDRESS",
    "POSTCODE", "PHONE", "EMAIL", "WARD_BED", "INDIRECT",
)


def account_value(value, default: str = "personal") -> str:
    """An account context, matched without regard to case or surrounding space."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, str) and value.strip().lower() in ACCOUNTS:
        return value.strip().lower()
    raise ScreenInputError(f"account must be one of {', '.join(ACCOUNTS)}")


@dataclass(frozen=True)
class Attachment:
    """An image or video attached to a post; rules that apply to attachments read its alt text."""
    type: str = "image"
    alt_text: str = ""

    @classmethod
    def of(cls, raw) -> "Attachment":
        if isinstance(raw, Attachment):
            return raw
        if not isinstance(raw, Mapping):
            raise ScreenInputError("an attachment must be a mapping with 'type' and 'alt_text'")
        kind = raw.get("type", "image")
        if kind not in ATTACHMENT_TYPES:
            raise ScreenInputError(f"an attachment's type must be one of {', '.join(ATTACHMENT_TYPES)}")
        alt = raw.get("alt_text")
        if alt is None:
            alt = ""
        if not isinstance(alt, str):
            raise ScreenInputError("an attachment's alt_text must be a string")
        return cls(kind, alt)


MAX_REASON_CHARS = 1000


@dataclass(frozen=True)
class Allow:
    """One rule a record allows: findings of that rule id are suppressed in that record only,
    with an optional reason (reported with the suppression). The Screener checks that the rule
    id is loaded: an unknown id makes the record an error (fail closed)."""
    rule: str
    reason: Optional[str] = None

    @classmethod
    def of(cls, raw, n: int = 1) -> "Allow":
        """From a rule id string, a mapping `{"rule": ..., "reason": ...}` or an Allow; `n` is the
        entry's 1-based place, for the error message (which never quotes the record's values)."""
        if isinstance(raw, Allow):
            return raw
        if isinstance(raw, str):
            rule, reason = raw, None
        elif isinstance(raw, Mapping):
            extra = set(raw) - {"rule", "reason"}
            if extra or "rule" not in raw:
                raise ScreenInputError(f"allow entry {n} must be a rule id or an object with 'rule' and "
                                       f"optional 'reason'")
            rule, reason = raw["rule"], raw.get("reason")
        else:
            raise ScreenInputError(f"allow entry {n} must be a rule id string or an object with 'rule' and "
                                   f"optional 'reason'")
        if not isinstance(rule, str) or not rule.strip():
            raise ScreenInputError(f"allow entry {n}: the rule must be a rule id such as pii.nhs-number")
        if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS):
            raise ScreenInputError(f"allow entry {n}: the reason must be a string of at most "
                                   f"{MAX_REASON_CHARS} characters")
        return cls(rule.strip(), (reason.strip() or None) if isinstance(reason, str) else None)


def allow_value(raw) -> tuple:
    """A record's `allow` as a tuple of Allow: None, or a list of rule ids and {rule, reason} objects."""
    if raw is None:
        return ()
    if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, (list, tuple)):
        raise ScreenInputError("allow must be a list of rule ids (or of {'rule': ..., 'reason': ...} objects)")
    return tuple(Allow.of(a, n) for n, a in enumerate(raw, start=1))


@dataclass(frozen=True)
class Post:
    """One draft post as every reader yields it and the screener takes it."""
    text: str
    id: Optional[str] = None
    account: str = "personal"
    profile: Optional[str] = None
    attachments: tuple = ()
    policy: Optional[str] = None           # an installed pack id, from the record itself
    # where the record came from (its file, sheet and row, with every cell of the row), for
    # outputs that carry the input's columns; never shown by repr and never compared
    row: Any = field(default=None, repr=False, compare=False, hash=False)
    allow: tuple = ()                      # Allow: rule ids suppressed in this post only

    @classmethod
    def of(cls, raw, *, account: Optional[str] = None, profile: Optional[str] = None) -> "Post":
        """A Post from a Post, a string or a mapping (`text` and optional `id`, `account`,
        `profile`, `attachments`, `policy`, `allow`); the record's own fields win over the defaults given.
        Raises ScreenInputError (whose message never holds post text) for anything malformed."""
        if isinstance(raw, Post):
            return raw
        if isinstance(raw, str):
            return cls.build(raw, account=account, profile=profile)
        if isinstance(raw, Mapping):
            if "text" not in raw:
                raise ScreenInputError("a post mapping needs a 'text' field")
            return cls.build(raw["text"], id=raw.get("id"),
                             account=raw.get("account") or account,
                             profile=raw["profile"] if raw.get("profile") is not None else profile,
                             attachments=raw.get("attachments"), policy=raw.get("policy"),
                             allow=raw.get("allow"))
        raise ScreenInputError(f"a post must be a string or a mapping, not {type(raw).__name__}")

    @classmethod
    def build(cls, text, *, id=None, account=None, profile=None, attachments=None, policy=None,
              row=None, allow=None) -> "Post":
        if not isinstance(text, str):
            raise ScreenInputError(f"post text must be a string, not {type(text).__name__}")
        if profile is not None and not isinstance(profile, str):
            raise ScreenInputError("profile must be a string")
        if attachments is None:
            attachments = ()
        if isinstance(attachments, (str, bytes, Mapping)) or not isinstance(attachments, (list, tuple)):
            raise ScreenInputError("attachments must be a list of {'type': 'image'|'video', 'alt_text': ...}")
        if policy is not None and not isinstance(policy, str):
            raise ScreenInputError("a record's policy must be a pack id")
        return cls(text=text, id=None if id is None else str(id), account=account_value(account),
                   profile=profile, attachments=tuple(Attachment.of(a) for a in attachments),
                   policy=policy or None, row=row, allow=allow_value(allow))


@dataclass(frozen=True)
class Hit:
    """What a detector kind reports: a rule matched at [start, end) of the normalised text
    it was given (the post, or attachment `attachment`'s alt text)."""
    rule: object          # rules.Rule
    start: int
    end: int
    score: float
    why: str
    characteristic: Optional[str] = None
    attachment: Optional[int] = None


@dataclass(frozen=True)
class Clause:
    policy: str
    id: str
    section: str
    title: str
    quote: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    category: str
    start: int
    end: int
    text: str
    severity: str
    confidence: float
    message: str
    detector: str
    rule: str
    clauses: tuple[Clause, ...]
    why: str = ""
    characteristic: Optional[str] = None
    attachment: Optional[int] = None      # index of the attachment whose alt text was flagged
    fix: str = ""                         # what the author should do (the rule's `fix`), when it says
    label: Optional[str] = None           # service_user_identifier: which kind of identifier ("NHS_NUMBER", "NAME")

    def to_dict(self) -> dict:
        d = {
            "category": self.category, "start": self.start, "end": self.end, "text": self.text,
            "severity": self.severity, "confidence": round(self.confidence, 3),
            "message": self.message, "detector": self.detector, "rule": self.rule,
            "clauses": [c.to_dict() for c in self.clauses], "why": self.why,
        }
        if self.characteristic:
            d["characteristic"] = self.characteristic
        if self.attachment is not None:
            d["attachment"] = self.attachment
        if self.fix:
            d["fix"] = self.fix
        if self.label:
            d["label"] = self.label
        return d


def verdict_for(findings) -> str:
    """'block' if any finding is high, 'review' if any other finding, else 'pass'."""
    verdict = "pass"
    for f in findings:
        if f.severity == "high":
            return "block"
        verdict = "review"
    return verdict


SUPPRESSED_BY = ("allow", "allow-list", "consent", "baseline")


@dataclass(frozen=True)
class Suppressed:
    """A finding that was found and then left out, so that nothing disappears silently: its
    rule, category and offsets (never its text), and what suppressed it: `allow` (the record's
    own allow field, with its reason), `allow-list` (the configuration's allow-list for the
    category) or `baseline` (an accepted finding in the baseline file)."""
    rule: str
    category: str
    start: int
    end: int
    by: str
    reason: Optional[str] = None
    attachment: Optional[int] = None

    def to_dict(self) -> dict:
        d = {"rule": self.rule, "category": self.category, "start": self.start, "end": self.end, "by": self.by}
        if self.reason:
            d["reason"] = self.reason
        if self.attachment is not None:
            d["attachment"] = self.attachment
        return d


@dataclass(frozen=True)
class Result:
    """A screened post: the verdict (from the findings that stand), the findings in text order,
    and the findings suppressed (by the record's allow, the configuration's allow-list or the
    baseline), which decide nothing but are counted."""
    policy: str
    account: str
    verdict: str
    findings: tuple[Finding, ...]
    id: Optional[str] = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    suppressed: tuple[Suppressed, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        d = {"verdict": self.verdict, "policy": self.policy, "account": self.account,
             "findings": [f.to_dict() for f in self.findings]}
        if self.id is not None:
            d = {"id": self.id, **d}
        if self.notes:
            d["notes"] = list(self.notes)
        if self.suppressed:
            d["suppressed"] = [s.to_dict() for s in self.suppressed]
        return d

    def __iter__(self):
        return iter(self.findings)

    def __len__(self):
        return len(self.findings)


@dataclass(frozen=True)
class RecordError:
    """A record that could not be read or screened, reported in its place. The message
    says what is wrong and what to do; it never quotes the record. `code` is one of
    ERROR_CODES; `row` is where the record came from, when it is known (never shown by repr)."""
    id: Optional[str]
    error: str
    code: str = "unreadable"
    row: Any = field(default=None, repr=False, compare=False, hash=False)
    verdict = None
    findings = ()
    suppressed = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "error": self.error, "code": self.code, "verdict": None, "findings": []}
