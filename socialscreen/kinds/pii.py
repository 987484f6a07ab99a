"""The pii kind: Presidio's recognizers (UK registry: NHS number with its checksum,
NI number, postcode, UK phone, e-mail, dates) plus the rules' own patterns.

Recognizers are called directly on the normalised text: socialscreen does its
own context gating (care context, staff context) from the rule data, so the
analyzer's NLP engine and context enhancer are not needed, and the pattern
recognizers work with or without a spaCy model.
"""
from __future__ import annotations

from ..matching import ContextGate, Prefilter, compiled
from ..values import Hit
from .options import Option


def _recognizer(entity: str):
    if entity == "UK_NHS":
        from presidio_analyzer.predefined_recognizers.country_specific.uk.uk_nhs_recognizer import NhsRecognizer
        return NhsRecognizer()
    if entity == "UK_NINO":
        from presidio_analyzer.predefined_recognizers.country_specific.uk.uk_nino_recognizer import UkNinoRecognizer
        return UkNinoRecognizer()
    if entity == "UK_POSTCODE":
        from presidio_analyzer.predefined_recognizers.country_specific.uk.uk_postcode_recognizer import UkPostcodeRecognizer
        return UkPostcodeRecognizer()
    if entity == "UK_PASSPORT":
        from presidio_analyzer.predefined_recognizers.country_specific.uk.uk_passport_recognizer import UkPassportRecognizer
        return UkPassportRecognizer()
    if entity == "UK_DRIVING_LICENCE":
        from presidio_analyzer.predefined_recognizers.country_specific.uk.uk_driving_licence_recognizer import UkDrivingLicenceRecognizer
        return UkDrivingLicenceRecognizer()
    if entity == "PHONE_NUMBER":
        from presidio_analyzer.predefined_recognizers.generic.phone_recognizer import PhoneRecognizer
        return PhoneRecognizer(supported_regions=("GB",))
    if entity == "EMAIL_ADDRESS":
        return _offline_email_recognizer()
    if entity == "DATE_TIME":
        from presidio_analyzer.predefined_recognizers.generic.date_recognizer import DateRecognizer
        return DateRecognizer()
    raise ValueError(f"unsupported Presidio entity {entity!r}; use one of {', '.join(ENTITIES)}")


def _offline_email_recognizer():
    """Presidio's e-mail recognizer validates domains with tldextract, which by default
    downloads the public suffix list and caches it on disk. Use tldextract's bundled
    snapshot instead: no network, no cache files."""
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic.email_recognizer import EmailRecognizer

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    extract("example.org")         # build the suffix trie now, not in the first screen() call

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str):
            return extract(pattern_text).fqdn != ""

    return OfflineEmailRecognizer()


ENTITIES = ("UK_NHS", "UK_NINO", "UK_POSTCODE", "UK_PASSPORT", "UK_DRIVING_LICENCE",
            "PHONE_NUMBER", "EMAIL_ADDRESS", "DATE_TIME")


# The fewest digits each entity can contain (an NHS number has 10; a UK phone number
# at least 9 after its leading 0 or +44 ...): posts with fewer skip that recognizer.
MIN_DIGITS = {"UK_NHS": 10, "PHONE_NUMBER": 9, "UK_NINO": 6, "UK_PASSPORT": 9, "UK_DRIVING_LICENCE": 6,
              "UK_POSTCODE": 1, "DATE_TIME": 1}


class PiiDetector:
    name = "pii"
    OPTIONS = (
        Option("entities", "choices", (), "Presidio recognizers to run (checksums, formats)", choices=ENTITIES),
        Option("score", "number", 0.0, "the lowest Presidio score kept"),
    )

    def __init__(self, rules):
        self.rules = list(rules)
        self.recognizers = {}
        self.compiled = []
        for rule in self.rules:
            entities = list(rule.options.get("entities", ()))
            for entity in entities:
                if entity not in self.recognizers:
                    self.recognizers[entity] = _recognizer(entity)
            min_score = float(rule.options.get("score", 0.0))
            patterns = [compiled(p) for p in rule.patterns]
            self.compiled.append((rule, entities, min_score, patterns, ContextGate(rule.context)))
        # one literal prefilter over every rule's patterns (see prefilter.py)
        self._pattern_index = [(ri, pi) for ri, c in enumerate(self.compiled) for pi in range(len(c[3]))]
        self.prefilter = Prefilter([self.compiled[ri][0].patterns[pi] for ri, pi in self._pattern_index])

    def detect(self, analysis):
        text = analysis.text
        found = {}
        out = []
        digits = sum(c.isdigit() for c in text)
        live = {self._pattern_index[i] for i in self.prefilter.candidates(text)}
        for ri, (rule, entities, min_score, patterns, gate) in enumerate(self.compiled):
            candidates = []
            for entity in entities:
                if entity not in found:
                    # skip a recognizer that cannot match: too few digits in the post, or no "@"
                    if (entity == "EMAIL_ADDRESS" and "@" not in text) or digits < MIN_DIGITS.get(entity, 0):
                        found[entity] = []
                    else:
                        found[entity] = self.recognizers[entity].analyze(text, [entity], None)
                for r in found[entity]:
                    if r.score >= min_score:
                        candidates.append((r.start, r.end, r.score, f"Presidio {entity}"
                                           + (" (checksum valid)" if entity == "UK_NHS" else "")))
            for pi, p in enumerate(patterns):
                if (ri, pi) not in live:
                    continue
                for m in p.finditer(text):
                    s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                    if e > s:
                        candidates.append((s, e, rule.confidence, "pattern"))
            # one span per stretch of text: a candidate inside a longer one of the same rule goes
            # ("May 2021" inside "12 May 2021" from a rule's shorter pattern)
            candidates = _outermost(candidates)
            seen = set()
            for start, end, score, why in candidates:
                if (start, end) in seen:
                    continue
                seen.add((start, end))
                ok, ctx = gate.check(analysis, start, end)
                if ok:
                    out.append(Hit(rule, start, end, max(score, rule.confidence) if why == "pattern" else
                                   min(1.0, max(score, rule.confidence)), why + (f"; {ctx}" if ctx else "")))
        return out


def _outermost(candidates):
    """Candidates not inside a longer one, in one sweep (a long post may hold thousands): in order
    of start, longest first, a candidate ending within the furthest end so far is inside an
    earlier one. Identical spans are kept (the first of them wins later, as before)."""
    out, reach, last = [], -1, None
    for c in sorted(candidates, key=lambda c: (c[0], -c[1])):
        if c[1] <= reach and (c[0], c[1]) != last:
            continue
        out.append(c)
        if c[1] > reach:
            reach = c[1]
        last = (c[0], c[1])
    return out
