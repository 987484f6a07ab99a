"""The service's request and response models: what the OpenAPI description says, and what
the tests validate every real response against (extra keys are forbidden, so a response
that grows a field the description does not have fails a test)."""
from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["pass", "review", "block"]
Account = Literal["personal", "official"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttachmentIn(_Strict):
    type: Literal["image", "video"] = "image"
    alt_text: str = ""


class AllowIn(_Strict):
    rule: str = Field(description="a rule id (GET /v1/rules)")
    reason: Optional[str] = None


class ScreenRequest(_Strict):
    """One draft post."""
    text: str = Field(description="the draft post")
    policy: Optional[str] = Field(None, description="an installed pack id (GET /v1/packs); "
                                                    "default: the service's --policy")
    account: Account = "personal"
    profile: Optional[str] = Field(None, description="the author's profile / bio (a disclaimer there counts)")
    attachments: list[AttachmentIn] = Field(default_factory=list)
    id: Optional[str] = None
    allow: list[Union[str, AllowIn]] = Field(default_factory=list,
                                             description="rule ids whose findings are suppressed in this post "
                                                         "only (an unknown id is an error)")


class BatchRequest(_Strict):
    """Many posts, screened in order; a record that cannot be screened comes back in its place
    as an error record (`error` set, `verdict` null) and the others are still screened."""
    posts: list[Any] = Field(description="each a string, or an object with `text` and optional `id`, "
                                         "`account`, `profile`, `attachments`, `policy` (an installed pack id) "
                                         "and `allow` (rule ids suppressed in that post only)")
    policy: Optional[str] = Field(None, description="the pack for records that name none; "
                                                    "default: the service's --policy")
    account: Account = "personal"
    profile: Optional[str] = None


class ClauseOut(_Strict):
    policy: str
    id: str
    section: str
    title: str
    quote: str


class FindingOut(_Strict):
    category: str
    start: int
    end: int
    text: str
    severity: Literal["low", "medium", "high"]
    confidence: float
    message: str
    detector: str
    rule: str
    clauses: list[ClauseOut]
    why: str
    characteristic: Optional[str] = None
    attachment: Optional[int] = None
    fix: Optional[str] = None
    label: Optional[str] = None          # service_user_identifier: which kind ("NAME", "NHS_NUMBER", ...)


class SuppressedOut(_Strict):
    """A finding set aside (by the post's own `allow`), counted: never its text."""
    rule: str
    category: str
    start: int
    end: int
    by: Literal["allow", "allow-list", "consent", "baseline"]
    reason: Optional[str] = None
    attachment: Optional[int] = None


class ResultOut(_Strict):
    """The same object as one record of `socialscreen check --format json`."""
    id: Optional[str] = None
    verdict: Verdict
    policy: str
    account: Account
    findings: list[FindingOut]
    notes: Optional[list[str]] = None
    suppressed: Optional[list[SuppressedOut]] = None


class RecordErrorOut(_Strict):
    """A record that could not be screened, in its place; the message never quotes the record."""
    id: Optional[str]
    error: str
    code: Optional[str] = None          # one of socialscreen.values.ERROR_CODES
    verdict: None
    findings: list[FindingOut]


BatchItem = Union[ResultOut, RecordErrorOut]


class ErrorOut(_Strict):
    """Every error response: what is wrong and what to do; never the post's text."""
    error: str
    details: Optional[list[str]] = None


class PackOut(_Strict):
    id: str
    title: str
    organisation: str
    version: Optional[str] = None
    categories: list[str]
    clauses: list[str]


class ClauseDetailOut(_Strict):
    policy: str
    id: str
    section: str
    title: str
    quote: str
    cited_for: list[str]
    manual: bool


class CitationOut(_Strict):
    policy: str
    account: Account
    clauses: list[str]


class RuleOut(_Strict):
    id: str
    kind: str
    category: str
    severity: str
    description: str
    message: str
    fix: str
    cites: list[CitationOut]


class RuleSummaryOut(_Strict):
    id: str
    kind: str
    category: str
    severity: str
    message: str
    fix: str


class HealthOut(_Strict):
    status: Literal["ok"]
    version: str
    auth: bool
    policy: Optional[str] = None              # the default pack


class ReadyOut(_Strict):
    status: Literal["ready", "loading", "failed"]
    loaded: list[str]
    error: Optional[str] = None
