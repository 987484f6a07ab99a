"""The HTML report a comms officer reads without help: a summary first (what was screened,
under which policy, posts by verdict, findings by kind of problem and by clause, with bars),
then every flagged post in full with its problems highlighted in place, each explained in plain
words with the policy's own text and what to do; filters by verdict and by kind of problem;
clean posts folded away. One self-contained file: no script, no network, every piece of post
text escaped (the filters are CSS)."""
from __future__ import annotations

import datetime
import html
from collections import Counter

LABELS = {
    "service_user_identifier": "Identifies someone we support",
    "confidential_information": "Confidential information",
    "offensive_language": "Offensive language",
    "discriminatory_language": "Discriminatory language",
    "missing_disclaimer": "Missing \u201cviews are my own\u201d",
    "work_grievance": "Work grievance in public",
    "disparagement": "Belittles or attacks someone",
    "unconsented_image": "Image without consent",
}
VERDICT_WORDS = {"block": "Do not publish", "review": "Check before publishing", "pass": "Fine to publish",
                 "error": "Could not be screened"}

CSS = """
body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;max-width:64em;margin:1.5em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}.meta{color:#444;margin-top:0}
.cards{display:flex;gap:.8em;flex-wrap:wrap;margin:1em 0}
.card{border:2px solid #ccc;border-radius:.4em;padding:.5em 1em;min-width:9em}
.card b{display:block;font-size:1.8em}.v-block.card{border-color:#b00020}.v-review.card{border-color:#8a5a00}
.v-pass.card{border-color:#1d6b2c}.v-error.card{border-color:#555}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{padding:.2em .6em;text-align:left;vertical-align:top}
.bar{display:inline-block;height:.8em;background:#3c5a99;vertical-align:middle}
input[type=radio]+label{margin-right:1em;white-space:nowrap}
.post{border:1px solid #bbb;border-left-width:6px;border-radius:.3em;padding:.6em 1em;margin:1em 0}
.post.v-block{border-left-color:#b00020}.post.v-review{border-left-color:#8a5a00}.post.v-error{border-left-color:#555}
.post h3{margin:.1em 0 .4em;font-size:1.05em}.verdict{font-weight:bold}
.text{white-space:pre-wrap;background:#f6f6f6;padding:.6em;border-radius:.3em;overflow-wrap:anywhere}
mark{background:#ffe08a;padding:0 .1em;border-bottom:2px solid #8a5a00}
mark sup{font-size:.7em;color:#5a3a00}
ol.findings li{margin:.4em 0}.says{margin:.2em 0 .2em 1em;color:#333;border-left:3px solid #ccc;padding-left:.6em}
.fix{margin:.2em 0 .2em 1em}.fix::before{content:"What to do: ";font-weight:bold}
details.clean{margin:1em 0}
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


class HtmlReport:
    """Collects results (with each post's text, when the caller gives it) and writes one page."""

    wants_post = True

    def __init__(self, out, *, title="socialscreen report", meta=None):
        self.out, self.title, self.meta = out, title, dict(meta or {})
        self.rows = []

    def write(self, rec, post=None):
        text = getattr(post, "text", None) if post is not None else None
        span_of = getattr(post, "span_of", None)
        if span_of is not None and rec.get("findings"):
            # the post is shown redacted: the highlights go where each span now stands
            shown = []
            for f in rec["findings"]:
                s, e = span_of(f)
                shown.append({**f, "start": s, "end": e})
            rec = {**rec, "findings": shown}
        self.rows.append((rec, text))

    def close(self):
        self.out.write(self.render() + "\n")

    # -- the page --------------------------------------------------------------------
    def render(self) -> str:
        rows = self.rows
        verdicts = Counter("error" if r.get("error") else r["verdict"] for r, _ in rows)
        cats = Counter(f["category"] for r, _ in rows for f in r.get("findings", []))
        clauses = Counter((c["policy"], c["id"], c["title"]) for r, _ in rows for f in r.get("findings", [])
                          for c in f["clauses"])
        packs = sorted({r.get("policy") for r, _ in rows if r.get("policy")})
        when = self.meta.get("date") or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        p = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
             "<meta name=viewport content='width=device-width,initial-scale=1'>",
             f"<title>{_e(self.title)}</title><style>{CSS}{self._filter_css(cats)}</style></head><body>",
             f"<h1>{_e(self.title)}</h1>",
             f"<p class=meta>{_e(self.meta.get('inputs', 'standard input'))} &middot; policy "
             f"{_e(', '.join(self.meta.get('packs', packs)) or '-')} &middot; screened {_e(when)} &middot; "
             f"{len(rows)} post{'s' if len(rows) != 1 else ''}</p>",
             "<section aria-labelledby=summary><h2 id=summary>Summary</h2><div class=cards>"]
        for v in ("block", "review", "pass", "error"):
            if verdicts.get(v) or v != "error":
                p.append(f"<div class='card v-{v}'><b>{verdicts.get(v, 0)}</b>{_e(VERDICT_WORDS[v])}</div>")
        p.append("</div>")
        if cats:
            top = max(cats.values())
            p.append("<h3>Problems found, by kind</h3><table><tbody>")
            for cat, n in cats.most_common():
                p.append(f"<tr><th scope=row>{_e(LABELS.get(cat, cat))}</th><td>{n}</td>"
                         f"<td><span class=bar style='width:{12 * n / top:.1f}em' aria-hidden=true></span></td></tr>")
            p.append("</tbody></table><h3>Policy clauses breached</h3><table><thead><tr><th>clause</th>"
                     "<th>findings</th></tr></thead><tbody>")
            for (pol, cid, title), n in clauses.most_common():
                p.append(f"<tr><td>{_e(pol)} {_e(cid)}: {_e(title)}</td><td>{n}</td></tr>")
            p.append("</tbody></table>")
        p.append("</section>")
        p.append(self._filters(cats))
        p.append("<section class=posts aria-label='Posts to act on'><h2>Posts to act on</h2>")
        flagged = [(r, t) for r, t in rows if r.get("error") or r.get("verdict") != "pass"]
        if not flagged:
            p.append("<p>Nothing to act on: every post is fine to publish.</p>")
        for rec, text in flagged:
            p.append(self._post(rec, text))
        p.append("</section>")
        clean = [(r, t) for r, t in rows if not r.get("error") and r.get("verdict") == "pass"]
        if clean:
            p.append(f"<details class=clean><summary>{len(clean)} post{'s' if len(clean) != 1 else ''} fine to "
                     f"publish</summary>")
            for rec, text in clean:
                p.append(f"<div class='post v-pass'><h3>{_e(rec.get('id'))}</h3>"
                         + (f"<div class=text>{_e(text)}</div>" if text is not None else "") + "</div>")
            p.append("</details>")
        p.append("</body></html>")
        return "\n".join(p)

    @staticmethod
    def _filter_css(cats) -> str:
        """CSS-only filters: a checked radio hides the posts that do not match."""
        rules = []
        for v in ("block", "review", "error"):
            rules.append(f"#fv-{v}:checked ~ .posts .post:not(.v-{v}){{display:none}}")
        for i, cat in enumerate(sorted(cats)):
            rules.append(f"#fc-{i}:checked ~ .posts .post:not(.c-{cat}){{display:none}}")
        return "".join(rules)

    @staticmethod
    def _filters(cats) -> str:
        """Radio buttons and their labels as direct children of the body, siblings of the posts
        section, so that the CSS filters (`:checked ~ .posts`) work without any script."""
        p = ["<h2 id=show>Show</h2>",
             "<input type=radio name=fv id=fv-all checked><label for=fv-all>every flagged post</label>"]
        for v in ("block", "review", "error"):
            p.append(f"<input type=radio name=fv id=fv-{v}><label for=fv-{v}>{_e(VERDICT_WORDS[v])}</label>")
        p.append("<br><input type=radio name=fc id=fc-all checked><label for=fc-all>every kind of problem</label>")
        for i, cat in enumerate(sorted(cats)):
            p.append(f"<input type=radio name=fc id=fc-{i}><label for=fc-{i}>{_e(LABELS.get(cat, cat))}</label>")
        return "".join(p)

    def _post(self, rec, text) -> str:
        rid = _e(rec.get("id"))
        if rec.get("error"):
            return (f"<article class='post v-error'><h3>{rid}: <span class=verdict>"
                    f"{_e(VERDICT_WORDS['error'])}</span></h3><p>{_e(rec['error'])}</p></article>")
        findings = rec.get("findings", [])
        cls = " ".join(sorted({f"c-{f['category']}" for f in findings}))
        p = [f"<article class='post v-{_e(rec['verdict'])} {cls}'><h3>{rid}: <span class=verdict>"
             f"{_e(VERDICT_WORDS.get(rec['verdict'], rec['verdict']))}</span></h3>"]
        if text is not None:
            p.append(f"<div class=text>{_highlight(text, findings)}</div>")
        p.append("<ol class=findings>")
        for n, f in enumerate(findings, 1):
            where = f"\u201c{_e(f['text'])}\u201d" if f.get("text") else (
                f"attachment {f['attachment'] + 1}" if f.get("attachment") is not None else "the post as a whole")
            p.append(f"<li id='{rid}-f{n}'><b>{_e(LABELS.get(f['category'], f['category']))}</b>: {where}. "
                     f"{_e(f['message'])}")
            for c in f["clauses"]:
                p.append(f"<div class=says>The policy says ({_e(c['policy'])} {_e(c['id'])}, {_e(c['title'])}): "
                         f"\u201c{_e(c['quote'])}\u201d</div>")
            p.append(f"<div class=fix>{_e(f.get('fix') or 'Remove it, or ask the comms team.')}</div></li>")
        p.append("</ol></article>")
        return "".join(p)


def _highlight(text: str, findings) -> str:
    """The post with every finding's span marked in place (overlaps merged into one mark that
    lists each finding's number)."""
    spans = sorted((f["start"], f["end"], n) for n, f in enumerate(findings, 1)
                   if f.get("end", 0) > f.get("start", 0) and f.get("attachment") is None)
    merged = []
    for s, e, n in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].append(n)
        else:
            merged.append([s, e, [n]])
    out, pos = [], 0
    for s, e, ns in merged:
        out.append(_e(text[pos:s]))
        out.append(f"<mark>{_e(text[s:e])}<sup>{','.join(map(str, ns))}</sup></mark>")
        pos = e
    out.append(_e(text[pos:]))
    return "".join(out)
