"""The training corpus the project owns: labelled in the LABELING.md format, varied (no two posts
share a run of eight words), and large enough to learn from."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from training.overlap import overlapping_pairs, read

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "training" / "data").glob("*.jsonl"))
VALIDATE = ROOT.parent / "shared" / "eval" / "validate.py"


def test_no_two_posts_share_a_run_of_eight_words():
    pairs = list(overlapping_pairs(read(FILES), 8))
    assert not pairs, pairs[:10]


def test_ids_are_unique_and_the_mix_is_right():
    posts = list(read(FILES))
    ids = [p["id"] for p in posts]
    assert len(ids) == len(set(ids))
    assert len(posts) >= 4800
    clean = sum(not p["expect"] for p in posts) / len(posts)
    assert 0.35 <= clean <= 0.5
    assert {p["policy"] for p in posts} == {"stass", "focus", "community-group", "walton-centre", "b3"}
    assert sum(p.get("account") == "official" for p in posts) / len(posts) > 0.2
    assert all(a.get("type") in ("image", "video") for p in posts for a in p.get("attachments") or [])


@pytest.mark.skipif(not VALIDATE.is_file(), reason="../shared/eval/validate.py is not here")
def test_every_file_passes_the_validator():
    proc = subprocess.run([sys.executable, str(VALIDATE), *map(str, FILES)], capture_output=True, text=True)
    assert proc.returncode == 0 and " 0 malformed" in proc.stdout, proc.stdout[-2000:]


def test_the_overlap_checker_finds_a_shared_run(tmp_path):
    a = {"id": "a", "text": "one two three four five six seven eight nine"}
    b = {"id": "b", "text": "zero one two three four five six seven eight"}
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(a) + "\n" + json.dumps(b) + "\n", encoding="utf-8")
    assert [(x, y) for x, y, _ in overlapping_pairs(read([path]))] == [("a", "b")]
