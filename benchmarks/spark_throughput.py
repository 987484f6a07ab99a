"""Posts per second of socialscreen.spark.screen_column on a local Spark session at 1 and 2
workers (local[1], local[2]), next to Screener.screen_many in this process, in one run.

    .venv/bin/python benchmarks/spark_throughput.py [--posts 2000] [--workers 1 2]

Tweet-length posts of benchmarks/corpus.py; each session first screens a few posts so every
Python worker has built its Screener, then the timed pass writes every per-post row to Spark's
`noop` sink. Writes benchmarks/results/spark_throughput.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--policy", default="walton-centre")
    args = ap.parse_args(argv)
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    import socialscreen
    from socialscreen.spark import screen_column

    posts = corpus.build("tweet", args.posts)
    s = socialscreen.Screener(args.policy)
    list(s.screen_many(posts[:50]))
    t0 = time.perf_counter()
    n = sum(1 for _ in s.screen_many(posts, errors="return"))
    lib = n / (time.perf_counter() - t0)
    out = {"posts": args.posts, "cpus": os.cpu_count(), "library_screen_many_posts_per_s": round(lib, 1)}
    print(f"library screen_many (1 process): {lib:.0f} posts/s")
    for w in args.workers:
        spark = (SparkSession.builder.master(f"local[{w}]").appName("socialscreen-bench")
                 .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                 .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        rows = [(str(i), p) for i, p in enumerate(posts)]
        warm = spark.createDataFrame(rows[: 8 * w], "id string, text string").repartition(w)
        screen_column(warm, policy=args.policy, id_col="id").write.format("noop").mode("overwrite").save()
        df = spark.createDataFrame(rows, "id string, text string").repartition(2 * w).cache()
        df.count()
        t0 = time.perf_counter()
        screen_column(df, policy=args.policy, id_col="id").write.format("noop").mode("overwrite").save()
        rate = args.posts / (time.perf_counter() - t0)
        out[f"spark_local_{w}_posts_per_s"] = round(rate, 1)
        print(f"spark local[{w}]: {rate:.0f} posts/s ({rate / lib:.0%} of the library in one process)")
        spark.stop()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "spark_throughput.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
