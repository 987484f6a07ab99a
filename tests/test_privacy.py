"""Never leak what is screened: no log record, warning, exception message or file
contains post text; pack and rule files are parsed safely (no code from YAML)."""
from __future__ import annotations

import io
import logging
import os
import tempfile
import warnings
from pathlib import Path

import pytest

import socialscreen
from socialscreen.errors import DataError
from socialscreen.packs import load_pack
from socialscreen.rules import load_rules

IDENTIFIERS = ["943 476 5919", "9434765919", "AB 12 34 56 C", "QQ123456C", "b.ogunleye62@gmail.com",
               "07700 900872", "S6 2LQ", "W1093384", "Hilda Barnes", "Ogunleye", "14 Carlton Road",
               "nine four three four seven six five nine one nine", "DOB 14.3.51"]
POSTS = [
    "Mrs Hilda Barnes in bed 4 turned 88 today, NHS 943 476 5919, DOB 14.3.51",
    "Mrs Ogunleye asked me to pass on her email b.ogunleye62@gmail.com to the care coordinator",
    "Her NI number is AB 12 34 56 C and QQ123456C, phone 07700 900872",
    "Visited at home, 14 Carlton Road, S6 2LQ. Hospital number W1093384.",
    "NHS no nine four three four seven six five nine one nine please chase, what a f.u.c.k.i.n.g joke",
    "9434765919 \u202e\u200bsh1t\x00 Hilda Barnes",
]
SECRET_WORDS = ["Barnes", "Ogunleye", "Carlton", "W1093384", "476 5919", "2LQ", "QQ123456C"]


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _texts_of(record):
    out = [record.getMessage(), str(record.msg), repr(record.args)]
    if record.exc_info:
        out.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        out.append(record.exc_text)
    # any extra string attached to the record (timestamps and other numbers are left out)
    out += [v for k, v in vars(record).items() if isinstance(v, str) and k not in ("msg", "message")]
    return "\n".join(out)


@pytest.fixture
def all_logging_at_debug():
    """Every logger (root, socialscreen, spacy, presidio-analyzer, ...) at DEBUG into one handler."""
    handler = _Capture()
    root = logging.getLogger()
    saved = [(root, root.level, root.propagate, list(root.handlers))]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    names = set(logging.Logger.manager.loggerDict) | {"socialscreen", "spacy", "presidio-analyzer",
                                                      "presidio_analyzer", "thinc", "tldextract",
                                                      "phonenumbers", "filelock", "urllib3"}
    for name in sorted(names):
        lg = logging.getLogger(name)
        saved.append((lg, lg.level, lg.propagate, list(lg.handlers)))
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
        lg.addHandler(handler)
        lg.propagate = False
    logging.disable(logging.NOTSET)
    try:
        yield handler
    finally:
        for lg, level, propagate, handlers in saved:
            lg.setLevel(level)
            lg.propagate = propagate
            lg.handlers[:] = handlers


@pytest.fixture(scope="module")
def screener(screeners):
    return screeners("walton-centre")


def _assert_clean(blob, where):
    for secret in IDENTIFIERS + SECRET_WORDS:
        assert secret not in blob, f"{where} contains {secret!r}"
    for post in POSTS:
        assert post not in blob, f"{where} contains a whole post"


def test_no_post_text_in_any_log_record_or_warning(screener, all_logging_at_debug):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [screener.screen(p, profile="Nurse. Hilda Barnes is my aunt",
                                   attachments=[{"type": "image", "alt_text": p}]) for p in POSTS]
        results += list(screener.screen_many([{"id": str(i), "text": p} for i, p in enumerate(POSTS)]))
        fresh = socialscreen.Screener("b3")                    # construction logs too
        results += [fresh.screen(p, account="official") for p in POSTS]
        for bad in ("x" * 200_001, None):
            try:
                screener.screen(bad if bad is not None else 5)
            except socialscreen.ScreenInputError:
                pass
    assert any(r.findings for r in results)                   # the posts were really screened
    records = all_logging_at_debug.records
    print(f"\n{len(records)} log records captured at DEBUG from "
          f"{len({r.name for r in records})} loggers; none holds post text")
    blob = "\n".join(_texts_of(r) for r in records)
    _assert_clean(blob, "a log record")
    _assert_clean("\n".join(str(w.message) for w in caught), "a warning")


