"""The Python API: results as in the contract, spans that point into the text."""
import json
import threading

import pytest

import socialscreen
from socialscreen import ScreenInputError
from socialscreen.rules import load_rules

POSTS = [
    "Mrs Eileen Jones in bed 6 was asking for you again, DOB 12/04/1956, NHS no 943 476 5919",
    "What a shit shift. Management don't care about us at all.",
    "CONFIDENTIAL: board papers attached, do not share",
    "Proud of my ward at the Walton Centre today, what a team",
    "Call our confidential helpline on 0800 123 4567",
    "",
    "   ",
    "🎉🎉 Congratulations Sister Angela on your retirement! 💙",
    "Ｆｕｃｋ this",
    "f\u200bu\u200bc\u200bk this",
]


def _check_invariants(text, result):
    assert result.verdict in ("pass", "review", "block")
    for f in result.findings:
        if f.attachment is not None or f.rule == "model.missing-disclaimer":
            assert f.start == f.end == 0 and f.text == ""      # an attachment's, or a disclaimer the post lacks
            continue
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.text
        assert f.severity in ("low", "medium", "high")
        assert 0 <= f.confidence <= 1
        assert f.clauses, "no clause, no finding"
        for c in f.clauses:
            assert c.policy and c.id and c.section and c.title and c.quote
    starts = [f.start for f in result.findings]
    assert starts == sorted(starts)


@pytest.mark.parametrize("policy", ["stass", "focus", "community-group", "walton-centre", "b3"])
def test_span_invariant_on_posts_and_every_rule_example(policy, screeners):
    s = screeners(policy)
    texts = POSTS + [ex for r in load_rules() for ex in r.examples_flag + r.examples_pass]
    for text in texts:
        for account in ("personal", "official"):
            _check_invariants(text, s.screen(text, account=account))


def test_result_is_json_serialisable(screeners):
    result = screeners("walton-centre").screen(POSTS[0])
    d = result.to_dict()
    assert json.loads(json.dumps(d))["verdict"] == "block"
    f = d["findings"][0]
    for key in ("category", "start", "end", "text", "severity", "confidence", "message", "detector", "clauses"):
        assert key in f
    assert set(f["clauses"][0]) >= {"policy", "id", "section", "title", "quote"}


def test_identifiers_found_with_clauses(screeners):
    result = screeners("walton-centre").screen(POSTS[0])
    cats = {f.category for f in result.findings}
    assert cats - {"missing_disclaimer"} == {"service_user_identifier"}     # a nurse's post: tied to work
    texts = {f.text for f in result.findings}
    assert "943 476 5919" in texts and "12/04/1956" in texts
    assert all(c.section == "5.1" for f in result.findings for c in f.clauses)


def test_no_clause_no_finding_for_disclaimer(screeners):
    post = POSTS[3]
    walton = screeners("walton-centre")
    assert any(f.category == "missing_disclaimer" for f in walton.screen(post).findings)
    assert not any(f.category == "missing_disclaimer" for f in walton.screen(post, account="official").findings)
    assert not any(f.category == "missing_disclaimer"
                   for f in walton.screen(post, profile="Nurse. Views my own.").findings)
    assert not any(f.category == "missing_disclaimer" for f in screeners("stass").screen(post).findings)


def test_clean_posts_pass(screeners):
    s = screeners("walton-centre")
    for text in (POSTS[4], POSTS[5], POSTS[6], POSTS[7], "Lovely walk through Scunthorpe today"):
        assert s.screen(text, profile="views my own").verdict == "pass", text


def test_obfuscation_is_mapped_back_to_the_original(screeners):
    s = screeners("walton-centre")
    for text in POSTS[8:]:
        result = s.screen(text)
        off = [f for f in result.findings if f.category == "offensive_language"]
        assert off, text
        assert text[off[0].start:off[0].end] == off[0].text


def test_screen_many_keeps_order_and_matches_screen(screeners):
    s = screeners("b3")
    posts = POSTS * 5
    many = list(s.screen_many(posts, batch_size=7))
    assert [r.to_dict() for r in many] == [s.screen(p).to_dict() for p in posts]
    recs = list(s.screen_many([{"id": "a", "text": POSTS[1]}, {"id": "b", "text": POSTS[4], "account": "official"}]))
    assert [r.id for r in recs] == ["a", "b"] and recs[1].account == "official"


def test_bad_input_raises_the_documented_error(screeners):
    s = screeners("b3")
    with pytest.raises(ScreenInputError):
        s.screen(None)
    with pytest.raises(ScreenInputError):
        s.screen("x", account="corporate")
    small = socialscreen.Screener("b3", max_chars=10)
    with pytest.raises(ScreenInputError, match="limit"):
        small.screen("x" * 11)


def test_one_off_convenience():
    assert socialscreen.screen("what the fuck", policy="b3").verdict in ("review", "block")


def test_threads_get_the_same_results(screeners):
    s = screeners("walton-centre")
    posts = POSTS * 20
    expected = [s.screen(p).to_dict() for p in posts]
    out = [None] * len(posts)

    def work(k):
        for i in range(k, len(posts), 4):
            out[i] = s.screen(posts[i]).to_dict()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == expected


def test_rule_selection_and_disable(screeners):
    only = socialscreen.Screener("walton-centre", rules=["pii"])
    assert {r.family for r in only.rules} == {"pii"}
    off = socialscreen.Screener("walton-centre", disable=["offensive"])
    assert not any(r.family == "offensive" for r in off.rules)


def test_runs_without_any_model():
    s = socialscreen.Screener("walton-centre", model="none")
    result = s.screen(POSTS[0])
    assert any(f.text == "943 476 5919" for f in result.findings)
    assert result.notes and "name" in result.notes[0]


def test_community_group_takes_an_organisation_name():
    s = socialscreen.Screener("community-group", organisation={"name": "Hope Cafe", "aliases": ["Hope Cafe"]})
    assert "Hope Cafe" in s.pack.organisation.names()


def test_worker_processes_keep_order_and_shut_down(screeners):
    import multiprocessing

    s = screeners("walton-centre")
    posts = POSTS * 10
    assert [r.to_dict() for r in s.screen_many(posts, n_process=2, batch_size=8)] == \
        [r.to_dict() for r in s.screen_many(posts)]
    assert not multiprocessing.active_children()
    # a consumer that stops early ends the pool
    it = s.screen_many(posts, n_process=2, batch_size=4)
    next(it)
    it.close()
    assert not multiprocessing.active_children()
    # an error in a worker reaches the caller, and the pool is gone
    with pytest.raises(ScreenInputError):
        list(s.screen_many(posts[:5] + [None] + posts, n_process=2, batch_size=4))
    assert not multiprocessing.active_children()
