"""The learned context layer: shipped as data, scored per sentence, combined with the rules in
decide.py only, switchable per pack and per Screener, reproducible from the repository."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import socialscreen
from socialscreen.data import patterns_dir

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_model_loads_with_its_card():
    folder = patterns_dir() / "models" / "context"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert (folder / "CARD.md").read_text(encoding="utf-8").startswith("# Model card")
    assert set(meta["thresholds"]) == set(meta["categories"]) | set(meta.get("post_categories", ()))
    size = sum(p.stat().st_size for p in (patterns_dir() / "models").rglob("*") if p.is_file())
    assert size <= 25 * 1024 * 1024


def test_scores_are_probabilities_per_sentence(screeners):
    s = screeners("b3")
    model = s.context_model
    prepared = s.preparer.prepare([socialscreen.Post.build("First one here. Second one there! Third?")])[0]
    scores = model.score(prepared.analysis, "personal")
    assert len(scores) == 3
    for sc in scores:
        assert set(sc.scores) == set(model.categories) and all(0.0 <= p <= 1.0 for p in sc.scores.values())


def test_rules_alone_when_asked():
    a = socialscreen.Screener("b3", context=None)
    b = socialscreen.Screener("b3", model="none")
    assert a.context_model is None and b.context_model is None
    assert a.decider.model is None and b.decider.model is None


def test_a_model_finding_says_what_decided_it(screeners):
    s = screeners("b3")
    text = "they breed like rabbits and expect us to pay for it"
    findings = [f for f in s.screen(text).findings if f.detector == "model"]
    for f in findings:
        assert f.rule.startswith("model.") and "context model" in f.why and f.clauses
        assert text[f.start:f.end] == f.text


def test_a_pack_can_switch_the_layer_off_for_a_category(tmp_path):
    own = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), own)
    pack = own / "packs" / "b3.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + "\ncontext_model:\n  exclude: [work_grievance, disparagement]\n",
                    encoding="utf-8")
    s = socialscreen.Screener("b3", patterns_dir=str(own))
    assert "work_grievance" not in s.decider.model_rules and "disparagement" not in s.decider.model_rules
    assert "offensive_language" in s.decider.model_rules


def test_the_layer_only_ever_adds_clauses_the_pack_has(screeners):
    s = screeners("stass")
    r = s.screen("Proud of my ward today, we are a brilliant team", account="official")
    assert all(f.clauses for f in r.findings)


@pytest.mark.skipif(not (ROOT.parent / "shared" / "train").is_dir(), reason="../shared/train is not here")
def test_training_reproduces_the_shipped_model():
    """`python -m training.train --check` from this checkout gives the shipped weights, bit for bit."""
    pytest.importorskip("sklearn")
    proc = subprocess.run([sys.executable, "-m", "training.train", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    assert proc.returncode == 0 and "shipped model reproduced" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]


def _patterns_with_post_bias(tmp_path, bias):
    """A copy of the shipped patterns whose whole-post score for missing_disclaimer is forced."""
    own = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), own)
    meta_path = own / "models" / "context" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["post_bias"] = [bias for _ in meta["post_categories"]]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return own


def test_the_whole_post_layer_adds_a_missing_disclaimer_only_where_it_applies(tmp_path):
    own = _patterns_with_post_bias(tmp_path, 30.0)          # the layer is sure every post is tied to work
    text = "Great catch-up with the team this morning"
    walton = socialscreen.Screener("walton-centre", patterns_dir=str(own))
    found = [f for f in walton.screen(text, account="personal").findings if f.category == "missing_disclaimer"]
    assert len(found) == 1
    f = found[0]
    assert (f.start, f.end, f.text) == (0, 0, "") and f.rule == "model.missing-disclaimer"   # nothing to point at
    assert "context model" in f.why and [c.id for c in f.clauses] == ["5.1/do-disclaimer"]
    # a disclaimer in the post or the profile, an official account, a pack without the clause: nothing
    assert not [f for f in walton.screen(text + ". Views my own", account="personal").findings
                if f.category == "missing_disclaimer"]
    assert not [f for f in walton.screen(text, account="personal", profile="Nurse. Opinions mine.").findings
                if f.category == "missing_disclaimer"]
    assert not [f for f in walton.screen(text, account="official").findings if f.category == "missing_disclaimer"]
    stass = socialscreen.Screener("stass", patterns_dir=str(own))
    assert not [f for f in stass.screen(text, account="personal").findings if f.category == "missing_disclaimer"]


def test_personal_account_alone_is_not_a_disclaimer():
    """training/LABELING-NOTES.md note 18: "personal account" on its own does not count."""
    s = socialscreen.Screener("walton-centre", context=None)
    r = s.screen("Long shift on the ward today, shattered", account="personal", profile="Personal account")
    assert any(f.category == "missing_disclaimer" for f in r.findings)


def test_the_whole_post_layer_adds_an_unconsented_image_only_with_an_attachment(tmp_path):
    own = _patterns_with_post_bias(tmp_path, 30.0)          # the layer is sure of every post
    s = socialscreen.Screener("stass", patterns_dir=str(own))
    text = "Lovely afternoon at the centre"
    photo = [{"type": "image", "alt_text": "A man smiling in an armchair"}]
    assert not [f for f in s.screen(text).findings if f.category == "unconsented_image"]      # nothing attached
    found = [f for f in s.screen(text, attachments=photo).findings if f.category == "unconsented_image"]
    assert len(found) == 1
    f = found[0]
    assert (f.start, f.end, f.text, f.attachment) == (0, 0, "", 0) and f.rule == "model.unconsented-image"
    assert "context model" in f.why and f.clauses
    # consent stated in the post or in the alt text: nothing
    assert not [f for f in s.screen(text + ", shared with his permission", attachments=photo).findings
                if f.category == "unconsented_image"]
    consented = [{"type": "image", "alt_text": "A man smiling in an armchair (with permission)"}]
    assert not [f for f in s.screen(text, attachments=consented).findings if f.category == "unconsented_image"]
    # the layer off for the category in a pack: nothing
    assert not [f for f in socialscreen.Screener("stass", patterns_dir=str(own), context=None)
                .screen(text, attachments=photo).findings if f.category == "unconsented_image"]


def test_concept_features_pair_a_group_with_what_is_said_of_it():
    from socialscreen.models.features import Concepts, featurise
    c = Concepts({"group": ["muslims", "women"], "group:religion_belief": ["muslims"], "hostile": ["hate", "can't stand"],
                  "negation": ["never"], "praise": ["good"]})
    assert "k:group&hostile" in c.features(["i", "hate", "muslims"])
    assert "k:group:religion_belief&hostile" in c.features(["i", "can't", "stand", "muslims"])   # two-word entry
    assert "k:group&negation&praise" in c.features(["women", "are", "never", "any", "good"])
    assert not [f for f in c.features(["i", "hate", "mondays"]) if "&" in f]
    plain = featurise("I hate Muslims", 18)
    with_concepts = featurise("I hate Muslims", 18, concepts=c)
    assert len(with_concepts[0]) > len(plain[0])


def test_the_shipped_model_reads_hostility_at_any_group_not_at_mondays(screeners):
    s = screeners("stass")

    def score(text):
        prepared = s.preparer.prepare([socialscreen.Post.build(text)])[0]
        return max(x.scores["discriminatory_language"] for x in s.context_model.score(prepared.analysis, "personal"))

    hostile = ["Honestly I can't stand disabled people", "Immigrants make me sick", "Old people are a waste of space"]
    friendly = ["Honestly I can't stand Monday mornings", "I love my Muslim neighbours", "Proud of our Deaf volunteers"]
    assert min(map(score, hostile)) > max(map(score, friendly)) + 0.1
    model = ROOT / "patterns" / "models" / "context" / "concepts.json"
    tags = json.loads(model.read_text(encoding="utf-8"))
    assert {"group", "hostile", "violence", "exclude", "negation", "praise"} <= set(tags)
