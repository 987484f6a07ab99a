"""Spelling repair (socialscreen/prepare/spelling.py): a disguised word is read as the word it
disguises; ordinary text, names, places, handles and addresses are never touched; offsets
still map back to the text as given."""
import pytest

from socialscreen.prepare import normalise


@pytest.mark.parametrize("given, read", [
    ("I hate wmoen so much", "I hate women so much"),          # two letters swapped
    ("I ahte women", "I hate women"),                          # the first two swapped
    ("you are an idoit", "you are an idiot"),
    ("All muslmis shoudl leave", "All muslims should leave"),   # a target, then a common word
    ("women are disgustign", "women are disgusting"),
    ("ihatewomen", "i hate women"),                            # run together
    ("Ihatewomen", "I hate women"),                            # at the start, three pieces with a target
    ("I hate wo men", "I hate women"),                         # a space inside a target
    ("mus lims are scum", "muslims are scum"),
])
def test_repairs(given, read):
    assert normalise(given).text == read


@pytest.mark.parametrize("text", [
    "Penistone is lovely", "off to penistone", "Scunthorpe United", "scunthorpe", "Middlesex", "Sussex",
    "Cockermouth", "cockfosters tube", "Met Dr Wmoen at the clinic",      # a capitalised word mid-sentence
    "this is lam", "@johnsmith you ok", "#proudtocare", "email john.smith@nhs.net",
    "Llanfairpwllgwyngyll is lovely", "innit bruv", "gr8 shift", "Fanny was lovely", "Dick Whittington",
    "our lovely ward manager", "Ward 7B, bed 4, Mr Smyth", "Mozzies were biting all night",   # not a slur
    "he couldn't care less", "wouldn't mind", "username bankstaff and password welcome", "wardlife is mad", "Motherf***er nicked my lunch",
])
def test_leaves_alone(text):
    assert normalise(text).text == text


def test_offsets_map_back_to_the_text_as_given():
    text = "honestly ihatewomen and wmoen are worse"
    norm = normalise(text)
    i = norm.text.index("women")
    assert text[slice(*norm.to_original(i, i + 5))] == "women"          # inside "ihatewomen"
    j = norm.text.index("women", i + 1)
    assert text[slice(*norm.to_original(j, j + 5))] == "wmoen"
