"""UK identifiers in care-context sentences (issue 10's identifier benchmark):
socialscreen next to Presidio's AnalyzerEngine with its defaults, in one run.

    .venv/bin/python benchmarks/identifiers.py              # everything (well under a minute)
    .venv/bin/python benchmarks/identifiers.py --limit 20   # 20 cases spread evenly over the list

Cases: the identifier values in three peer test suites (from ../shared/eval/external, or --data /
SOCIALSCREEN_EXTERNAL; measuring only): presidio_analyzer_tests, scrubadub_tests and
uk_identifier_vectors. Each value, valid or invalid as its suite labels it, is placed in every
care-context sentence in TEMPLATES below (plus one sentence that names the identifier's kind,
LABELLED), and each tool screens every sentence.

  found        (valid values) a tool's hit overlaps the value
  false alarm  (invalid values) a tool's hit overlaps the value

  socialscreen       Screener(policy="b3"), account="personal": a service_user_identifier finding
  presidio           AnalyzerEngine() defaults, language "en", on the best installed spaCy pipeline:
                     any entity, any score
  presidio+uk        the same plus the UK recognizers Presidio ships switched off (NINO, postcode,
                     passport, driving licence, vehicle registration): for reference only

A control row places neutral words (NEUTRAL) in the same sentences: a "hit" there shows a template
on its own is flagged where the value would sit.

Deterministic, no network (connections are refused), writes benchmarks/results/identifiers.json.
"""
from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

POLICY, ACCOUNT, CATEGORY = "b3", "personal", "service_user_identifier"
TOOLS = ["socialscreen", "presidio", "presidio+uk"]

# Care-context sentences; {value} is replaced by the identifier exactly as the suite wrote it.
TEMPLATES = [
    "Please chase the referral for the patient on Ward 4, {value}.",
    "Lovely lady we support at the day centre, her details are {value} if the GP surgery rings back",
    "Can someone from the community team call our service user ({value}) before Friday?",
    "Discharged home this afternoon after a long stay with us: {value} - fingers crossed for him!",
    "Note for the night shift: resident in room 12 is {value}, please hand over at 8.",
]
# One more sentence per identifier kind that names the kind (as staff usually write it).
LABELLED = "The client we visit on Tuesdays, {label} {value}, needs a new care plan"
LABELS = {
    "UK_NHS": "NHS number", "UK_NHS_FORMAT_REJECTED": "NHS number", "UK_NINO": "NI number", "UK_POSTCODE": "postcode", "UK_PASSPORT": "passport no.",
    "UK_DRIVING_LICENCE": "driving licence", "UK_VEHICLE_REGISTRATION": "car reg", "UK_TAX_REFERENCE": "tax ref",
    "EMAIL": "email", "PHONE_UK": "phone", "PHONE_NON_UK": "phone", "DATE_OF_BIRTH": "DOB",
    "NAME": "name:", "ADDRESS": "address:",
}
NEUTRAL = ["as discussed", "the usual team", "see the handover sheet"]
UK_TYPES = ("UK_NHS", "UK_NHS_FORMAT_REJECTED", "UK_NINO", "UK_POSTCODE", "UK_PASSPORT", "UK_DRIVING_LICENCE", "UK_VEHICLE_REGISTRATION",
            "UK_TAX_REFERENCE", "PHONE_UK", "DATE_OF_BIRTH", "ADDRESS")

# Suite entity names -> this benchmark's identifier types (None: left out, see SKIPPED_WHY).
PRESIDIO_TYPES = {"UK_NHS": "UK_NHS", "UK_NINO": "UK_NINO", "UK_POSTCODE": "UK_POSTCODE",
                  "UK_PASSPORT": "UK_PASSPORT", "UK_DRIVING_LICENCE": "UK_DRIVING_LICENCE",
                  "UK_VEHICLE_REGISTRATION": "UK_VEHICLE_REGISTRATION", "EMAIL_ADDRESS": "EMAIL",
                  "PHONE_NUMBER": "PHONE", "DATE_TIME": "DATE_OF_BIRTH"}
SCRUBADUB_TYPES = {"NATIONAL_INSURANCE_NUMBER": "UK_NINO", "TAX_REFERENCE_NUMBER": "UK_TAX_REFERENCE",
                   "DRIVERS_LICENCE": "UK_DRIVING_LICENCE", "DATE_OF_BIRTH": "DATE_OF_BIRTH",
                   "POSTCODE": "UK_POSTCODE", "PHONE": "PHONE", "EMAIL": "EMAIL", "NAME": "NAME",
                   "ADDRESS": "ADDRESS"}
