"""Helpers shared by benchmarks/quality.py and benchmarks/identifiers.py.

Data: the converted third-party sets in `../shared/eval/external/` (next to the
repository), or the folder given by --data or SOCIALSCREEN_EXTERNAL. They are
read for MEASURING only: nothing here trains or tunes anything.
"""
from __future__ import annotations

import json
import os
import platform
import socket
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"


def default_data_dir() -> Path:
    env = os.environ.get("SOCIALSCREEN_EXTERNAL")
    return Path(env) if env else REPO.parent / "shared" / "eval" / "external"


def block_network() -> None:
    """The benchmarks must not touch the network: any connection attempt raises at once
    (tldextract, used by Presidio's e-mail recognizer, would otherwise try to fetch the
    public suffix list)."""
    def _refuse(*_a, **_k):
        raise OSError("network disabled in socialscreen benchmarks")
    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse


def offline_tldextract() -> None:
    """Make Presidio's e-mail validation use tldextract's bundled suffix snapshot
    (same decision, no download, no cache files)."""
    try:
        import tldextract
    except ImportError:
        return
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = extract
    try:
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer
        email_recognizer.tldextract.extract = extract
    except ImportError:
        pass


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_set(data_dir: Path, name: str) -> list[dict]:
    path = data_dir / name / "data.jsonl"
    if not path.is_file():
        raise SystemExit(f"missing {path}: pass --data DIR (a folder laid out like ../shared/eval/external) "
                         f"or set SOCIALSCREEN_EXTERNAL")
    return read_jsonl(path)


def spread(records: list, limit: int | None) -> list:
    """`limit` records spread evenly over the list (deterministic), or all of them."""
    if not limit or limit >= len(records):
        return list(records)
    step = len(records) / limit
    return [records[int(i * step)] for i in range(limit)]


def spacy_model_name() -> str | None:
    from socialscreen.prepare.nlp import resolve_model_name
    return resolve_model_name(None)


def presidio_engine(uk: bool = False):
    """Presidio's AnalyzerEngine with its defaults, on the best installed spaCy pipeline
    (its own default, en_core_web_lg, would be downloaded at run time otherwise).
    uk=True also adds the UK recognizers Presidio ships switched off by default."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    offline_tldextract()
    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": spacy_model_name()}]}
    engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
    if uk:
        from presidio_analyzer.predefined_recognizers import (UkDrivingLicenceRecognizer, UkNinoRecognizer,
                                                              UkPassportRecognizer, UkPostcodeRecognizer,
                                                              UkVehicleRegistrationRecognizer)
        for cls in (UkNinoRecognizer, UkPostcodeRecognizer, UkPassportRecognizer, UkDrivingLicenceRecognizer,
                    UkVehicleRegistrationRecognizer):
            engine.registry.add_recognizer(cls())
    return engine


def versions(*dists: str) -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {"python": platform.python_version()}
    for d in dists:
        try:
            out[d] = version(d)
        except PackageNotFoundError:
            out[d] = None
    out["spacy_model"] = spacy_model_name()
    return out


def write_json(path: Path, payload: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def fmt(x, digits: int = 2) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def table(headers: list[str], rows: list[list], title: str | None = None) -> str:
    cells = [[fmt(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda r: "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                       for i, (c, w) in enumerate(zip(r, widths))) + " |"
    out = []
    if title:
        out.append(f"\n{title}")
    out.append(line(headers))
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out.extend(line(r) for r in cells)
    return "\n".join(out)


class Clock:
    def __init__(self):
        self.t0 = time.perf_counter()
        self.parts = {}

    def mark(self, name: str, since: float) -> None:
        self.parts[name] = round(self.parts.get(name, 0.0) + time.perf_counter() - since, 2)

    def total(self) -> float:
        return round(time.perf_counter() - self.t0, 2)


def ratio(num: int, den: int):
    return round(num / den, 4) if den else None


def eprint(*a):
    print(*a, file=sys.stderr, flush=True)


def parse_args(doc, tools, default_out, unit, argv=None):
    """The options both accuracy benchmarks take; returns (args, the tools to run)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help=f"{unit}, spread evenly (quick run)")
    ap.add_argument("--only", default=None, help="comma-separated tools to run (of: " + ", ".join(tools) + ")")
    ap.add_argument("--data", type=Path, default=None, help="folder laid out like ../shared/eval/external")
    ap.add_argument("--out", type=Path, default=default_out)
    args = ap.parse_args(argv)
    chosen = list(tools) if not args.only else [t.strip() for t in args.only.split(",") if t.strip()]
    bad = [t for t in chosen if t not in tools]
    if bad:
        ap.error(f"unknown tool(s): {', '.join(bad)}")
    return args, chosen
