"""Packs load, validate strictly, and map categories to clauses per account."""
import textwrap

import pytest

from socialscreen import DataError, UnknownPolicyError, load_pack, load_packs
from socialscreen.packs import parse_pack
from socialscreen.rules import CATEGORIES, load_rules

PACKS = ["stass", "focus", "community-group", "walton-centre", "b3"]


def test_all_five_packs_load():
    packs = load_packs()
    assert set(PACKS) <= set(packs)
    for pid in PACKS:
        pack = packs[pid]
        assert pack.organisation.name
        for cid, clause in pack.clauses.items():
            assert clause.quote and clause.title and clause.section
            assert cid.split("/")[0] == clause.section


def test_disclaimer_only_where_the_policy_has_a_clause():
    packs = load_packs()
    for pid in ("stass", "focus", "community-group"):
        assert not packs[pid].applies("missing_disclaimer", "personal")
    for pid in ("walton-centre", "b3"):
        assert packs[pid].applies("missing_disclaimer", "personal")
        assert not packs[pid].applies("missing_disclaimer", "official")


def test_core_categories_mapped_for_every_pack():
    for pid in PACKS:
        pack = load_pack(pid)
        for cat in CATEGORIES[:4]:
            for account in ("personal", "official"):
                assert pack.clauses_for(f"x.{cat}", cat, account), (pid, cat, account)


def test_rule_override_wins_over_category():
    pack = load_pack("b3")
    sections = {c.section for c in pack.clauses_for("offensive.sexual", "offensive_language", "personal")}
    assert "3.4.9" in sections


def test_unknown_policy_names_the_installed_ones():
    with pytest.raises(UnknownPolicyError, match="walton-centre"):
        load_pack("nope")


def _pack(tmp_path, body, name="mine"):
    p = tmp_path / f"{name}.yaml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


GOOD = """
id: mine
policy: {title: Our policy}
organisation: {name: Hope Cafe, aliases: [Hope]}
clauses:
  - {id: "1.1", section: "1.1", title: Be kind, quote: "Be kind online."}
categories:
  offensive_language: {personal: ["1.1"], official: ["1.1"]}
"""


def test_users_can_write_their_own_pack(tmp_path, screeners):
    path = _pack(tmp_path, GOOD)
    pack = load_pack(str(path))
    assert pack.organisation.names() == ("Hope Cafe", "Hope")
    import socialscreen
    result = socialscreen.Screener(str(path)).screen("what a load of shit")
    assert [f.category for f in result.findings] == ["offensive_language"]
    assert result.findings[0].clauses[0].id == "1.1"


@pytest.mark.parametrize("mutation, field", [
    (GOOD.replace("categories:", "colour: blue\ncategories:"), "colour"),
    (GOOD.replace('personal: ["1.1"]', 'personal: ["9.9"]'), "categories.offensive_language.personal"),
    (GOOD.replace("offensive_language:", "rudeness:"), "categories.rudeness"),
    (GOOD.replace("personal: [", "weekend: ["), "categories.offensive_language.weekend"),
    (GOOD + '  - {id: "1.1", section: "1.1", title: x, quote: y}\n', None),
])
def test_bad_packs_get_errors_that_say_where(tmp_path, mutation, field):
    path = _pack(tmp_path, mutation)
    with pytest.raises(DataError) as err:
        load_pack(str(path))
    assert str(path) in str(err.value)
    if field:
        assert field in str(err.value)


def test_duplicate_yaml_keys_are_rejected(tmp_path):
    path = _pack(tmp_path, GOOD.replace("policy: {title: Our policy}", "policy: {title: A}\npolicy: {title: B}"))
    with pytest.raises(DataError, match="duplicate key"):
        load_pack(str(path))


def test_yaml_is_parsed_safely(tmp_path):
    path = _pack(tmp_path, "!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(DataError):
        load_pack(str(path))


def test_rule_ids_are_unique_and_families_match_folders():
    rules = load_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))


def test_bad_rule_file_is_reported_with_field(tmp_path):
    (tmp_path / "packs").mkdir()
    (tmp_path / "rules" / "x").mkdir(parents=True)
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "rules" / "x" / "a.yaml").write_text(
        "id: x.a\ncategory: offensive_language\nkind: lexicon\nseverity: huge\nmessage: m\n"
        "terms: [a]\nexamples: {flag: [a], pass: [b]}\n")
    with pytest.raises(DataError, match="severity"):
        load_rules(tmp_path)


def test_patterns_folder_from_the_environment(tmp_path, monkeypatch):
    import shutil

    from socialscreen.data import patterns_dir

    own = tmp_path / "mine"
    shutil.copytree(patterns_dir(), own)
    (own / "packs" / "b3.yaml").rename(own / "packs" / "ours.yaml")
    text = (own / "packs" / "ours.yaml").read_text(encoding="utf-8").replace("id: b3", "id: ours", 1)
    (own / "packs" / "ours.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("SOCIALSCREEN_PATTERNS", str(own))
    assert load_pack("ours").id == "ours"
    monkeypatch.setenv("SOCIALSCREEN_PATTERNS", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="SOCIALSCREEN_PATTERNS"):
        load_pack("b3")


def test_every_clause_is_mapped_or_marked_manual():
    """A clause no check cites must say so (`manual: true`): an unmapped clause is never a
    forgotten one."""
    for pid, pack in load_packs().items():
        loose = [c for c in pack.clauses if c not in pack.mapped() and c not in pack.manual]
        assert not loose, f"{pid}: map these clauses or mark them manual: true: {loose}"


def test_a_clause_cannot_be_both_manual_and_cited(tmp_path):
    from socialscreen.data import patterns_dir, read_yaml
    src = (patterns_dir() / "packs" / "b3.yaml").read_text(encoding="utf-8")
    bad = src.replace('  - id: "3.4.5"\n', '  - id: "3.4.5"\n    manual: true\n', 1)
    assert bad != src
    path = tmp_path / "b3.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError, match="manual"):
        parse_pack(read_yaml(path), path)


@pytest.mark.parametrize("label, error", [(None, "label: is required"), ("SHOE_SIZE", "'SHOE_SIZE' is not one of")])
def test_identifier_rules_say_which_kind_of_identifier(tmp_path, label, error):
    (tmp_path / "packs").mkdir()
    (tmp_path / "rules" / "x").mkdir(parents=True)
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "rules" / "x" / "a.yaml").write_text(
        "id: x.a\ncategory: service_user_identifier\nkind: lexicon\nseverity: high\nmessage: m\n"
        + (f"label: {label}\n" if label else "") + "terms: [a]\nexamples: {flag: [a], pass: [b]}\n")
    with pytest.raises(DataError, match=error):
        load_rules(tmp_path)


def test_every_identifier_finding_carries_its_label(screeners):
    post = ("Mrs Kaur in bed 4 on Ward 7, DOB 03/02/1941, NHS 943 476 5919, passport GB4417203, "
            "her son's car LK19 TPW is in the patient car park")
    found = screeners("b3").screen(post).findings
    labels = {f.text: f.to_dict().get("label") for f in found if f.category == "service_user_identifier"}
    assert labels.get("03/02/1941") == "DATE_OF_BIRTH"
    assert labels.get("943 476 5919") == "NHS_NUMBER"
    assert labels.get("GB4417203") == "PASSPORT_NUMBER"
    assert labels.get("LK19 TPW") == "VEHICLE_REGISTRATION"
    assert all(labels.values()), labels
    assert all("label" not in f.to_dict() for f in found if f.category != "service_user_identifier")
