"""socialscreen check | policies | explain."""
from __future__ import annotations

import argparse
import sys

from . import __version__
from .errors import SocialScreenError, UnknownPolicyError
from .io import InputOpenError, WRITERS, read_inputs
from .packs import load_all, load_pack

LEVELS = {"never": 99, "review": 1, "block": 2}
RANK = {"pass": 0, "review": 1, "block": 2}


def _parser():
    p = argparse.ArgumentParser(prog="socialscreen", description="Screen draft social-media posts against a social media policy.")
    p.add_argument("--version", action="version", version=f"socialscreen {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="screen posts (files, or standard input)")
    c.add_argument("files", nargs="*", help="text files (one post each), .jsonl, .csv, .xlsx, or - for standard input")
    c.add_argument("--policy", required=True,
                   help="pack id (see 'socialscreen policies') or a pack YAML file; a record's own 'policy' field wins")
    c.add_argument("--account", choices=["personal", "official"], default="personal")
    c.add_argument("--profile", help="the author's profile / bio text (a disclaimer there counts)")
    c.add_argument("--format", choices=sorted(WRITERS), default="text")
    c.add_argument("--fail-on", choices=["review", "block", "never"], default="block",
                   help="exit 1 when any post reaches this verdict (default: block)")
    c.add_argument("--column", help="the text column of a CSV or spreadsheet (default: text/post/draft/message)")
    c.add_argument("--model", help="spaCy model to use, or 'none' for rules only (default: best installed)")
    c.add_argument("--organisation", help="organisation name to use with a template pack (community-group)")
    c.add_argument("--progress", action="store_true", help="show progress on standard error")
    sub.add_parser("policies", help="list the installed policy packs")
    t = sub.add_parser("test-rules", help="run every rule's own flag/pass examples")
    t.add_argument("--rules", nargs="*", help="only rules whose id starts with one of these")
    t.add_argument("--model", help="spaCy model, or 'none'")
    e = sub.add_parser("explain", help="print a clause of a pack")
    e.add_argument("pack")
    e.add_argument("clause")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "policies":
            return _policies()
        if args.command == "test-rules":
            return _test_rules(args)
        if args.command == "explain":
            return _explain(args.pack, args.clause)
        return _check(args)
    except (UnknownPolicyError, InputOpenError) as exc:
        print(f"socialscreen: {exc}", file=sys.stderr)
        return 2
    except SocialScreenError as exc:
        print(f"socialscreen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _policies() -> int:
    for pid, pack in load_all().items():
        applies = [c for c in pack.categories]
        print(f"{pid:16} {pack.organisation.name}: {pack.title}"
              + (f" ({pack.meta.get('version')})" if pack.meta.get("version") else ""))
        print(f"{'':16} checks: {', '.join(applies)}")
    return 0


def _test_rules(args) -> int:
    from .rulecheck import check_rules
    from .rules import load_rules

    rules = [r for r in load_rules() if not args.rules or any(r.id.startswith(p) for p in args.rules)]
    bad = n = 0
    for rule, failures in check_rules(rules, model=args.model):
        n += len(rule.examples_flag) + len(rule.examples_pass)
        for f in failures:
            bad += 1
            print(f"FAIL {f}")
    print(f"{len(rules)} rules, {n} examples: {n - bad} passed, {bad} failed")
    return 1 if bad else 0


def _explain(pack_id: str, clause_id: str) -> int:
    pack = load_pack(pack_id)
    clause = pack.clauses.get(clause_id)
    if clause is None:
        matches = [c for c in pack.clauses.values() if c.section == clause_id]
        if not matches:
            print(f"socialscreen: pack {pack_id!r} has no clause {clause_id!r}; it has: "
                  f"{', '.join(pack.clauses)}", file=sys.stderr)
            return 2
    else:
        matches = [clause]
    for c in matches:
        print(f"{pack.id} {c.id} (section {c.section}): {c.title}\n  \"{c.quote}\"")
        cats = [cat for cat, m in pack.categories.items() if any(c.id in ids for ids in m.values())]
        if cats:
            print(f"  cited for: {', '.join(cats)}")
    return 0


def _check(args) -> int:
    from .screener import Screener

    organisation = {"name": args.organisation, "aliases": [args.organisation]} if args.organisation else None
    screeners = {}

    def screener_for(policy):
        if policy not in screeners:
            screeners[policy] = Screener(policy, model=args.model, organisation=organisation)
        return screeners[policy]

    screener_for(args.policy)                                # a bad --policy fails before any output
    records = read_inputs(args.files, column=args.column)   # raises InputOpenError before any output
    writer = WRITERS[args.format](sys.stdout)
    worst = 0
    progress = args.progress or (sys.stderr.isatty() and args.format != "text")
    done = 0
    for rec, result in _screen_records(screener_for, records, args):
        writer.write(result)
        if not result.get("error"):
            worst = max(worst, RANK[result["verdict"]])
        done += 1
        if progress and done % 50 == 0:
            print(f"\rscreened {done}", end="", file=sys.stderr, flush=True)
    writer.close()
    if progress and done >= 50:
        print(f"\rscreened {done}", file=sys.stderr)
    return 1 if worst >= LEVELS[args.fail_on] else 0


def _screen_records(screener_for, records, args, batch=64):
    """Screen in batches (one nlp.pipe per pack in the batch), in input order.
    A record that cannot be screened gets an error line; the others go on."""
    import itertools

    records = iter(records)
    while True:
        chunk = list(itertools.islice(records, batch))
        if not chunk:
            return
        results = {}
        groups = {}
        for r in chunk:
            if r.error is None:
                groups.setdefault(r.policy or args.policy, []).append(r)
        for policy, group in groups.items():
            try:
                screener = screener_for(policy)
            except (SocialScreenError, UnknownPolicyError) as exc:
                for r in group:
                    r.error = str(exc)
                continue
            posts = [{"text": r.text, "account": r.account or args.account,
                      "profile": r.profile if r.profile is not None else args.profile,
                      "attachments": r.attachments, "id": r.id} for r in group]
            try:
                for r, res in zip(group, screener.screen_many(posts, batch_size=batch)):
                    results[id(r)] = res
            except SocialScreenError:
                for r, post in zip(group, posts):      # one by one, to find the record at fault
                    try:
                        results[id(r)] = screener.screen(post["text"], account=post["account"], profile=post["profile"],
                                                         attachments=post["attachments"], id=r.id)
                    except SocialScreenError as exc:
                        r.error = str(exc)
        for r in chunk:
            if r.error is not None:
                yield r, {"id": r.id, "error": r.error, "verdict": None, "findings": []}
            else:
                yield r, results[id(r)].to_dict()


if __name__ == "__main__":
    sys.exit(main())
