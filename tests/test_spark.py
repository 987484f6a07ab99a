"""socialscreen.spark on a real local Spark session (Java from Debian, pyspark from PyPI): the
same results as screen_many on the same posts, other columns kept, errors as rows, nothing dropped."""
from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
    if os.environ.get("CI"):
        pytest.fail("Java is needed in CI for the Spark test (.ci/run installs default-jre-headless)",
                    allow_module_level=True)
    pytest.skip("no Java for Spark", allow_module_level=True)
if os.environ.get("CI"):
    import pyspark  # noqa: F401
else:
    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")

from socialscreen.spark import screen_column  # noqa: E402

POSTS = [
    ("p1", "Lovely to see Mrs Hilda Barnes in bed 4 today, NHS number 943 476 5919", "personal", 1),
    ("p2", "Proud of the team at the fun run today, thank you to everyone who came!", "personal", 2),
    ("p3", "What a fucking awful rota this week", "official", 3),
    ("p4", None, "personal", 4),                                   # null text: an error row
    ("p5", "x" * 3000, "personal", 5),                             # too long for max_chars: an error row
    ("p6", "Anyone else find the new rota a total shambles? Management are useless", "personal", 6),
    ("p7", "<script>alert(1)</script> Call 07700 900123 about Doreen's discharge", "official", 7),
]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("socialscreen-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def frame(spark):
    return spark.createDataFrame(POSTS, "post_id string, body string, acct string, n int").repartition(3)


def expected(screeners):
    s = screeners("walton-centre", max_chars=2000)
    recs = [{"id": i, "text": t, "account": a} for i, t, a, _ in POSTS]
    return {r.id: r for r in s.screen_many(recs, errors="return")}


def test_per_post_matches_screen_many(spark, screeners):
    out = screen_column(frame(spark), "body", policy="walton-centre", id_col="post_id", account_col="acct",
                        max_chars=2000, output="posts").collect()
    assert len(out) == len(POSTS)
    want = expected(screeners)
    by_id = {r["post_id"]: r for r in out}
    assert set(by_id) == {p[0] for p in POSTS}
    for pid, row in by_id.items():
        w = want[pid]
        assert row["n"] == next(p[3] for p in POSTS if p[0] == pid)            # other columns kept
        if getattr(w, "error", None):
            assert row["ss_error"] == w.error and row["ss_verdict"] is None
        else:
            assert row["ss_error"] is None and row["ss_verdict"] == w.verdict
            assert json.loads(row["ss_findings"]) == json.loads(json.dumps([f.to_dict() for f in w.findings]))
            assert row["ss_n_findings"] == len(w.findings)
    assert by_id["p1"]["ss_verdict"] == "block"
    assert by_id["p4"]["ss_error"] and by_id["p5"]["ss_error"]


def test_per_finding_rows_keep_every_post(spark, screeners):
    out = screen_column(frame(spark), "body", policy="walton-centre", id_col="post_id", account_col="acct",
                        max_chars=2000, output="findings").collect()
    want = expected(screeners)
    n_expected = sum(max(1, len(w.findings)) for w in want.values())
    assert len(out) == n_expected
    got = sorted((r["post_id"], r["ss_rule"] or "", r["ss_start"] or 0) for r in out)
    exp = sorted((pid, f.rule, f.start) for pid, w in want.items() for f in w.findings) + \
        [(pid, "", 0) for pid, w in want.items() if not w.findings]
    assert got == sorted(exp)
    assert {r["post_id"] for r in out} == {p[0] for p in POSTS}


def test_bad_arguments_fail_on_the_driver(spark):
    df = frame(spark)
    with pytest.raises(ValueError):
        screen_column(df, "nope", policy="walton-centre")
    with pytest.raises(ValueError):
        screen_column(df, "body", policy="walton-centre", output="rows")
    import socialscreen
    with pytest.raises(socialscreen.SocialScreenError):
        screen_column(df, "body", policy="no-such-pack")
