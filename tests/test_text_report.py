"""The terminal report: each span shown in its line (underlined in colour, marked with ^ without),
colour only on a terminal and never with NO_COLOR, --only-flagged, and nothing from a post sent
to the terminal as a control sequence."""
from __future__ import annotations

import io

import socialscreen
from socialscreen.io.writers import TextWriter


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _report(out, post, **kw):
    w = TextWriter(out, **kw)
    r = socialscreen.Screener("b3", context=None).screen(post.text)
    w.write(r.to_dict() | {"id": "p1"}, post=post)
    w.close()
    return out.getvalue()


def test_span_marked_in_its_line_without_colour():
    post = socialscreen.Post.build("The rota this month is a fucking joke, honestly")
    text = _report(io.StringIO(), post)
    lines = text.splitlines()
    marked = [line[m.index("^"):m.index("^") + m.count("^")] for line, m in zip(lines, lines[1:])
              if m.strip() and set(m.strip()) == {"^"}]
    assert "fucking" in marked                                  # the carets sit under the span
    assert "\x1b[" not in text


def test_colour_on_a_terminal_and_no_color_respected(monkeypatch):
    post = socialscreen.Post.build("The rota this month is a fucking joke, honestly")
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = _report(Terminal(), post)
    assert "\x1b[4mfucking\x1b[0m" in coloured and "\x1b[1;33mREVIEW" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in _report(Terminal(), post)


def test_post_text_is_inert_even_in_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    post = socialscreen.Post.build("\x1b]52;c;ZXZpbA==\x07 what a fucking mess \x1b[2J")
    out = _report(Terminal(), post)
    assert "\x1b]52" not in out and "\x1b[2J" not in out and "\x07" not in out


def test_only_flagged_leaves_out_passes():
    out = io.StringIO()
    w = TextWriter(out, only_flagged=True)
    s = socialscreen.Screener("b3", context=None)
    for i, t in enumerate(["Lovely day at the allotment", "what a fucking mess"]):
        w.write(s.screen(t).to_dict() | {"id": f"p{i}"}, post=socialscreen.Post.build(t))
    w.close()
    assert "[p0]" not in out.getvalue() and "[p1]" in out.getvalue()
    assert out.getvalue().rstrip().endswith("2 posts screened: 0 block, 1 review, 1 pass")
