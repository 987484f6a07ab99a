"""Issue 12, configuration: `socialscreen.toml` (or `.socialscreen.toml`, or `[tool.socialscreen]` in
pyproject.toml) found from the current folder upwards, `--config FILE`, `--no-config`; flags win
over the file, the file over the defaults; every key checked strictly on load, errors naming the
file, the key and the valid choices; `socialscreen init` writes a commented starter file."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import socialscreen
from socialscreen.config import find_config, load_config
from socialscreen.errors import ConfigError, SocialScreenError

PHI = "Mrs Hilda Barnes in bed 4 turned 88 today, NHS 943 476 5919"
REVIEW = "Proud of my ward at the Walton Centre"          # missing_disclaimer: review, personal account
CLEAN = "Lovely walk along the canal with the dog this morning: sunshine at last"


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(out):
    return [json.loads(x) for x in out.splitlines()]


# ---- discovery -------------------------------------------------------------------------------

def test_found_in_the_folder_or_the_nearest_folder_above(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    top = _write(tmp_path / "socialscreen.toml", 'policy = "b3"\n')
    assert find_config(deep) == top
    nearer = _write(tmp_path / "a" / ".socialscreen.toml", 'policy = "stass"\n')
    assert find_config(deep) == nearer                       # the nearest folder wins
    assert load_config(start=deep).policy == "stass"
    both = _write(tmp_path / "a" / "socialscreen.toml", 'policy = "focus"\n')
    assert find_config(deep) == both                         # socialscreen.toml before .socialscreen.toml


def test_pyproject_counts_only_with_a_tool_socialscreen_table(tmp_path):
    top = _write(tmp_path / "socialscreen.toml", 'policy = "b3"\n')
    sub = tmp_path / "proj"
    _write(sub / "pyproject.toml", '[project]\nname = "socialscreen-drafts"\n[tool.ruff]\nline-length = 99\n')
    assert find_config(sub) == top                           # no table: the search goes on upwards
    _write(sub / "pyproject.toml", '[project]\nname = "drafts"\n\n[tool.socialscreen]\npolicy = "stass"\n'
                                   'fail-on = "review"\n\n[tool.socialscreen.severity]\n"pii" = "medium"\n')
    assert find_config(sub) == sub / "pyproject.toml"
    config = load_config(start=sub)
    assert (config.policy, config.fail_on, config.severity) == ("stass", "review", {"pii": "medium"})
    own = _write(sub / "socialscreen.toml", 'policy = "focus"\n')
    assert find_config(sub) == own                           # socialscreen.toml wins in its folder


def test_a_broken_pyproject_is_skipped_unless_it_holds_our_table(tmp_path):
    top = _write(tmp_path / "socialscreen.toml", 'policy = "b3"\n')
    sub = tmp_path / "proj"
    _write(sub / "pyproject.toml", '[project\nname = "uses socialscreen"\n')
    assert find_config(sub) == top
    _write(sub / "pyproject.toml", '[tool.socialscreen]\npolicy = "b3"\nfail-on = \n')
    with pytest.raises(ConfigError) as e:
        find_config(sub)
    assert "pyproject.toml" in str(e.value) and "not valid TOML" in str(e.value)


def test_paths_in_the_file_are_relative_to_the_file(tmp_path):
    _write(tmp_path / "cfg" / "socialscreen.toml",
           'policy = "b3"\nbaseline = "accepted.json"\naudit-log = "logs/audit.jsonl"\n')
    config = load_config(tmp_path / "cfg" / "socialscreen.toml")
    assert config.baseline == str(tmp_path / "cfg" / "accepted.json")
    assert config.audit_log == str(tmp_path / "cfg" / "logs" / "audit.jsonl")


def test_a_pack_file_named_in_the_config_is_found_next_to_it(tmp_path):
    from socialscreen.data import patterns_dir
    pack = (patterns_dir() / "packs" / "b3.yaml").read_text(encoding="utf-8")
    _write(tmp_path / "packs" / "b3.yaml", pack)
    _write(tmp_path / "socialscreen.toml", 'policy = "packs/b3.yaml"\n')
    assert load_config(tmp_path / "socialscreen.toml").policy == str(tmp_path / "packs" / "b3.yaml")
    _write(tmp_path / "socialscreen.toml", 'policy = "packs/missing.yaml"\n')
    with pytest.raises(ConfigError, match="policy: no pack file"):
        load_config(tmp_path / "socialscreen.toml")


# ---- strict validation -----------------------------------------------------------------------

BAD = [
    ('fail_on = "block"\n', "fail_on", ["did you mean 'fail-on'", "valid keys:", "policy", "audit-log"]),
    ('fail-on = "sometimes"\n', "fail-on", ["review, block, never"]),
    ('account = "Official account"\n', "account", ["personal, official"]),
    ('on-error = "ignore"\n', "on-error", ["fail, skip"]),
    ('format = "pdf"\n', "format", ["csv", "html", "json", "jsonl", "text"]),
    ('policy = "walton"\n', "policy", ["installed packs:", "walton-centre", "b3"]),
    ('policy = 3\n', "policy", ["non-empty string"]),
    ('select = ["pii", "piii"]\n', "select[1]", ["families:", "pii", "offensive"]),
    ('disable = "pii"\n', "disable", ["list of rule ids or families"]),
    ('context = 3\n', "context", ["true", "false", "model name"]),
    ('context = "contxt"\n', "context", ["models:", "context"]),
    ('model = "en_core_web_xx"\n', "model", ["installed:", '"none"']),
    ('patterns-dir = "nowhere"\n', "patterns-dir", ["packs/, rules/, lexicons/"]),
    ('organisation = {name = "Hope", twitter = ["@hope"]}\n', "organisation.twitter",
     ["name, aliases, handles, hashtags, domains, places"]),
    ('organisation = {aliases = ["Hope"]}\n', "organisation.name", ["is required"]),
    ('[allow]\nservice_user_identfier = ["Florence"]\n', "allow.service_user_identfier",
     ["did you mean 'service_user_identifier'", "offensive_language"]),
    ('[allow]\noffensive_language = "Scunthorpe"\n', "allow.offensive_language", ["list of non-empty strings"]),
    ('[allow]\noffensive_language = ["re:(a+)+b"]\n', "allow.offensive_language[0]", ["backtracks"]),
    ('[allow]\noffensive_language = ["re:(unclosed"]\n', "allow.offensive_language[0]", ["invalid regular"]),
    ('[severity]\n"pii.nhs-number" = "urgent"\n', 'severity."pii.nhs-number"', ["low, medium, high"]),
    ('[severity]\n"pii.nhs-numbr" = "low"\n', 'severity."pii.nhs-numbr"', ["families:", "pii"]),
    ('[rules]\npii = false\n', "rules", ["valid keys:", "select", "disable"]),
]


@pytest.mark.parametrize("body,key,choices", BAD, ids=[b[1] for b in BAD])
def test_an_unknown_key_or_bad_value_names_the_file_the_key_and_the_choices(tmp_path, body, key, choices):
    path = _write(tmp_path / "socialscreen.toml", body)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    message = str(e.value)
    assert message.startswith(f"{path}: {key}: "), message
    for c in choices:
        assert c in message, (c, message)
    assert isinstance(e.value, SocialScreenError)


def test_pyproject_keys_are_named_with_their_table(tmp_path):
    path = _write(tmp_path / "pyproject.toml", '[tool.socialscreen]\nfail-on = "revew"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool.socialscreen.fail-on: 'revew' is not one of"):
        load_config(path)
    path = _write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"has no \[tool.socialscreen\] table"):
        load_config(path)


def test_invalid_toml_names_the_file_and_where(tmp_path):
    path = _write(tmp_path / "socialscreen.toml", 'policy = "b3"\nfail-on = block\n')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(path) in str(e.value) and "line 2" in str(e.value)


def test_a_bad_config_is_a_usage_error_before_any_output(tmp_path, monkeypatch, ss):
    _write(tmp_path / "socialscreen.toml", 'policy = "b3"\nfail-on = "sometimes"\n')
    post = _write(tmp_path / "p.txt", CLEAN)
    monkeypatch.chdir(tmp_path)
    rc, out, err = ss("check", post)
    assert rc == 2 and out == ""
    assert "socialscreen.toml: fail-on: 'sometimes' is not one of review, block, never" in err
    rc, out, err = ss("check", "--config", tmp_path / "missing.toml", post)
    assert rc == 2 and "no such configuration file" in err


# ---- precedence: flags, then the file, then the defaults -----------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A drafts folder with a configuration at its top, and the current folder below it."""
    _write(tmp_path / "socialscreen.toml", 'policy = "walton-centre"\nfail-on = "review"\nformat = "jsonl"\n')
    drafts = tmp_path / "drafts" / "january"
    drafts.mkdir(parents=True)
    _write(drafts / "review.txt", REVIEW)
    monkeypatch.chdir(drafts)
    return tmp_path


