"""Never crash, never mis-point: property tests over hostile Unicode.

`Screener.screen()` returns a Result or raises a SocialScreenError (ScreenInputError for
bad input); every finding satisfies 0 <= start < end <= len(text) and
text[start:end] == finding.text, except attachment findings, which are zero-width at
the start (start == end == 0, text "") and name their attachment.

The inputs mix arbitrary Unicode with rule examples (so findings actually occur and
their spans are checked) and evasion tricks. The long run is benchmarks/fuzz.py.
Run with -s to see how many inputs were tried.
"""
import os
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import socialscreen
from socialscreen.rules import load_rules
from socialscreen.prepare import normalise

RULES = load_rules()
EXAMPLES = sorted({ex for r in RULES for ex in r.examples_flag})

HOSTILE = [
    "\x00", "\x01", "\x07", "\x1b", "\x7f", "\t", "\n", "\r\n", "\x0b", "\x0c", "\u0085",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f",
    "\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u200e",      # bidi overrides and marks
    "\u0301", "\u0308", "\u20dd", "\u0336",                           # combining marks
    "e\u0301", "\u0644\u0627", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627",  # RTL
    "\U0001f600", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f1ec\U0001f1e7",
    "\u2764\ufe0f", "\U0001f44d\U0001f3fd",                           # emoji, ZWJ, flags, skin tone
    "\ud800", "\udfff", "\udc00\ud800",                               # lone surrogates
    "\U000e0041", "\U000e007f",                                       # tag characters
    "ｆｕｃｋ", "ꜰ", "ß", "ﬁ", "\u2126", "\u212a", "İ", "ŉ", "ǅ", "\u1e9e",  # case/width oddities
    "\uffff", "\U0010ffff", "\ufffd", "\u3164", "\u115f",
    " ", "   ", ".", "-", "*", "/", "@", "#", "'", '"',
    "943 476 5919", "nine four three four seven six five nine one nine", "9.4.3.4.7.6.5.9.1.9",
    "Mrs Jones", "bed 4", "ward", "f.u.c.k", "fuuuuck", "sh1t", "L9 7LJ", "QQ123456C",
]


def _tricks(s):
    """A few evasion transforms of an example (see tests/test_evasion.py for the full set)."""
    return [s, s.upper(), s.replace("o", "о").replace("a", "а"), "\u200b".join(s),
            "".join(c + "\u0301" if c.isalpha() else c for c in s), s.replace("i", "1")]


fragments = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(codec=None, categories=None), max_size=10),
    st.sampled_from(HOSTILE),
    st.sampled_from(EXAMPLES).flatmap(lambda e: st.sampled_from(_tricks(e))),
)
posts = st.lists(fragments, max_size=12).map("".join)

SEEN = {"inputs": 0, "findings": 0, "errors": 0}


@pytest.fixture(scope="module")
def screener(screeners):
    return screeners("walton-centre")


def check_result(text, result, attachments=()):
    assert isinstance(result, socialscreen.Result)
    assert result.verdict in ("pass", "review", "block")
    for f in result.findings:
        if f.attachment is not None or f.rule == "model.missing-disclaimer":
            assert f.start == f.end == 0 and f.text == "", f      # an attachment's, or a disclaimer the post lacks
            assert f.attachment is None or 0 <= f.attachment < len(attachments)
            continue
        assert 0 <= f.start < f.end <= len(text), (f.start, f.end, len(text))
        assert text[f.start:f.end] == f.text
    SEEN["findings"] += len(result.findings)
    result.to_dict()


def screen_checked(screener, text, **kw):
    SEEN["inputs"] += 1
    try:
        result = screener.screen(text, **kw)
    except socialscreen.SocialScreenError as exc:
        SEEN["errors"] += 1
        assert text not in str(exc) or len(text) < 3
        return None
    check_result(text, result, kw.get("attachments") or ())
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(posts, st.sampled_from(["personal", "official"]))
def test_never_crash_never_mispoint(screener, text, account):
    screen_checked(screener, text, account=account)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(posts, st.one_of(st.none(), posts), st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(["image", "video"]), "alt_text": posts}), max_size=2))
def test_profile_and_attachments(screener, text, profile, attachments):
    screen_checked(screener, text, profile=profile, attachments=attachments)


@settings(max_examples=300, deadline=None)
@given(posts)
def test_normalise_offsets_exact(text):
    n = normalise(text)
    assert len(n.origin) == len(n.text) + 1
    assert list(n.origin) == sorted(n.origin)
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
    if n.text:
        assert n.to_original(0, len(n.text))[1] <= len(text)
        # a point past the end stays inside the text
        a, b = n.to_original(len(n.text), len(n.text))
        assert 0 <= a <= b <= len(text)