@pytest.mark.parametrize("call", [
    lambda s: s.screen(POSTS[0] * 3000),                                        # over max_chars
    lambda s: s.screen(POSTS[0], account=POSTS[1][:20]),                        # bad account
    lambda s: s.screen(POSTS[0], profile=[POSTS[1]]),                           # bad profile
    lambda s: list(s.screen_many([{"txt": POSTS[0]}])),                         # no text field
    lambda s: list(s.screen_many([POSTS[0], 12345])),                           # not a post
    lambda s: s.screen(POSTS[2].encode()),                                      # bytes
])
def test_error_messages_do_not_quote_the_post(screener, call):
    with pytest.raises(socialscreen.SocialScreenError) as info:
        call(screener)
    text = str(info.value) + repr(info.value.args)
    for secret in ["Barnes", "943 476", "ogunleye62", "AB 12 34", "Hilda", "b'"]:
        assert secret not in text, text


def test_cli_error_records_do_not_quote_the_post(tmp_path, capsys):
    from socialscreen.cli import main

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        b'{"id": "a", "text": "Mrs Hilda Barnes NHS 943 476 5919"\n'          # not JSON (cut)
        b'{"id": "b", "text": "Hilda Barnes 943 476 5919", "account": "Hilda"}\n'
        b'{"id": "c", "text": "caf\xe9 Hilda Barnes 943 476 5919"}\n'           # Latin-1
        b'{"id": "d", "txt": "Hilda Barnes 943 476 5919"}\n'
        b'["Hilda Barnes 943 476 5919"]\n'
        b'{"id": "e", "text": "' + b"Hilda Barnes 943 476 5919 " * 5000 + b'"}\n')
    main(["check", "--policy", "b3", "--format", "jsonl", str(bad)])
    out, err = capsys.readouterr()
    import json
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 6 and all(r.get("error") for r in rows), rows
    for r in rows:
        assert "Barnes" not in r["error"] and "943" not in r["error"], r["error"]
    assert "Barnes" not in err


def _snapshot(*dirs):
    out = {}
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                p = Path(root) / f
                out[str(p)] = p.stat().st_size
    return out


def test_screening_creates_no_files(tmp_path, monkeypatch, screener):
    home, tmp, cwd = tmp_path / "home", tmp_path / "tmp", tmp_path / "cwd"
    for d in (home, tmp, cwd):
        d.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.chdir(cwd)
    before = _snapshot(home, tmp, cwd)
    fresh = socialscreen.Screener("walton-centre")
    for s in (screener, fresh):
        for p in POSTS:
            s.screen(p)
        list(s.screen_many(POSTS))
    socialscreen.screen(POSTS[0], policy="b3")
    assert _snapshot(home, tmp, cwd) == before


# -- pack and rule files are parsed safely --------------------------------------------------

HOSTILE_YAML = [
    "id: evil\norganisation: !!python/object/apply:os.system ['touch {marker}']\n",
    "id: evil\npolicy: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
    "id: evil\nclauses:\n  - !!python/name:os.system\n",
    "id: evil\norganisation:\n  name: x\n  aliases: !!python/tuple [a, b]\n",
    "id: evil\nclauses: !custom {{}}\n",
]


@pytest.mark.parametrize("body", HOSTILE_YAML)
def test_yaml_tags_are_rejected_with_file_and_line(tmp_path, body):
    marker = tmp_path / "pwned"
    pack = tmp_path / "evil.yaml"
    pack.write_text(body.format(marker=marker), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_pack(str(pack))
    msg = str(info.value)
    assert str(pack) in msg and "line" in msg, msg
    assert not marker.exists()


def test_hostile_rule_file_is_rejected(tmp_path):
    import shutil

    from socialscreen.data import patterns_dir

    root = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), root)
    marker = tmp_path / "pwned"
    bad = root / "rules" / "pii" / "evil.yaml"
    bad.write_text("id: pii.evil\ncategory: service_user_identifier\nkind: lexicon\nseverity: high\n"
                   "message: x\nterms: !!python/object/apply:os.system ['touch " + str(marker) + "']\n"
                   "examples: {flag: [a], pass: [b]}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_rules(root)
    assert str(bad) in str(info.value) and "line 6" in str(info.value)
    assert not marker.exists()


def test_duplicate_keys_and_bad_yaml_name_the_line(tmp_path):
    pack = tmp_path / "dup.yaml"
    pack.write_text("id: a\nid: b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2"):
        load_pack(str(pack))
    pack.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line \d"):
        load_pack(str(pack))
    pack.write_bytes(b"id: caf\xe9\n")
    with pytest.raises(DataError):
        load_pack(str(pack))