def test_the_file_found_upwards_sets_policy_format_and_fail_on(project, ss):
    rc, out, err = ss("check", "review.txt")
    [row] = _jsonl(out)                                     # format = "jsonl" from the file
    assert row["policy"] == "walton-centre" and row["verdict"] == "review"
    assert rc == 1                                          # fail-on = "review" from the file


def test_flags_win_over_the_file(project, ss):
    rc, out, _ = ss("check", "--fail-on", "never", "--format", "json", "--policy", "stass", "review.txt")
    data = json.loads(out)
    assert rc == 0 and data[0]["policy"] == "stass"


def test_no_config_ignores_the_file_and_config_names_another(project, ss, tmp_path_factory):
    rc, out, err = ss("check", "--no-config", "review.txt")
    assert rc == 2 and "no policy" in err and "socialscreen init" in err
    rc, out, _ = ss("check", "--no-config", "--policy", "walton-centre", "review.txt")
    assert rc == 0 and "REVIEW" in out                      # the defaults: text report, fail-on block
    other = _write(tmp_path_factory.mktemp("elsewhere") / "strict.toml", 'policy = "walton-centre"\nfail-on = "never"\n')
    rc, out, _ = ss("check", "--config", other, "review.txt")
    assert rc == 0 and "REVIEW" in out                      # only the named file counts: text, never


