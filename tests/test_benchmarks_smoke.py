"""The two accuracy benchmarks run end to end on a few records and write the JSON they promise.

Always on tiny made-up sets laid out like ../shared/eval/external (so CI needs nothing else);
also on the real sets with --limit when ../shared is present. alt-profanity-check is an optional
peer (the `bench` extra): when it is missing, quality.py skips its column and says so.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "eval" / "external"


def _write(root: Path, name: str, records: list) -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    with open(root / name / "data.jsonl", "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")


@pytest.fixture(scope="module")
def tiny_sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("external")
    _write(root, "toxic_spans_semeval2021", [
        {"id": "ts-1", "text": "What a stupid idea, you idiot.", "split": "trial", "spans": [[7, 13, "TOXIC"], [24, 29, "TOXIC"]]},
        {"id": "ts-2", "text": "This is crap and everyone knows it.", "split": "trial", "spans": [[8, 12, "TOXIC"]]},
        {"id": "ts-3", "text": "Rude, all of it.", "split": "trial", "spans": []},
        {"id": "ts-4", "text": "Not in the trial split, you moron.", "split": "train", "spans": [[28, 33, "TOXIC"]]},
    ])
    _write(root, "hatecheck", [
        {"id": "hc-1", "text": "I hate all of them, they are vermin.", "label": "hateful", "functionality": "derog_dehum_h", "spans": []},
        {"id": "hc-2", "text": "We welcome everyone here.", "label": "non-hateful", "functionality": "ident_pos_nh", "spans": []},
        {"id": "hc-3", "text": "Saying 'they are vermin' is hateful and wrong.", "label": "non-hateful", "functionality": "counter_quote_nh", "spans": []},
        {"id": "hc-4", "text": "Fucking brilliant gig last night.", "label": "non-hateful", "functionality": "profanity_nh", "spans": []},
        {"id": "hc-5", "text": "They are all v e r m i n.", "label": "hateful", "functionality": "spell_space_add_h", "spans": []},
    ])
    _write(root, "jigsaw_bias_madlibs", [
        {"id": "ml-1", "text": "hug teacher", "label": "non_toxic", "spans": []},
        {"id": "ml-2", "text": "Sam is a disgusting person", "label": "toxic", "spans": []},
        {"id": "ml-3", "text": "Sam is a kind person", "label": "non_toxic", "spans": []},
    ])
    _write(root, "presidio_analyzer_tests", [
        {"id": "p-1", "text": "221 395 1837", "entity": "UK_NHS", "label": "positive", "spans": [[0, 12, "UK_NHS"]]},
        {"id": "p-2", "text": "401-023-2138", "entity": "UK_NHS", "label": "negative", "spans": []},
        {"id": "p-3", "text": "M1 1AA", "entity": "UK_POSTCODE", "label": "positive", "spans": [[0, 6, "UK_POSTCODE"]]},
    ])
    _write(root, "scrubadub_tests", [
        {"id": "scrubadub-x", "text": "My NI number is AZ 12 34 56 A", "label": "positive",
         "spans": [[16, 29, "NATIONAL_INSURANCE_NUMBER"]]},
        {"id": "scrubadub-postcode-1", "text": "this is a 456 test string", "label": "negative", "spans": []},
    ])
    _write(root, "uk_identifier_vectors", [
        {"id": "v-1", "text": "9990000018", "entity": "UK_NHS", "label": "valid", "spans": [[0, 10, "UK_NHS"]]},
        {"id": "v-2", "text": "1234567890", "entity": "UK_NHS", "label": "invalid", "spans": []},
    ])
    return root


def _run(script: str, data: Path, out: Path, *extra: str) -> dict:
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), "--limit", "3", "--data", str(data),
                           "--out", str(out), *extra], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "time taken" in proc.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def _check_quality(res: dict) -> None:
    assert {"benchmark", "tools", "skipped", "sets", "results", "targets", "socialscreen_config", "seconds"} <= set(res)
    assert res["socialscreen_config"]["policy"] == "b3" and res["socialscreen_config"]["account"] == "personal"
    assert "socialscreen" in res["tools"] and "better-profanity" in res["tools"]
    ts, hc, ml = (res["results"][k] for k in ("toxic_spans", "hatecheck", "madlibs"))
    for tool in res["tools"]:
        assert {"span_recall", "span_precision", "semeval_f1", "post_recall"} <= set(ts[tool])
        assert {"hateful_recall", "nonhateful_flagged_excl_profanity", "counter_speech_flagged", "spell_recall",
                "functionalities"} <= set(hc[tool])
        assert {"nontoxic_flagged", "toxic_recall"} <= set(ml[tool])
    if "alt-profanity-check" in res["tools"]:
        assert ts["alt-profanity-check"]["span_recall"] is None        # it has no spans
    else:
        assert "alt-profanity-check" in res["skipped"]


def _check_identifiers(res: dict) -> None:
    assert {"benchmark", "tools", "by_type", "overall", "templates", "control", "cases_used", "seconds"} <= set(res)
    assert res["tools"] == ["socialscreen", "presidio", "presidio+uk"]
    for typ, row in res["by_type"].items():
        assert {"valid_values", "invalid_values", "socialscreen", "presidio"} <= set(row)
        assert {"found", "false_alarms"} <= set(row["socialscreen"])
    assert {"found", "false_alarms"} <= set(res["overall"]["all"]["presidio"])


def test_quality_on_tiny_sets(tiny_sets, tmp_path):
    res = _run("quality.py", tiny_sets, tmp_path / "q.json")
    _check_quality(res)
    assert res["sets"]["toxic_spans"][1] == 3           # the trial records only
    assert res["results"]["toxic_spans"]["better-profanity"]["span_recall"] > 0


def test_quality_only_socialscreen(tiny_sets, tmp_path):
    res = _run("quality.py", tiny_sets, tmp_path / "q.json", "--only", "socialscreen")
    assert res["tools"] == ["socialscreen", "socialscreen+disparagement", "socialscreen, discriminatory only"]  # + diagnostics
    assert res["skipped"] == {}


def test_identifiers_on_tiny_sets(tiny_sets, tmp_path):
    res = _run("identifiers.py", tiny_sets, tmp_path / "i.json")
    _check_identifiers(res)
    assert res["cases_used"] == 3


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/eval/external is not present")
def test_both_on_the_real_sets(tmp_path):
    _check_quality(_run("quality.py", SHARED, tmp_path / "q.json"))
    _check_identifiers(_run("identifiers.py", SHARED, tmp_path / "i.json"))
