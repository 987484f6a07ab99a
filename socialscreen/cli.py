"""socialscreen check | baseline | init | policies | explain | rules | people | test-rules | serve."""
from __future__ import annotations

import argparse
import gc
import os
import sys

from . import __version__
from . import config as config_mod
from .errors import SocialScreenError, UnknownPolicyError
from .io import InputOpenError, WRITERS, read_inputs
from .io.outputs import OutputError
from .packs import load_all, load_pack
from .values import VERDICTS

LEVELS = {"never": 99, "review": 1, "block": 2}


def _parser():
    p = argparse.ArgumentParser(prog="socialscreen", description="Screen draft social-media posts against a social media policy.")
    p.add_argument("--version", action="version", version=f"socialscreen {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="screen posts (files, or standard input)")
    c.add_argument("files", nargs="*", help="text files (one post each), .jsonl, .csv, .xlsx, or - for standard input")
    c.add_argument("--policy",
                   help="pack id (see 'socialscreen policies') or a pack YAML file; a record's own 'policy' field "
                        "wins (required here or as policy in the configuration file)")
    c.add_argument("--account", choices=["personal", "official"], help="default: personal")
    c.add_argument("--profile", help="the author's profile / bio text (a disclaimer there counts)")
    c.add_argument("--format", choices=sorted(WRITERS),
                   help="text (default), json, jsonl, csv or xlsx (a row per record: every input column, then "
                        "the results), html")
    c.add_argument("-o", "--output", metavar="FILE",
                   help="write the report to FILE instead of standard output (xlsx needs it on a terminal); "
                        "with --write-back, the name of the copy")
    c.add_argument("--write-back", action="store_true",
                   help="write a copy of each .xlsx or .csv input with the result columns added to every sheet "
                        "that held posts (NAME.screened.xlsx beside it, or -o); the original is never changed")
    c.add_argument("--redact", action="store_true",
                   help="mask identifiers (names, NHS and NI numbers, phone numbers, addresses...) in every "
                        "output, for reports that are passed around; offsets are kept")
    c.add_argument("--fail-on", choices=["review", "block", "never"],
                   help="exit 1 when any post reaches this verdict (default: block)")
    c.add_argument("--column", help="the text column of a CSV or spreadsheet; case, spaces and punctuation do not "
                                    "matter (default: text, post, draft, message, content, copy, 'Post copy', "
                                    "'Draft post', caption, tweet, body, ...)")
    c.add_argument("--id-column", help="the id column of a CSV or spreadsheet (default: id, post id, ref, ...)")
    c.add_argument("--account-column", help="the account column (personal/official) (default: account, account type)")
    c.add_argument("--profile-column", help="the author's profile column (default: profile, bio, author profile)")
    c.add_argument("--header-row", type=_positive, metavar="N",
                   help="the header is row N of every CSV and sheet (default: the first of the first "
                        "10 rows that holds a text column, so title rows above it are skipped)")
    c.add_argument("--sheet", metavar="NAME", help="read only this sheet of a workbook (default: every sheet, in order)")
    c.add_argument("--stdin-format", choices=["text", "jsonl", "json"], default="text",
                   help="what standard input holds: one plain post (text, the default, even when it starts "
                        "with '{'), JSON Lines, or JSON (one object, or an array of objects)")
    c.add_argument("--model", help="spaCy model to use, or 'none' for rules only (default: best installed)")
    c.add_argument("--context",
                   help="the learned context layer (a model under patterns/models/), or 'none' for rules alone "
                        "(default: context)")
    c.add_argument("--organisation", help="organisation name to use with a template pack (community-group)")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar with the total and the time left on standard error (default: when "
                        "standard error is a terminal and the results go elsewhere)")
    c.add_argument("--only-flagged", action="store_true",
                   help="text report: leave out posts that pass (the summary line still counts them)")
    c.add_argument("--on-error", choices=["fail", "skip"],
                   help="a record that cannot be screened makes the run exit 3 (fail, default), "
                        "or is reported and left out of the exit status (skip)")
    c.add_argument("--rules", action="append", metavar="IDS",
                   help="run only these rule ids or families, comma-separated or repeated (socialscreen rules)")
    c.add_argument("--disable", action="append", metavar="IDS",
                   help="switch these rule ids or families off, comma-separated or repeated")
    c.add_argument("--patterns-dir", metavar="DIR", help="a folder laid out like patterns/ with your own packs, "
                                                         "rules and lexicons")
    config_mod.add_arguments(c)
    b = sub.add_parser("baseline", help="write a baseline of the findings in these posts, accepted as they are")
    for action in c._actions:                     # every input and screening option of check
        if action.dest not in ("help", "format", "fail_on", "only_flagged", "progress", "output", "write_back",
                               "redact"):
            b._add_action(action)
    b.add_argument("-o", "--output", metavar="FILE",
                   help=f"the baseline file (default: the configuration's baseline, else {config_mod.DEFAULT_BASELINE})")
    c.add_argument("--baseline", metavar="FILE",
                   help="leave out the findings this baseline holds (socialscreen baseline writes it; 'none' to "
                        "switch the configuration's off)")
    c.add_argument("--known-people", metavar="FILE",
                   help="the people your organisation supports, as a people list (socialscreen people writes it: "
                        "salted hashes, no names): found in posts, typos and nicknames included")
    c.add_argument("--consented", metavar="FILE",
                   help="a people list of those whose recorded consent clears them: their names are not flagged")
    c.add_argument("--audit-log", metavar="FILE",
                   help="append one JSON line per screened post (time, SHA-256 of the text, id, pack and version, "
                        "verdict, rule ids; never the text)")
    i = sub.add_parser("init", help="write a commented starter configuration file (socialscreen.toml)")
    i.add_argument("path", nargs="?", default=None,
                   help="the file to write (default: socialscreen.toml; a pyproject.toml gets a [tool.socialscreen] table)")
    i.add_argument("--policy", help="the pack the file names")
    i.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    sub.add_parser("policies", help="list the installed policy packs")
    t = sub.add_parser("test-rules", help="run every rule's own flag/pass examples")
    t.add_argument("--rules", nargs="*", help="only rules whose id starts with one of these")
    t.add_argument("--model", help="spaCy model, or 'none'")
    e = sub.add_parser("explain", help="print a clause of a pack (PACK CLAUSE), or a rule (RULE-ID)")
    e.add_argument("pack", help="a pack id, or a rule id such as pii.nhs-number")
    e.add_argument("clause", nargs="?")
    sub.add_parser("rules", help="list every rule: id, category, kind, severity")
    pl = sub.add_parser("people", help="write a people list (salted hashes only) from a file of names and numbers")
    pl.add_argument("file", help="one person (full name) or number (NHS, hospital, NI...) per line; # comments")
    pl.add_argument("-o", "--output", required=True, metavar="FILE", help="the list to write (JSON of hashes)")
    pl.add_argument("--purpose", choices=("service_users", "consented"), default="service_users",
                    help="the people you support (found in posts), or those whose consent is recorded")
    from .serve.cli import add_arguments as serve_arguments
    serve_arguments(sub.add_parser("serve", help="run the HTTP service and the screen-as-you-type page (serve extra)"))
    return p


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError("must be a row number, 1 or more")
    return n


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "policies":
            return _policies()
        if args.command == "test-rules":
            return _test_rules(args)
        if args.command == "explain":
            return _explain(args.pack, args.clause) if args.clause else _explain_rule(args.pack)
        if args.command == "people":
            from .people import PeopleList, read_entries
            entries = read_entries(args.file)
            PeopleList.build(entries, purpose=args.purpose).save(args.output)
            print(f"socialscreen: wrote {args.output}: {len(entries)} entries as salted hashes "
                  f"(purpose {args.purpose})", file=sys.stderr)
            return 0
        if args.command == "rules":
            return _rules()
        if args.command == "serve":
            from .serve.cli import run as serve
            return serve(args)
        if args.command == "init":
            written = config_mod.init(args.path, policy=args.policy, force=args.force)
            print(f"socialscreen: wrote {written}; edit it, then: socialscreen check FILE...", file=sys.stderr)
            return 0
        return _check(args)
    except (UnknownPolicyError, InputOpenError, OutputError) as exc:
        print(f"socialscreen: {exc}", file=sys.stderr)
        return 2
    except SocialScreenError as exc:
        print(f"socialscreen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:                  # the reader went away (| head): stop quietly
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 141


def _policies() -> int:
    for pid, pack in load_all().items():
        applies = [c for c in pack.categories]
        print(f"{pid:16} {pack.organisation.name}: {pack.title}"
              + (f" ({pack.meta.get('version')})" if pack.meta.get("version") else ""))
        print(f"{'':16} checks: {', '.join(applies)}")
    return 0


def _test_rules(args) -> int:
    from .examples import check_rules
    from .rules import load_rules, select

    rules = [r for r in load_rules() if not args.rules or any(select(r.id, p) for p in args.rules)]
    bad = n = 0
    for rule, failures in check_rules(rules, model=args.model):
        n += len(rule.examples_flag) + len(rule.examples_pass)
        for f in failures:
            bad += 1
            print(f"FAIL {f}")
    print(f"{len(rules)} rules, {n} examples: {n - bad} passed, {bad} failed")
    return 1 if bad else 0


def _rules() -> int:
    from .rules import load_rules

    for r in load_rules():
        print(f"{r.id:40} {r.category:26} {r.kind:10} {r.severity}")
    return 0


def _explain_rule(rule_id: str) -> int:
    from .rules import load_rules

    rules = {r.id: r for r in load_rules()}
    rule = rules.get(rule_id)
    if rule is None:
        print(f"socialscreen: no rule {rule_id!r} (socialscreen rules lists them; "
              f"for a clause give the pack and the clause: explain b3 3.4.5)", file=sys.stderr)
        return 2
    print(f"{rule.id} ({rule.kind}, {rule.category}, severity {rule.severity})")
    if rule.description:
        print(f"  {rule.description}")
    print(f"  message: {rule.message}")
    if rule.fix:
        print(f"  fix: {rule.fix}")
    print(f"  defined in: {rule.path}")
    cited = []
    for pid, pack in load_all().items():
        for account in ("personal", "official"):
            clauses = pack.clauses_for(rule.id, rule.category, account)
            if clauses:
                cited.append(f"{pid} ({account}): " + ", ".join(c.id for c in clauses))
    print("  cites: " + ("; ".join(cited) if cited else "no clause of any installed pack (never reported)"))
    return 0


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
        rules = [key for key, m in pack.rules.items() if any(c.id in ids for ids in m.values())]
        if cats or rules:
            print(f"  cited for: {', '.join(cats + rules)}")
        elif c.id in pack.manual:
            print("  checked by a person: socialscreen has no check for it (manual)")
    return 0


def _check(args) -> int:
    import itertools

    from .packs import pack_paths
    from .screener import Screener
    from .values import Post, RecordError

    making_baseline = args.command == "baseline"
    config = config_mod.for_args(args)         # --config FILE, --no-config, or found from here upwards
    config_mod.apply(args, config)             # flags win over the file, the file over the defaults
    if not args.policy:
        raise SocialScreenError("no policy: pass --policy PACK (socialscreen policies lists them) or set policy "
                                "in socialscreen.toml (socialscreen init writes one)")
    kwargs = config_mod.screener_kwargs(args, config)
    screeners = {}
    installed = set(pack_paths(args.patterns_dir))

    def screener_for(policy):
        if policy not in screeners:
            screeners[policy] = Screener(policy, **kwargs)
        return screeners[policy]

    screener_for(args.policy)                                # a bad --policy fails before any output
    gc.collect()                 # what was loaded moves to the permanent generation: full
    gc.freeze()                  # collections during a long batch stop walking spaCy and the model
    notices = set()

    def notice(message):
        if message not in notices:
            notices.add(message)
            print(f"socialscreen: {message}", file=sys.stderr)

    reading = dict(column=args.column, id_column=args.id_column, account_column=args.account_column,
                   profile_column=args.profile_column, header_row=args.header_row, sheet=args.sheet)
    records = read_inputs(args.files, stdin_format=args.stdin_format, notice=notice,  # raises InputOpenError
                          **reading)                                                  # before any output
    audit = None
    if getattr(args, "audit_log", None):
        from .audit import AuditLog
        audit = AuditLog(args.audit_log)               # opened before any output: a bad path is exit 2
    if making_baseline:
        from .baseline import BaselineOutputs
        args.fail_on = "never"
        outputs = BaselineOutputs(args.output or config.baseline or config_mod.DEFAULT_BASELINE)
    else:
        outputs = _outputs(args, reading, notice, screener_for)

    def checked(rec):
        # a record may name only an installed pack: a pack file comes from --policy, never from the data
        if isinstance(rec, Post) and rec.policy is not None and rec.policy not in installed:
            return RecordError(rec.id, "the record's policy is not an installed pack id "
                                       "(see 'socialscreen policies'); leave it out to use --policy",
                               "unknown_policy")
        return rec

    def results():
        """(record, result) pairs in input order: each group of one pack streams through screen_many."""
        stream = (checked(r) for r in records)
        for policy, group in itertools.groupby(stream, key=lambda r: getattr(r, "policy", None) or args.policy):
            mine, theirs = itertools.tee(group)
            yield from zip(mine, screener_for(policy).screen_many(theirs, account=args.account,
                                                                  profile=args.profile, errors="return"))

    worst, errors, done = 0, 0, 0
    suppressed = {}                                      # by -> count
    try:
        for record, result in results():
            if audit is not None:
                audit.write(result, post=record if isinstance(record, Post) else None,
                            pack=next((s.pack for s in screeners.values()
                                       if s.pack.id == getattr(result, "policy", None)), None))
            for sup in result.suppressed:
                suppressed[sup.by] = suppressed.get(sup.by, 0) + 1
            outputs.write(record, result.to_dict())
            if isinstance(result, RecordError):
                errors += 1
            else:
                worst = max(worst, VERDICTS.index(result.verdict))
            done += 1
    except BaseException:
        outputs.abort()
        if audit is not None:
            audit.close()
        raise
    outputs.close(packs=[f"{s.pack.id} ({s.pack.title}" + (f", {s.pack.meta['version']}" if s.pack.meta.get("version")
                                                          else "") + ")" for s in screeners.values()])
    if audit is not None:
        audit.close()
    _say_suppressed(suppressed, args)
    if making_baseline:
        print(f"socialscreen: wrote {len(outputs.writer)} accepted finding(s) of {done} record(s) to "
              f"{outputs.writer.path}", file=sys.stderr)
    if done == 0:
        print("socialscreen: the input holds no posts: nothing was screened", file=sys.stderr)
        return 3 if args.on_error == "fail" else 0
    if errors and args.on_error == "fail":
        print(f"socialscreen: {errors} record(s) could not be screened (exit status 3; see each record's error, "
              f"or pass --on-error skip to let the others decide the status)", file=sys.stderr)
        return 3
    return 1 if worst >= LEVELS[args.fail_on] else 0


def _outputs(args, reading, notice, screener_for):
    """The report (and any --write-back copies) as asked; OutputError is a usage error (exit 2)."""
    from .io.outputs import Outputs
    from .redaction import labels
    return Outputs(args.format, args.files, output=args.output, write_back=args.write_back,  # OutputError:
                   redact_labels=labels(screener_for(args.policy).all_rules) if args.redact else None,  # usage
                   progress=args.progress, only_flagged=args.only_flagged, reader_options=reading,
                   stdin_format=args.stdin_format, notice=notice)


def _say_suppressed(counts: dict, args) -> None:
    """Nothing is left out silently: how many findings each kind of suppression set aside."""
    words = {"allow": "by the records' own allow", "allow-list": "by the configuration's allow-list",
             "baseline": f"as accepted in the baseline ({getattr(args, 'baseline', None)})",
             "consent": "as naming someone whose consent is recorded (--consented)"}
    for by in ("allow", "allow-list", "consent", "baseline"):
        if counts.get(by):
            print(f"socialscreen: {counts[by]} finding(s) suppressed {words[by]}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
