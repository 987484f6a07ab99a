"""Small immutable values: Clause, Finding, Result, and the verdict rule."""
from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Optional

SEVERITIES = ("low", "medium", "high")
VERDICTS = ("pass", "review", "block")


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
        return d


def verdict_for(findings) -> str:
    """'block' if any finding is high, 'review' if any other finding, else 'pass'."""
    verdict = "pass"
    for f in findings:
        if f.severity == "high":
            return "block"
        verdict = "review"
    return verdict


@dataclass(frozen=True)
class Result:
    policy: str
    account: str
    verdict: str
    findings: tuple[Finding, ...]
    id: Optional[str] = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        d = {"verdict": self.verdict, "policy": self.policy, "account": self.account,
             "findings": [f.to_dict() for f in self.findings]}
        if self.id is not None:
            d = {"id": self.id, **d}
        if self.notes:
            d["notes"] = list(self.notes)
        return d

    def __iter__(self):
        return iter(self.findings)

    def __len__(self):
        return len(self.findings)
