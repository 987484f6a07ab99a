"""Screen a Spark DataFrame column (the `spark` extra: pip install 'socialscreen[spark]').

    from socialscreen.spark import screen_column
    out = screen_column(df, "text", policy="walton-centre", id_col="post_id", output="posts")

Each executor's Python worker builds one `Screener` (per pack and options) the first time it
screens, and reuses it for every later partition (`mapInPandas`; Spark reuses Python workers).
Every input row comes out, with all its columns:

- output="posts": one row per input row, plus `ss_verdict` (pass/review/block, null on error),
  `ss_findings` (the findings as the JSON array of `check --format json`), `ss_n_findings` and
  `ss_error` (why the row could not be screened, else null; never the post's text).
- output="findings": one row per finding, plus `ss_verdict`, `ss_error` and the finding's
  `ss_category`, `ss_start`, `ss_end`, `ss_text`, `ss_severity`, `ss_confidence`, `ss_rule`,
  `ss_message`, `ss_clauses` (JSON); a row with no finding, or an error, gives one row whose
  finding columns are null. Nothing is dropped.

Options: `account` ("personal"/"official") or `account_col`, `profile` or `profile_col`,
`policy_col` (an installed pack id per row; its own Screener), `model`, `context`, `max_chars`.
"""
from __future__ import annotations

import json
from typing import Optional

OUTPUTS = ("posts", "findings")
_SCREENERS: dict = {}          # in each Python worker: (policy, model, context, max_chars) -> Screener


def _screener(policy, model, context, max_chars):
    key = (policy, model, context, max_chars)
    s = _SCREENERS.get(key)
    if s is None:
        from .screener import Screener
        s = _SCREENERS[key] = Screener(policy, model=model, context=context, max_chars=max_chars)
    return s


def _added_fields(output):
    from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField
    if output == "posts":
        return [StructField("ss_verdict", StringType()), StructField("ss_findings", StringType()),
                StructField("ss_n_findings", IntegerType()), StructField("ss_error", StringType())]
    return [StructField("ss_verdict", StringType()), StructField("ss_error", StringType()),
            StructField("ss_category", StringType()), StructField("ss_start", IntegerType()),
            StructField("ss_end", IntegerType()), StructField("ss_text", StringType()),
            StructField("ss_severity", StringType()), StructField("ss_confidence", DoubleType()),
            StructField("ss_rule", StringType()), StructField("ss_message", StringType()),
            StructField("ss_clauses", StringType())]


def screen_column(df, text_col: str = "text", *, policy: str, output: str = "posts",
                  id_col: Optional[str] = None, account: str = "personal", account_col: Optional[str] = None,
                  profile: Optional[str] = None, profile_col: Optional[str] = None,
                  policy_col: Optional[str] = None, model: Optional[str] = None,
                  context: Optional[str] = "context", max_chars: int = 100_000, batch_size: int = 64):
    """The DataFrame with screening columns added (see the module's doc)."""
    from pyspark.sql.types import StructType

    from .packs import pack_paths
    from .values import account_value

    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(OUTPUTS)}")
    for col in (text_col, id_col, account_col, profile_col, policy_col):
        if col is not None and col not in df.columns:
            raise ValueError(f"no column {col!r}; the DataFrame has: {', '.join(df.columns)}")
    clash = [c for c in df.columns if c.startswith("ss_")]
    if clash:
        raise ValueError(f"the columns {', '.join(clash)} would be overwritten: rename them first")
    account = account_value(account)
    installed = set(pack_paths())
    _screener(policy, model, context, max_chars)          # a bad policy or model fails here, on the driver
    schema = StructType(list(df.schema.fields) + _added_fields(output))
    names = list(df.columns)

    def run(batches):
        import itertools

        import pandas as pd

        from .values import RecordError
        for pdf in batches:
            records, packs = [], []
            for row in pdf.itertuples(index=False, name=None):
                r = dict(zip(names, row))
                rec = {"text": _none(r[text_col])}
                if id_col is not None and _none(r[id_col]) is not None:
                    rec["id"] = str(r[id_col])
                rec["account"] = _none(r[account_col]) if account_col else account
                prof = _none(r[profile_col]) if profile_col else profile
                if prof is not None:
                    rec["profile"] = prof
                p = _none(r[policy_col]) if policy_col else None
                p = policy if p is None else p
                if p != policy and p not in installed:
                    rec = RecordError(rec.get("id"), "the row's policy is not an installed pack id", code="unknown_policy")
                    p = policy
                records.append(rec)
                packs.append(p)
            results = []
            for p, group in itertools.groupby(zip(packs, records), key=lambda x: x[0]):
                s = _screener(p, model, context, max_chars)
                results.extend(s.screen_many([x for _, x in group], errors="return", batch_size=batch_size))
            rows = []
            for src, res in zip(pdf.itertuples(index=False, name=None), results):
                err = res.error if isinstance(res, RecordError) else None
                verdict = None if err else res.verdict
                found = [] if err else [f.to_dict() for f in res.findings]
                if output == "posts":
                    rows.append(src + (verdict, json.dumps(found, ensure_ascii=False), len(found), err))
                elif not found:
                    rows.append(src + (verdict, err) + (None,) * 9)
                else:
                    for f in found:
                        rows.append(src + (verdict, None, f["category"], f["start"], f["end"], f["text"],
                                           f["severity"], float(f["confidence"]), f["rule"], f["message"],
                                           json.dumps(f["clauses"], ensure_ascii=False)))
            out = pd.DataFrame.from_records(rows, columns=schema.fieldNames())
            for col in ("ss_n_findings", "ss_start", "ss_end"):
                if col in out:
                    out[col] = out[col].astype("Int32")
            yield out

    return df.mapInPandas(run, schema)


def _none(value):
    """pandas' missing values (None, NaN, NaT, pd.NA) as None."""
    try:
        import pandas as pd
        if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
            return None
    except (TypeError, ValueError):
        pass
    return value