def test_rules_on_and_off_from_the_file_and_flags(tmp_path, monkeypatch, ss):
    _write(tmp_path / "socialscreen.toml", 'policy = "walton-centre"\nformat = "jsonl"\nfail-on = "never"\n'
                                           'disable = ["pii.nhs-number", "pii.age-detail"]\n')
    post = _write(tmp_path / "phi.txt", PHI)
    monkeypatch.chdir(tmp_path)
    _, out, _ = ss("check", post)
    rules = {f["rule"] for f in _jsonl(out)[0]["findings"]}
    assert "pii.nhs-number" not in rules and "pii.age-detail" not in rules and "pii.ward-bed" in rules
    _, out, _ = ss("check", "--disable", "pii.ward-bed", post)          # the flag replaces the file's list
    rules = {f["rule"] for f in _jsonl(out)[0]["findings"]}
    assert "pii.nhs-number" in rules and "pii.ward-bed" not in rules
    _, out, _ = ss("check", "--rules", "pii.nhs-number,pii.ward-bed", "--disable", "pii.ward-bed", post)
    assert {f["rule"] for f in _jsonl(out)[0]["findings"]} == {"pii.nhs-number"}
    rc, _, err = ss("check", "--rules", "pii.nhs-numbr", post)
    assert rc == 2 and "families:" in err


def test_severity_per_rule_and_family(tmp_path, monkeypatch, ss):
    _write(tmp_path / "socialscreen.toml",
           'policy = "walton-centre"\nformat = "jsonl"\nfail-on = "never"\n\n[severity]\n'
           '"pii" = "low"\n"pii.nhs-number" = "medium"\n"names" = "low"\n')
    post = _write(tmp_path / "phi.txt", PHI)
    monkeypatch.chdir(tmp_path)
    _, out, _ = ss("check", post)
    [row] = _jsonl(out)
    sev = {f["rule"]: f["severity"] for f in row["findings"]}
    assert sev["pii.nhs-number"] == "medium"                # a rule id wins over its family
    assert sev["pii.ward-bed"] == "low" and sev["names.care-context"] == "low"
    assert row["verdict"] == "review"


