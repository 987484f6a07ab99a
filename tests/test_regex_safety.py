"""Pathological input: no regular expression in the rule data backtracks catastrophically,
and the post-length limit holds (a 1 MB post is refused at once, 100 KB is screened in
bounded time).

Every pattern of every rule (`patterns`, `context.block_before` / `block_after`,
the disclaimer rule's `disclaimers`) is run, compiled as the detectors compile it,
against adversarial 10 KB strings: long runs of one character, of spaces, of digits,
word-like text that never matches, and the rule's own examples repeated with their
last character cut (almost-matches). `regex`'s own timeout stops a runaway pattern so
the test fails instead of hanging. Run with -s to see the slowest patterns.
"""
from __future__ import annotations

import os
import time

import pytest
import regex

import socialscreen
from socialscreen.matching import FLAGS
from socialscreen.rules import load_rules

SIZE = 10_000
LIMIT = 1.0           # seconds for one pattern over one 10 KB string (the slowest linear one takes ~0.3;
                      # catastrophic backtracking takes minutes)
RULES = load_rules()


def _patterns():
    seen = {}
    for rule in RULES:
        for i, p in enumerate(rule.patterns):
            seen.setdefault(p, (rule, f"{rule.id} patterns[{i}]"))
        ctx = rule.context
        if ctx is not None and ctx.block_before:
            seen.setdefault(ctx.block_before, (rule, f"{rule.id} context.block_before"))
        if ctx is not None and ctx.block_after:
            seen.setdefault(ctx.block_after, (rule, f"{rule.id} context.block_after"))
        for key, values in rule.regex_options().items():
            for i, p in enumerate(values):
                seen.setdefault(p, (rule, f"{rule.id} {key}[{i}]"))
    return [(p, rule, where) for p, (rule, where) in seen.items()]


PATTERNS = _patterns()


