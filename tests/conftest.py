import json

import pytest

import socialscreen
import socialscreen.screener as screener_mod
from socialscreen.cli import main


@pytest.fixture(scope="session")
def screeners():
    cache = {}

    def get(policy="walton-centre", **kw):
        key = (policy, tuple(sorted(kw.items())))
        if key not in cache:
            cache[key] = socialscreen.Screener(policy, **kw)
        return cache[key]

    return get


@pytest.fixture
def cli(monkeypatch, capsys, screeners):
    """Run `socialscreen check --format jsonl` in-process; return (exit status, rows, stderr)."""
    real = screener_mod.Screener

    def shared(policy, **kw):
        # the shared screener only when nothing but defaults is asked for (a configuration's
        # allow-list, severity, baseline, rules or organisation build a screener of their own)
        if all(v in (None, (), [], {}) or (k == "context" and v == "context") for k, v in kw.items()):
            return screeners(policy)
        return real(policy, **kw)

    monkeypatch.setattr(screener_mod, "Screener", shared)

    def run(*files, policy="b3", extra=(), fmt="jsonl"):
        rc = main(["check", "--policy", policy, "--format", fmt, *extra, *map(str, files)])
        out, err = capsys.readouterr()
        return rc, ([json.loads(line) for line in out.splitlines()] if fmt == "jsonl" else out), err

    return run


_BUILT = {}


@pytest.fixture
def ss(monkeypatch, capsys, screeners):
    """Run any `socialscreen` command line in-process (in the current folder, so a configuration
    file is found as it would be); return (exit status, stdout, stderr). Screeners are shared
    across tests by their arguments (a baseline's are built afresh: its file may change)."""
    real = screener_mod.Screener

    def shared(policy, **kw):
        if kw.get("baseline") is not None:
            return real(policy, **kw)
        # context=None (the layer off) is a choice, not a default: only context="context" is
        asked = sorted((k, v) for k, v in kw.items()
                       if not ((v in (None, (), [], {}) and k != "context") or (k == "context" and v == "context")))
        if not asked:
            return screeners(policy)
        key = (repr(policy), repr(asked))
        if key not in _BUILT:
            _BUILT[key] = real(policy, **kw)
        return _BUILT[key]

    monkeypatch.setattr(screener_mod, "Screener", shared)

    def run(*argv):
        rc = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return rc, out, err

    return run
