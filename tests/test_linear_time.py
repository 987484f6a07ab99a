"""Issue 11, class 3: screening time grows linearly with the post's length, for every
detector, on adversarial posts that repeat a phrase every detector hits (a post without a
sentence break is one window). Times are measured with time.perf_counter, but the test
asserts on the fitted growth exponent (slope of log time against log length), never on
a wall-clock threshold: linear growth fits about 1 (measured 0.8-1.25 on 8,000-64,000
characters), the old gate that rescanned the window for every hit fitted 1.8 ("Mrs Aa Bb
patient" repeated: 4x the length took 11x the time)."""
from __future__ import annotations

import math
import time

import pytest

PHRASES = {
    "title and name near a care word": "Mrs Aa Bb patient ",
    "name in bed with an NHS number": "Hilda Barnes in bed 4 NHS 943 476 5919 ",
    "age and condition": "the 88 year old lady with dementia on the ward ",
    "grievance": "management are useless and the rota is a joke ",
    "profanity and slurs": "fucking retard staff nurse ",
    "disparagement": "our service users are thick idiots ",
    "confidential": "confidential do not share the restructure plans ",
}
SIZES = (8_000, 16_000, 32_000, 64_000)


def _time(screener, text) -> float:
    best = math.inf
    for _ in range(2):
        t = time.perf_counter()
        screener.screen(text)
        best = min(best, time.perf_counter() - t)
    return best


def growth_exponent(screener, phrase) -> tuple[float, list]:
    xs, ys, times = [], [], []
    for n in SIZES:
        text = (phrase * (n // len(phrase) + 1))[:n]
        took = _time(screener, text)
        times.append(took)
        xs.append(math.log(n))
        ys.append(math.log(max(took, 1e-6)))
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return slope, times


@pytest.mark.parametrize("name", list(PHRASES))
def test_time_grows_linearly_with_post_length(screeners, name):
    screener = screeners("walton-centre")
    screener.screen("warm up " * 10)
    slope, times = growth_exponent(screener, PHRASES[name])
    print(f"\n{name}: exponent {slope:.2f}; " + ", ".join(f"{n}: {t:.3f} s" for n, t in zip(SIZES, times)))
    assert slope < 1.5, (name, slope, times)