SKIPPED_WHY = {
    "presidio IBAN_CODE, CREDIT_CARD, IP_ADDRESS, URL": "not personal identifiers of a UK service user",
    "presidio DATE_TIME with a time of day, and its negatives": "timestamps, and word-boundary tests with no value",
    "scrubadub CREDIT_CARD, SOCIAL_SECURITY_NUMBER (US), USERNAME, PASSWORD, SKYPE, TWITTER, URL":
        "not UK service-user identifiers (credentials are confidential_information)",
    "scrubadub negatives other than postcodes": "negative only because a detector was switched off, or no value",
    "uk_identifier_vectors cases given as int": "an int drops the leading zero; the string form is kept",
    "a value labelled both valid and invalid for the same type": "kept as valid only (9876543210: valid "
                                                                 "checksum, invalid only by a region rule)",
}
# Text around a negative case's value in the suites (removed to get the value itself).
NEGATIVE_WRAPPERS = [r"^nino:\s*", r"^This isn't a valid national insurance number\s+", r"^my email is\s+",
                     r"^this is not an email:\s*", r"^this is a\s+", r"\s+test string$"]


def _phone_type(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+44") or (digits.startswith("0") and len(digits) == 11 and digits[1] in "1237"):
        return "PHONE_UK"
    return "PHONE_NON_UK"


def _strip_negative(text: str) -> str:
    value = text.strip()
    for pat in NEGATIVE_WRAPPERS:
        value = re.sub(pat, "", value)
    return value.strip()


def _dob_value(text: str, a: int, b: int) -> str:
    """scrubadub's DoB spans carry that tool's quirks ('on 22/11/1972'; '1979' for 02.12.1979):
    take the whole date token(s) without a leading 'on '."""
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    while b < len(text) and not text[b].isspace() and text[b] not in ".,":
        b += 1
    if b < len(text) - 1 and text[b] == "." and not text[b + 1].isspace():
        b += 1
    return re.sub(r"^on\s+", "", text[a:b].strip())


def collect_cases(data_dir: Path) -> tuple[list[dict], list[dict]]:
    """Return (cases, conflicts). A case: {type, value, valid, sources}."""
    raw = []
    for r in C.load_set(data_dir, "presidio_analyzer_tests"):
        typ = PRESIDIO_TYPES.get(r.get("entity"))
        if typ is None:
            continue
        if r["label"] == "positive":
            for a, b, _lab in r["spans"]:
                value = r["text"][a:b].strip()
                if typ == "DATE_OF_BIRTH" and "T" in value:
                    continue
                raw.append((typ, value, True, r["id"]))
        elif typ != "DATE_OF_BIRTH":
            raw.append((typ, _strip_negative(r["text"]), False, r["id"]))
    for r in C.load_set(data_dir, "scrubadub_tests"):
        if r["label"] == "positive":
            for a, b, lab in r["spans"]:
                typ = SCRUBADUB_TYPES.get(lab)
                if typ is None:
                    continue
                value = _dob_value(r["text"], a, b) if typ == "DATE_OF_BIRTH" else r["text"][a:b].strip()
                raw.append((typ, value, True, r["id"]))
        elif r["id"].startswith("scrubadub-postcode-"):
            raw.append(("UK_POSTCODE", _strip_negative(r["text"]), False, r["id"]))
    for r in C.load_set(data_dir, "uk_identifier_vectors"):
        if r.get("value_was_int"):
            continue
        valid = r["label"] in ("valid", "format_ok")
        # format_rejected: nhs-number's layout test (odd grouping, 9 or 11 digits, letters); kept apart,
        # because some are checksum-valid numbers written oddly (01 2345 6789)
        typ = "UK_NHS_FORMAT_REJECTED" if r["label"] == "format_rejected" else r["entity"]
        raw.append((typ, r["text"].strip(), valid, r["id"]))

    cases, index = [], {}
    for typ, value, valid, src in raw:
        if typ == "PHONE":
            typ = _phone_type(value)
        if not value:
            continue
        key = (typ, value, valid)
        if key in index:
            index[key]["sources"].append(src)
            continue
        index[key] = {"type": typ, "value": value, "valid": valid, "sources": [src]}
        cases.append(index[key])
    conflicts = [c for c in cases if not c["valid"] and (c["type"], c["value"], True) in index]
    cases = [c for c in cases if c not in conflicts]
    return cases, [{"type": c["type"], "value": c["value"], "sources": c["sources"]} for c in conflicts]


def placements(case: dict) -> list[tuple[str, int, int, str]]:
    """(sentence, start, end, template id) for every template."""
    out = []
    temps = [(f"T{i + 1}", t) for i, t in enumerate(TEMPLATES)]
    temps.append(("LABELLED", LABELLED.replace("{label}", LABELS.get(case["type"], "ref"))))
    for tid, t in temps:
        pre, post = t.split("{value}")
        out.append((pre + case["value"] + post, len(pre), len(pre) + len(case["value"]), tid))
    return out


# -- tools: each maps a list of sentences to a list of hit-span lists ------------------------------
def build_socialscreen():
    import socialscreen
    screener = socialscreen.Screener(policy=POLICY)

    def run(texts):
        return [[(f.start, f.end) for f in r.findings if f.category == CATEGORY]
                for r in screener.screen_many(({"id": str(i), "text": t} for i, t in enumerate(texts)),
                                              account=ACCOUNT)]
    return run


def build_presidio(uk=False):
    engine = C.presidio_engine(uk=uk)

    def run(texts):
        return [[(h.start, h.end, h.entity_type) for h in engine.analyze(text=t, language="en")] for t in texts]
    return run


BUILDERS = {"socialscreen": build_socialscreen, "presidio": build_presidio,
            "presidio+uk": lambda: build_presidio(uk=True)}


def overlaps(spans, a, b) -> bool:
    return any(s < b and a < e for s, e, *_ in spans)


def score(cases, sentences, hits_by_tool, tools):
    """Per type and overall: valid placements found, invalid placements hit."""
    per = defaultdict(lambda: {t: [0, 0, 0, 0] for t in tools})   # type -> tool -> [found, valid, hit, invalid]
    values = defaultdict(lambda: [0, 0])                            # type -> [valid values, invalid values]
    per_template = defaultdict(lambda: {t: [0, 0] for t in tools})  # template -> tool -> [found, valid]
    for case in cases:
        values[case["type"]][0 if case["valid"] else 1] += 1
    misses = {t: [] for t in tools}
    alarms = {t: [] for t in tools}
    for (ci, sent, a, b, tid) in sentences:
        case = cases[ci]
        for tool in tools:
            hit = overlaps(hits_by_tool[tool][sent], a, b)
            cell = per[case["type"]][tool]
            if case["valid"]:
                cell[0] += hit
                cell[1] += 1
                per_template[tid][tool][0] += hit
                per_template[tid][tool][1] += 1
                if not hit:
                    misses[tool].append([case["type"], case["value"], tid])
            else:
                cell[2] += hit
                cell[3] += 1
                if hit:
                    alarms[tool].append([case["type"], case["value"], tid])

    def summary(cells):
        out = {}
        for tool in tools:
            f = sum(c[tool][0] for c in cells)
            v = sum(c[tool][1] for c in cells)
            h = sum(c[tool][2] for c in cells)
            i = sum(c[tool][3] for c in cells)
            out[tool] = {"found": C.ratio(f, v), "found_n": [f, v], "false_alarms": C.ratio(h, i),
                         "false_alarms_n": [h, i]}
        return out

    by_type = {}
    for typ in sorted(per):
        by_type[typ] = {"valid_values": values[typ][0], "invalid_values": values[typ][1], **summary([per[typ]])}
    overall = {"all": summary(list(per.values())),
               "uk_types": summary([per[t] for t in per if t in UK_TYPES])}
    templates = {tid: {tool: {"found": C.ratio(*v[tool]), "found_n": v[tool]} for tool in tools}
                 for tid, v in sorted(per_template.items())}
    return by_type, overall, templates, misses, alarms


def main(argv=None):
    args, tools = C.parse_args(__doc__, TOOLS, C.RESULTS / "identifiers.json", "cases", argv)
    C.block_network()
    clock = C.Clock()

    all_cases, conflicts = collect_cases(args.data or C.default_data_dir())
    cases = C.spread(all_cases, args.limit)
    sentences = [(ci, s, a, b, tid) for ci, case in enumerate(cases) for (s, a, b, tid) in placements(case)]
    control = [(t.replace("{value}", n), t.index("{value}"), t.index("{value}") + len(n))
               for t in TEMPLATES for n in NEUTRAL]
    texts = sorted({s for _ci, s, *_ in sentences} | {s for s, _a, _b in control})

    hits_by_tool = {}
    for tool in tools:
        t0 = time.perf_counter()
        run = BUILDERS[tool]()
        clock.mark(f"{tool}:load", t0)
        t0 = time.perf_counter()
        hits_by_tool[tool] = dict(zip(texts, run(texts)))
        clock.mark(f"{tool}:screen", t0)

    by_type, overall, templates, misses, alarms = score(cases, sentences, hits_by_tool, tools)
    control_hits = {tool: [s for s, a, b in control if overlaps(hits_by_tool[tool][s], a, b)] for tool in tools}
    payload = {
        "benchmark": "identifiers",
        "command": "python benchmarks/identifiers.py" + (f" --limit {args.limit}" if args.limit else "")
                   + (f" --only {args.only}" if args.only else ""),
        "socialscreen_config": {"policy": POLICY, "account": ACCOUNT, "category": CATEGORY},
        "presidio_config": "AnalyzerEngine defaults, language 'en', spaCy model " + str(C.spacy_model_name())
                           + "; any entity overlapping the value counts",
        "tools": tools,
        "limit": args.limit,
        "templates": TEMPLATES + [LABELLED],
        "labels": LABELS,
        "cases_total": len(all_cases),
        "cases_used": len(cases),
        "sentences": len(texts),
        "uk_types": list(UK_TYPES),
        "by_type": by_type,
        "overall": overall,
        "by_template": templates,
        "control": {"neutral_words": NEUTRAL, "placements": len(control),
                    "hit": {t: len(v) for t, v in control_hits.items()}, "hit_sentences": control_hits},
        "misses": misses,
        "false_alarm_cases": alarms,
        "cases": cases,
        "conflicts_dropped": conflicts,
        "skipped": SKIPPED_WHY,
        "versions": C.versions("socialscreen", "presidio-analyzer", "spacy"),
        "seconds_by_part": clock.parts,
    }
    payload["seconds"] = clock.total()
    out = C.write_json(args.out, payload)

    print(f"\nsocialscreen: policy '{POLICY}', account '{ACCOUNT}', a {CATEGORY} finding overlapping the value. "
          f"presidio: {payload['presidio_config']}.")
    print(f"{len(cases)} cases ({sum(c['valid'] for c in cases)} valid, {sum(not c['valid'] for c in cases)} invalid)"
          f" x {len(TEMPLATES) + 1} sentences = {len(sentences)} placements")
    headers = ["type", "valid", "invalid"]
    for tool in tools:
        headers += [f"{tool} found", f"{tool} false alarms"]
    rows = []
    for typ, v in by_type.items():
        r = [typ + ("" if typ in UK_TYPES else " (not UK-specific)"), v["valid_values"], v["invalid_values"]]
        for tool in tools:
            r += [v[tool]["found"], v[tool]["false_alarms"]]
        rows.append(r)
    for name, label in (("uk_types", "overall, UK types"), ("all", "overall, all types")):
        r = [label, sum(by_type[t]["valid_values"] for t in by_type if name == "all" or t in UK_TYPES),
             sum(by_type[t]["invalid_values"] for t in by_type if name == "all" or t in UK_TYPES)]
        for tool in tools:
            r += [overall[name][tool]["found"], overall[name][tool]["false_alarms"]]
        rows.append(r)
    print(C.table(headers, rows, "Per identifier type: found = share of valid placements with a hit on the value; "
                                 "false alarms = share of invalid placements with a hit on the value (n/a: none)"))
    trows = [[tid] + [templates[tid][tool]["found"] for tool in tools] for tid in templates]
    print(C.table(["template (valid values)"] + [f"{t} found" for t in tools], trows, "Found, per sentence template"))
    print("\ncontrol (neutral words in the same sentences, a hit where the value sits): "
          + ", ".join(f"{t} {len(v)}/{len(control)}" for t, v in control_hits.items()))
    print(f"\ntime taken: {payload['seconds']:.1f} s   ({', '.join(f'{k} {v:.1f}s' for k, v in clock.parts.items())})")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