def test_organisation_from_the_file_for_the_community_group_template(tmp_path, monkeypatch, ss):
    _write(tmp_path / "socialscreen.toml",
           'policy = "community-group"\nformat = "jsonl"\nfail-on = "never"\n\n[organisation]\n'
           'name = "Hope Café"\naliases = ["Hope Cafe"]\nhashtags = ["#HopeCafe"]\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.organisation == {"name": "Hope Café", "aliases": ["Hope Cafe"], "hashtags": ["#HopeCafe"]}
    screener = config.screener(model="none", context=None)
    assert screener.pack.organisation.name == "Hope Café" and "#HopeCafe" in screener.pack.organisation.names()


def test_context_and_model_switches(tmp_path):
    _write(tmp_path / "socialscreen.toml", 'policy = "b3"\ncontext = false\nmodel = "none"\n')
    config = load_config(tmp_path / "socialscreen.toml")
    kw = config.screener_kwargs()
    assert kw["context"] is None and kw["model"] == "none"
    _write(tmp_path / "socialscreen.toml", 'policy = "b3"\ncontext = true\n')
    assert load_config(tmp_path / "socialscreen.toml").screener_kwargs()["context"] == "context"


def test_config_screener_in_the_api(tmp_path):
    _write(tmp_path / "socialscreen.toml", 'policy = "walton-centre"\nmodel = "none"\ncontext = false\n'
                                           'disable = ["pii.ward-bed"]\n[allow]\nservice_user_identifier = ["bed 4"]\n')
    screener = socialscreen.load_config(start=tmp_path).screener()
    result = screener.screen(PHI)
    assert "pii.ward-bed" not in {f.rule for f in result.findings}
    assert screener.policy == "walton-centre"
    with pytest.raises(SocialScreenError, match="no policy"):
        socialscreen.Config().screener()


# ---- socialscreen init -----------------------------------------------------------------------

def test_init_writes_a_commented_starter_that_loads(tmp_path, monkeypatch, ss):
    monkeypatch.chdir(tmp_path)
    rc, _, err = ss("init", "--policy", "walton-centre")
    assert rc == 0 and "wrote socialscreen.toml" in err
    text = (tmp_path / "socialscreen.toml").read_text(encoding="utf-8")
    assert sum(1 for line in text.splitlines() if line.startswith("#")) > 30      # commented
    for key in ("policy", "fail-on", "select", "disable", "context", "model", "patterns-dir", "baseline",
                "audit-log", "[allow]", "[severity]", "organisation"):
        assert key in text
    config = load_config(tmp_path / "socialscreen.toml")
    assert config.policy == "walton-centre" and config.fail_on == "block"
    # every commented example is a valid setting too
    uncommented = "\n".join(line[2:] if line.startswith("# ") and ("=" in line or line.startswith("# [")) else line
                            for line in text.splitlines())
    _write(tmp_path / "all.toml", uncommented.replace('patterns-dir = "my-patterns"', "")
           .replace('model = "en_core_web_sm"', 'model = "none"'))
    every = load_config(tmp_path / "all.toml")
    assert every.select and every.organisation["name"] == "Hope Café" and every.severity == {"grievance": "low"}


def test_init_refuses_to_overwrite_without_force(tmp_path, monkeypatch, ss):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "socialscreen.toml", 'policy = "b3"\n')
    rc, _, err = ss("init")
    assert rc == 2 and "already exists" in err and "--force" in err
    assert (tmp_path / "socialscreen.toml").read_text(encoding="utf-8") == 'policy = "b3"\n'
    rc, _, _ = ss("init", "--force")
    assert rc == 0 and "# policy =" in (tmp_path / "socialscreen.toml").read_text(encoding="utf-8")
    assert load_config(tmp_path / "socialscreen.toml").policy is None
    rc, _, err = ss("init", "--force", "--policy", "nope")
    assert rc == 2 and "installed packs" in err


def test_init_adds_a_table_to_pyproject(tmp_path, monkeypatch, ss):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "pyproject.toml", '[project]\nname = "drafts"\n')
    rc, _, _ = ss("init", "pyproject.toml", "--policy", "b3")
    assert rc == 0
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith('[project]\nname = "drafts"\n') and "[tool.socialscreen.allow]" in text
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    assert load_config(tmp_path / "pyproject.toml").policy == "b3"
    rc, _, err = ss("init", "pyproject.toml")
    assert rc == 2 and "already exists" in err


def test_init_then_check_end_to_end(tmp_path):
    """The real command line, as a user types it: init at the top, check from a folder below."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    cli = [sys.executable, "-m", "socialscreen"]
    p = subprocess.run(cli + ["init", "--policy", "walton-centre"], cwd=tmp_path, capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    config = tmp_path / "socialscreen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('fail-on = "block"', 'fail-on = "review"'),
                      encoding="utf-8")
    sub = tmp_path / "drafts"
    sub.mkdir()
    p = subprocess.run(cli + ["check", "--format", "jsonl", "-"], cwd=sub, input=REVIEW, capture_output=True,
                       text=True, env=env, timeout=300)
    assert p.returncode == 1, p.stderr
    assert json.loads(p.stdout)["verdict"] == "review"


def test_the_readme_sample_configuration_loads(tmp_path):
    import re
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    [sample] = re.findall(r"```toml\n(.*?)```", readme, re.S)
    config = load_config(_write(tmp_path / "socialscreen.toml", sample))
    assert config.policy == "walton-centre" and config.fail_on == "review" and config.model == "none"
    assert config.allow["service_user_identifier"] == ("Florence Nightingale", r"re:Ward \d+")
    screener = config.screener(context=None, baseline=None, model=None, rules=None, disable=())
    result = screener.screen("Lovely afternoon on Ward 12 with the Florence Nightingale team")
    assert not result.findings and [s.by for s in result.suppressed] == ["allow-list"]
    result = screener.screen("Sister Florence Nightingale on Ward 12 was asking after you, the patient in bed 3")
    assert [(s.rule, s.by) for s in result.suppressed] == [("pii.ward-bed", "allow-list")]
    assert [f.text for f in result.findings if f.rule == "pii.ward-bed"] == ["bed 3"]