def _fill(unit: str) -> str:
    return (unit * (SIZE // max(1, len(unit)) + 1))[:SIZE]


GENERIC = [
    _fill("a"), _fill(" "), _fill("1"), _fill("1 "), _fill("a "), _fill("aA-"), _fill("\n"),
    _fill("Mrs Jones "), _fill("the quick brown fox jumps over the lazy dog "),
    _fill("ward bed patient care "), _fill("f*"), _fill("*"), _fill("."), _fill("@a"),
    _fill("x") + "!",
    # capitalised words then one endless lower-case word: "Drag Race" + "fuckfuck..." made a
    # name pattern with an unbounded look-ahead quadratic (6 KB took 21 s; 100 KB, hours)
    ("Drag Race" + _fill("fuck"))[:SIZE], ("Mrs Aa Bb" + _fill("a"))[:SIZE], ("Aa " + _fill("a"))[:SIZE],
]


def _near_misses(rule):
    out = []
    for ex in rule.examples_flag[:3]:
        cut = ex[:-1] if len(ex) > 1 else ex
        out.append(_fill(cut + " "))
        words = ex.split()
        out.append(_fill(" ".join(words[:-1]) + " "))         # all but the last word, over and over
    return out


TIMES: dict = {}


def _compile(pattern, rule):
    """As the detectors compile it: names patterns are case-sensitive, the others are not."""
    return regex.compile(pattern, 0 if rule.kind == "names" else FLAGS)


def _time(compiled, text, anchored=False, window=None):
    """finditer over the text; an `after_name_patterns` entry is matched where a name ends,
    so it is timed as a match at 200 places spread over the text; a context pattern
    (block_before / block_after) only ever sees the 80 characters next to a hit, so it is
    timed on 200 such windows."""
    t = time.perf_counter()
    if window:
        step = max(1, (len(text) - 80) // 200)
        for pos in range(0, max(1, len(text) - 80), step):
            compiled.search(text[pos:pos + 80], timeout=5 * LIMIT)
    elif anchored:
        deadline = t + 5 * LIMIT
        for pos in range(0, len(text), max(1, len(text) // 200)):
            compiled.match(text, pos, timeout=5 * LIMIT)
            if time.perf_counter() > deadline:
                raise TimeoutError
    else:
        for _ in compiled.finditer(text, timeout=5 * LIMIT):
            pass
    return time.perf_counter() - t


@pytest.mark.parametrize("chunk", range(4))
def test_no_catastrophic_backtracking(chunk):
    slow = []
    for n, (pattern, rule, where) in enumerate(PATTERNS):
        if n % 4 != chunk:
            continue
        compiled = _compile(pattern, rule)
        anchored = "after_name_patterns" in where       # matched only where a kept name ends
        window = "context.block_" in where
        worst = 0.0
        for text in GENERIC + _near_misses(rule):
            try:
                took = _time(compiled, text, anchored, window)
                if took > LIMIT:            # the machine is shared: re-time before blaming the pattern
                    took = min(took, _time(compiled, text, anchored, window), _time(compiled, text, anchored, window))
                worst = max(worst, took)
            except TimeoutError:
                worst = float("inf")
                break
        TIMES[where] = (worst, pattern)
        if worst > LIMIT:
            slow.append(f"{where}: {pattern!r} took {worst:.3f} s on 10 KB")
    assert not slow, "\n".join(slow)


def test_zz_report_worst_times():
    if not TIMES:
        pytest.skip("pattern timing did not run")
    ranked = sorted(TIMES.items(), key=lambda kv: -kv[1][0])
    lines = [f"{len(TIMES)} patterns timed on {len(GENERIC)}+ adversarial 10 KB strings each; slowest:"]
    for where, (t, p) in ranked[:15]:
        lines.append(f"  {t * 1000:8.1f} ms  {where}")
    lines.append(f"  median {ranked[len(ranked) // 2][1][0] * 1000:.2f} ms")
    print("\n" + "\n".join(lines))


# -- the post-length limit ---------------------------------------------------------------

@pytest.fixture(scope="module")
def screener(screeners):
    return screeners("walton-centre")


def test_one_megabyte_post_gets_a_clear_error_fast(screener):
    post = "Please chase NHS 943 476 5919 for Mrs Barnes. " * 25_000
    assert len(post) > 1_000_000
    t = time.perf_counter()
    with pytest.raises(socialscreen.ScreenInputError) as info:
        screener.screen(post)
    assert time.perf_counter() - t < 0.5
    msg = str(info.value)
    assert "max_chars" in msg and "Barnes" not in msg and "943" not in msg


def test_the_limit_is_configurable(screener, monkeypatch):
    monkeypatch.setattr(screener, "max_chars", 1000)
    with pytest.raises(socialscreen.ScreenInputError):
        screener.screen("a" * 1001)
    assert screener.screen("a" * 1000).verdict == "pass"


def _long_post(size, every=2_000):
    filler = ("The team had a lovely afternoon at the community garden and the weather held up. "
              "Volunteers planted bulbs along the path while the kettle went round twice. ")
    hostile = ["Mrs Hilda Barnes in bed 4 turned 88 today.", "NHS no 943 476 5919 chase it.",
               "what a f.u.c.k.i.n.g joke this rota is", "shiiiit pay again"]
    out, n = [], 0
    while sum(map(len, out)) < size:
        out.append(filler)
        if sum(map(len, out)) // every > n:
            n += 1
            out.append(hostile[n % len(hostile)] + " ")
    return "".join(out)[:size]


def test_hundred_kilobyte_post_in_bounded_time(screener):
    post = _long_post(100_000)
    t = time.perf_counter()
    result = screener.screen(post)
    took = time.perf_counter() - t
    print(f"\n100 KB post (a finding every ~2 KB): {took:.2f} s, {len(result.findings)} findings")
    assert took < 20
    assert result.findings
    for f in result.findings:
        assert post[f.start:f.end] == f.text


@pytest.mark.skipif(not os.environ.get("SOCIALSCREEN_LONG"), reason="long run: set SOCIALSCREEN_LONG=1")
def test_hundred_kilobyte_dense_post(screener):
    """Worst case: a candidate name, a care word and an identifier in every 50 characters."""
    post = (("Mrs Jones on the ward fuck 943 476 5919 patient ") * 2100)[:100_000]
    t = time.perf_counter()
    result = screener.screen(post)
    took = time.perf_counter() - t
    print(f"\n100 KB dense post: {took:.2f} s, {len(result.findings)} findings")
    assert took < 120


@pytest.mark.parametrize("unit", ["\U0001f600", "$", ":)", "\U0001f600a", "[", "…"])
def test_hundred_kilobytes_of_symbols_in_bounded_time(screener, unit):
    """spaCy's tokenizer is quadratic in a run of prefix/suffix symbols with no space
    (8,000 emoji took 8 s, 100,000 would take ~10 minutes); normalisation breaks such runs."""
    post = (unit * (100_000 // len(unit)))[:100_000]
    t = time.perf_counter()
    screener.screen(post)
    took = time.perf_counter() - t
    assert took < 15, f"{unit!r} * 100,000 took {took:.1f} s"


@pytest.mark.parametrize("text", [
    "1 2 3 4 5 6 " + "a " * 50_000, ("a " * 10 + "1 ") * 8_000, "1 " * 50_000, "a." * 50_000,
    "one " * 25_000, "A " * 50_000, "x1y " * 25_000, "aaab" * 25_000, "9." * 50_000,
    "943 " * 25_000, "\u0430" * 100_000, "f.u." * 25_000, "sh1t" * 25_000,
])
def test_normalisation_is_linear(text):
    """text.py's own passes on 100 KB adversarial input (each runs in well under a second)."""
    from socialscreen.prepare import normalise

    t = time.perf_counter()
    normalise(text[:100_000])
    assert time.perf_counter() - t < 3.0