@pytest.mark.parametrize("text", ["", " ", "\n\n\t ", "\x00", "\x00" * 50, "\u200b" * 20, "\ud800",
                                  "\U0001f600" * 500, "\u0301" * 300, "\u202e" + "kcuf",
                                  "a" * 5000, "." * 5000, "f." * 3000, "9 " * 3000,
                                  "nine " * 2000, "Mrs " * 2000, "1" * 10000])
def test_edge_posts(screener, text):
    screen_checked(screener, text)


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"], {"text": "x"}])
def test_not_a_string_is_an_input_error(screener, bad):
    with pytest.raises(socialscreen.ScreenInputError):
        screener.screen(bad)


def test_bad_account_and_profile_are_input_errors(screener):
    with pytest.raises(socialscreen.ScreenInputError):
        screener.screen("hello", account="secret-draft-text")
    with pytest.raises(socialscreen.ScreenInputError):
        screener.screen("hello", profile=3)


def test_one_megabyte_post_is_refused_quickly(screener):
    post = ("Mrs Hilda Barnes 943 476 5919 " * 40000)[:1_000_000]
    t = time.perf_counter()
    with pytest.raises(socialscreen.ScreenInputError) as info:
        screener.screen(post)
    assert time.perf_counter() - t < 1.0
    assert "Hilda" not in str(info.value) and "943" not in str(info.value)
    SEEN["inputs"] += 1


def test_random_mix_many_posts(screener):
    """A seeded batch through screen_many, each result checked, and the same as screen()."""
    rng = random.Random(5)
    texts = []
    for _ in range(150):
        parts = [rng.choice(HOSTILE) if rng.random() < 0.4 else rng.choice(EXAMPLES) for _ in range(rng.randint(0, 5))]
        texts.append("".join(parts))
    results = list(screener.screen_many(texts))
    for text, res in zip(texts, results):
        SEEN["inputs"] += 1
        check_result(text, res)
    for text, res in list(zip(texts, results))[:40]:
        assert screener.screen(text).to_dict() == res.to_dict()


# -- concurrency: one Screener shared by 8 threads ----------------------------------------

def _thread_posts(n, seed=8):
    """Rule examples (flag and pass) and generated posts mixing them with hostile text."""
    rng = random.Random(seed)
    pool = sorted({ex for r in RULES for ex in (*r.examples_flag, *r.examples_pass)})
    posts = []
    while len(posts) < n:
        if rng.random() < 0.5:
            posts.append(pool[len(posts) % len(pool)])
        else:
            parts = [rng.choice(pool) if rng.random() < 0.6 else rng.choice(HOSTILE)
                     for _ in range(rng.randint(1, 4))]
            posts.append(" ".join(parts))
    return posts


def _thread_consistency(screener, n):
    from concurrent.futures import ThreadPoolExecutor

    posts = _thread_posts(n)
    accounts = ["official" if i % 7 == 0 else "personal" for i in range(n)]
    t = time.perf_counter()
    single = [screener.screen(p, account=a, id=str(i)).to_dict() for i, (p, a) in enumerate(zip(posts, accounts))]
    t_single = time.perf_counter() - t

    def work(k):
        # threads interleave their posts; even threads use screen(), odd ones screen_many()
        idx = list(range(k, n, 8))
        if k % 2:
            items = [{"text": posts[i], "account": accounts[i], "id": str(i)} for i in idx]
            return idx, [r.to_dict() for r in screener.screen_many(items, batch_size=16)]
        return idx, [screener.screen(posts[i], account=accounts[i], id=str(i)).to_dict() for i in idx]

    t = time.perf_counter()
    threaded = [None] * n
    with ThreadPoolExecutor(max_workers=8) as pool:
        for idx, results in pool.map(work, range(8)):
            for i, r in zip(idx, results):
                threaded[i] = r
    t_threads = time.perf_counter() - t
    differ = [i for i in range(n) if threaded[i] != single[i]]
    n_findings = sum(len(r["findings"]) for r in single)
    print(f"\nthreads: {n} posts, 8 threads vs 1: {n - len(differ)} identical, {len(differ)} differ; "
          f"{n_findings} findings; single {t_single:.1f} s, threaded {t_threads:.1f} s")
    SEEN["inputs"] += 2 * n
    assert not differ, f"{len(differ)} posts differ, e.g. {posts[differ[0]]!r}"


def test_eight_threads_match_one_thread(screener):
    _thread_consistency(screener, 2_000)


@pytest.mark.skipif(not os.environ.get("SOCIALSCREEN_LONG"), reason="long run: set SOCIALSCREEN_LONG=1")
def test_eight_threads_match_one_thread_10k(screener):
    _thread_consistency(screener, 10_000)


def test_zz_report_count():
    print(f"\nfuzz: {SEEN['inputs']} inputs screened, {SEEN['findings']} findings checked, "
          f"{SEEN['errors']} input errors")
    assert SEEN["inputs"] > 0
