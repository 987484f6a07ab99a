"""How a comms tool embeds socialscreen: load once, screen on every pause in typing.

    python examples/embed.py
"""
import json

import socialscreen

# Build once (loads the pack, the rules and the spaCy model); share it between threads.
screener = socialscreen.Screener(policy="walton-centre")

draft = "Mrs Hilda Barnes in bed 4 on Lipton turned 88 today and the whole bay sang to her"
result = screener.screen(draft, account="personal", profile="Staff nurse. Views my own.")

print(f"verdict: {result.verdict}")
for f in result.findings:
    clauses = ", ".join(f"{c.policy} {c.id}" for c in f.clauses)
    print(f"  {f.category:26} {f.start:>3}-{f.end:<3} {f.text!r}  ({f.severity}; {clauses})")
    print(f"      {f.message}")

# Everything is JSON-serialisable through one call:
print(json.dumps(result.to_dict())[:200], "...")

# Batches stream in order, one spaCy pass per post (nlp.pipe):
drafts = [{"id": "a", "text": "Lovely day for the bake sale"},
          {"id": "b", "text": "CONFIDENTIAL: redundancies planned for March, don't share"}]
for r in screener.screen_many(drafts):
    print(r.id, r.verdict, [f.category for f in r.findings])
