"""People lists (issue 10): the people an organisation supports, and those whose consent is
recorded, stored only as salted hashes; found in posts with typos, nicknames and spacing."""
import json
import re
import subprocess
import sys

import pytest

from socialscreen import PeopleList, Screener, SocialScreenError

PEOPLE = ["Margaret Hughes", "Derek O'Neill", "943 476 5919", "QQ 12 34 56 C"]


@pytest.fixture(scope="module")
def people_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("people")
    (folder / "names.txt").write_text("# the people we support\n" + "\n".join(PEOPLE) + "\n", encoding="utf-8")
    out = folder / "people.json"
    run = subprocess.run([sys.executable, "-m", "socialscreen", "people", str(folder / "names.txt"), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Margaret" not in run.stderr and "Hughes" not in run.stderr
    return out


def test_the_stored_file_holds_no_clear_value(people_file):
    raw = people_file.read_text(encoding="utf-8")
    data = json.loads(raw)
    assert set(data) == {"format", "purpose", "salt", "exact", "fuzzy"}
    values = data["exact"] + data["fuzzy"] + [data["salt"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", v) for v in values)
    lowered = raw.lower()
    for person in PEOPLE:
        for word in re.findall(r"[a-z']+", person.lower()):
            if len(word) > 2:
                assert word not in lowered
        digits = "".join(ch for ch in person if ch.isdigit())
        if len(digits) >= 8:
            assert digits not in raw
    for nickname in ("peggy", "maggie", "o'neill", "oneill"):
        assert nickname not in lowered


def test_two_lists_of_the_same_people_share_no_hash():
    a, b = PeopleList.build(PEOPLE), PeopleList.build(PEOPLE)
    assert not (a.exact & b.exact)                      # a fresh salt each time


@pytest.mark.parametrize("post, written", [
    ("Lovely afternoon at the allotment with Margaret Hughes", "Margaret Hughes"),
    ("Lovely afternoon at the allotment with Peggy Hughes", "Peggy Hughes"),           # nickname
    ("Lovely afternoon at the allotment with Magaret Hughes", "Magaret Hughes"),       # a letter dropped
    ("Lovely afternoon at the allotment with Margaret Hguhes", "Margaret Hguhes"),     # two swapped
    ("Lovely afternoon at the allotment with MargaretHughes", "MargaretHughes"),       # spacing
    ("Can someone ring Mrs Hughes back about her lunch", "Mrs Hughes"),
    ("Derek ONeill is back on the ward", "Derek ONeill"),
    ("Number for the file: 94347 65919", "94347 65919"),
    ("Her NI is qq123456c", "qq123456c"),
])
def test_people_on_the_list_are_found_however_written(people_file, post, written):
    people = PeopleList.load(people_file)
    found = [post[s:e] for s, e in people.find(post)]
    assert found == [written]


@pytest.mark.parametrize("post", [
    "Margaret Thatcher's statue is going up in Grantham",
    "Hughes Street is closed for roadworks",
    "Margaret and the team did a brilliant job",
    "Derek Jacobi was on the telly last night",
])
def test_others_are_not(people_file, post):
    assert PeopleList.load(people_file).find(post) == []


def test_a_screener_flags_them_with_a_label_and_says_why(people_file):
    s = Screener("b3", known_people=str(people_file))
    r = s.screen("Lovely afternoon at the allotment with Peggy Hughes from the day centre")
    f = [f for f in r.findings if f.rule == "known.service-user"]
    assert [x.text for x in f] == ["Peggy Hughes"]
    assert f[0].label == "NAME" and "list of people it supports" in f[0].why
    assert "Peggy" not in f[0].why and "Hughes" not in f[0].why
    assert not [x for x in Screener("b3").screen("Lovely afternoon with Peggy Hughes").findings
                if x.rule == "known.service-user"]            # no list, no hits


def test_consented_people_are_suppressed_and_counted(tmp_path):
    consented = PeopleList.build(["Hilda Barnes"], purpose="consented")
    path = tmp_path / "consented.json"
    consented.save(path)
    post = "Mrs Hilda Barnes in bed 4 on Ward 7 is going home today after a long stay with us"
    plain = Screener("b3").screen(post)
    assert any(f.text == "Hilda Barnes" or "Barnes" in f.text for f in plain.findings
               if f.category == "service_user_identifier")
    cleared = Screener("b3", consented=str(path)).screen(post)
    assert not any("Barnes" in f.text for f in cleared.findings)
    assert any(s.by == "consent" for s in cleared.suppressed)
    assert any(f.text == "bed 4" or "bed 4" in f.text for f in cleared.findings)   # the rest still stands


def test_lists_are_checked_when_read(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "socialscreen-people/1", "salt": "x", "exact": ["Margaret Hughes"]}')
    with pytest.raises(SocialScreenError) as err:
        PeopleList.load(bad)
    assert "Margaret" not in str(err.value) and "32 hexadecimal" in str(err.value)
    wrong = tmp_path / "wrong.json"
    PeopleList.build(["A Person"], purpose="consented").save(wrong)
    with pytest.raises(SocialScreenError, match="not 'service_users'"):
        Screener("b3", known_people=str(wrong))
