"""The publishing hooks, for real and offline:

- `.pre-commit-hooks.yaml`: its hook (entry, files pattern, types) runs under pre-commit itself on
  commits in a temporary git repository. Offline, pre-commit cannot build the hook's own
  `language: python` environment (it would pip install this repository), so the test config is a
  `repo: local` copy of the published hook with `language: system`, using the socialscreen this
  test runs with; every other key is the published one.
- `examples/github-actions-screen-drafts.yml`: the script of its screening step runs with bash in a
  temporary git repository with a base commit and a head commit, as the job would run it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NHS = "Lovely to see Mrs Hilda Barnes in bed 4 today, NHS number 943 476 5919\n"
CLEAN = "Proud of the team at the fun run today, thank you to everyone who came!\n"
SWEARY = "What a fucking awful rota this week\n"


def git(repo, *args, check=True, env=None):
    return subprocess.run(["git", "-C", str(repo), *args], check=check, capture_output=True, text=True, env=env)


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "drafts@example.org")
    git(path, "config", "user.name", "Drafts")
    git(path, "config", "commit.gpgsign", "false")
    return path


def env_with_socialscreen(extra=None):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.update(extra or {})
    return env


def published_hook():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    for key in ("id", "name", "entry", "language", "files"):
        assert key in hook, key
    assert hook["language"] == "python" and hook["entry"].split()[0] == "socialscreen"
    return hook


@pytest.fixture
def precommit():
    exe = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pre-commit is needed in CI (.ci/run installs the hooks extra)")
        pytest.skip("pre-commit is not installed (pip install '.[hooks]')")
    return exe


def test_hook_definition_is_valid_for_pre_commit(precommit):
    from pre_commit.clientlib import load_manifest
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))       # pre-commit's own schema check
    assert hook["id"] == "socialscreen"


def test_pre_commit_runs_the_hook_on_commit(tmp_path, precommit):
    hook = {**published_hook(), "language": "system", "args": ["--policy", "walton-centre", "--fail-on", "block"]}
    repo = new_repo(tmp_path / "drafts")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    env = env_with_socialscreen({"PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "PRE_COMMIT_COLOR": "never"})
    subprocess.run([precommit, "install"], cwd=repo, check=True, capture_output=True, env=env)
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "config", env=env)

    # a clean Markdown draft, a clean CSV and a file the hook does not screen: the commit goes through
    (repo / "post.md").write_text(CLEAN)
    (repo / "posts.csv").write_text(f"id,text\n1,{CLEAN.strip()}\n2,Coffee morning moves to Thursday\n")
    (repo / "notes.json").write_text('{"text": "NHS number 943 476 5919"}\n')
    git(repo, "add", ".")
    ok = git(repo, "commit", "-m", "clean drafts", check=False, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "socialscreen" in ok.stdout + ok.stderr and "Passed" in ok.stdout + ok.stderr

    # a text draft with an NHS number: blocked, and the output says why
    (repo / "ward.txt").write_text(NHS)
    git(repo, "add", "ward.txt")
    blocked = git(repo, "commit", "-m", "ward news", check=False, env=env)
    out = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, out
    assert "Failed" in out and "ward.txt" in out and "NHS number" in out
    assert git(repo, "log", "--oneline").stdout.count("\n") == 2          # not committed

    # a CSV row that would be blocked stops the commit too
    git(repo, "reset", "-q", "ward.txt")
    (repo / "ward.txt").unlink()
    (repo / "posts.csv").write_text(f"id,text\n1,{CLEAN.strip()}\n2,{NHS.strip()}\n")
    git(repo, "add", "posts.csv")
    assert git(repo, "commit", "-m", "csv", check=False, env=env).returncode != 0

    # --fail-on is the configured one: with review, a review-only draft stops the commit; with block it passes
    git(repo, "checkout", "-q", "--", "posts.csv")
    git(repo, "reset", "-q")
    git(repo, "checkout", "-q", "--", ".")
    (repo / "rota.md").write_text(SWEARY)
    git(repo, "add", "rota.md")
    assert git(repo, "commit", "-m", "rota", check=False, env=env).returncode == 0
    cfg = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    cfg["repos"][0]["hooks"][0]["args"] = ["--policy", "walton-centre", "--fail-on", "review"]
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(cfg))
    (repo / "rota2.md").write_text(SWEARY)
    git(repo, "add", ".")
    review = git(repo, "commit", "-m", "rota again", check=False, env=env)
    assert review.returncode != 0 and "offensive" in (review.stdout + review.stderr).lower()


def workflow_script():
    wf = yaml.safe_load((ROOT / "examples" / "github-actions-screen-drafts.yml").read_text())
    job = wf["jobs"]["screen"]
    step = next(s for s in job["steps"] if s.get("name") == "Screen changed drafts")
    return job["env"], step["run"]


def run_workflow_step(repo, base, tmp_path):
    env_vars, script = workflow_script()
    summary = tmp_path / "summary.md"
    env = env_with_socialscreen({**{k: str(v) for k, v in env_vars.items()}, "BASE_SHA": base,
                                 "GITHUB_STEP_SUMMARY": str(summary)})
    r = subprocess.run(["bash", "-e", "-c", script], cwd=repo, capture_output=True, text=True, env=env)
    return r, summary


def test_github_actions_step_screens_changed_drafts(tmp_path):
    wf = yaml.safe_load((ROOT / "examples" / "github-actions-screen-drafts.yml").read_text())
    assert wf["jobs"]["screen"]["env"]["FAIL_ON"] == "block"
    repo = new_repo(tmp_path / "drafts-repo")
    (repo / "drafts").mkdir()
    (repo / "drafts" / "old.md").write_text(NHS)                 # already on main: not screened again
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").stdout.strip()

    # no changed drafts
    r, _ = run_workflow_step(repo, base, tmp_path)
    assert r.returncode == 0 and "no changed drafts" in r.stdout

    # clean changed drafts pass (a draft outside drafts/ is not screened)
    (repo / "drafts" / "fun-run.md").write_text(CLEAN)
    (repo / "drafts" / "sub").mkdir()
    (repo / "drafts" / "sub" / "rows.csv").write_text(f"id,text\n1,{CLEAN.strip()}\n")
    (repo / "README.md").write_text(NHS)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "clean")
    r, summary = run_workflow_step(repo, base, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "drafts/fun-run.md" in r.stdout and "drafts/sub/rows.csv" in r.stdout and "README.md" not in r.stdout
    assert "socialscreen" in summary.read_text()

    # a changed draft that would be blocked fails the job, saying why
    (repo / "drafts" / "ward.txt").write_text(NHS)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "ward")
    r, summary = run_workflow_step(repo, base, tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "NHS number" in r.stdout and "NHS number" in summary.read_text()

    # first push (no base): every draft is screened
    r, _ = run_workflow_step(repo, "", tmp_path)
    assert r.returncode == 1 and "drafts/old.md" in r.stdout
