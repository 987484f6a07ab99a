"""Growth of screening time with post length on adversarial repeated phrases (the phrases of
tests/test_linear_time.py): prints the time per length and the fitted exponent (1 is linear).

    .venv/bin/python benchmarks/growth.py 8000,16000,32000,64000 [PHRASE NAME ...]
"""
import sys, time, math
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import socialscreen
from test_linear_time import PHRASES
s = socialscreen.Screener("walton-centre")
s.screen("warm up")
sizes = [int(x) for x in sys.argv[1].split(",")]
names = sys.argv[2:] or list(PHRASES)
for name in names:
    ph = PHRASES[name]
    out = []
    for n in sizes:
        text = (ph * (n // len(ph) + 1))[:n]
        best = 1e9
        for _ in range(2):
            t = time.perf_counter(); s.screen(text); best = min(best, time.perf_counter() - t)
        out.append(best)
    xs = [math.log(n) for n in sizes]; ys = [math.log(t) for t in out]
    mx, my = sum(xs)/len(xs), sum(ys)/len(ys)
    slope = sum((x-mx)*(y-my) for x, y in zip(xs, ys))/sum((x-mx)**2 for x in xs)
    print(f"{name}: exponent {slope:.2f}; " + ", ".join(f"{n}: {t:.3f}s" for n, t in zip(sizes, out)), flush=True)
