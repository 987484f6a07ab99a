from hypothesis import given, settings, strategies as st

from socialscreen.prepare import normalise


def test_folds_lookalikes_and_invisibles_with_offsets():
    n = normalise("ｆ\u200bսck")
    assert n.text == "fuck"
    assert n.to_original(0, 4) == (0, 5)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_offset_map_is_monotone_and_in_bounds(s):
    n = normalise(s)
    assert len(n.origin) == len(n.text) + 1
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(s)
    assert list(n.origin) == sorted(n.origin)
