"""The HTML report in a real headless browser (Debian's chromium through selenium): the summary
comes first, each flagged post is shown in full with its problems highlighted in place and
explained, the CSS filters work without any script, clean posts are folded away, and a post
holding HTML or script is shown as text and never run. SOCIALSCREEN_SCREENSHOT=path saves a
screenshot."""
from __future__ import annotations

import json
import os

import pytest

from socialscreen.cli import main

webdriver = pytest.importorskip("selenium.webdriver")
from browser import chromium  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

POSTS = [
    {"id": "nhs", "text": "Lovely to see Mrs Hilda Barnes on the ward, NHS number 943 476 5919 "
                          "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"},
    {"id": "rota", "text": "This rota is a fucking joke"},
    {"id": "fine", "text": "Coffee morning in Scunthorpe on Friday, all welcome"},
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    posts = folder / "posts.jsonl"
    posts.write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    out = folder / "report.html"
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["check", "--policy", "b3", "--format", "html", str(posts)])
    assert rc == 1
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def test_the_report_is_self_contained_and_safe(report):
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page.replace("&lt;script", "")                 # no script of its own
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page         # the post's, as text
    assert "http://" not in page and "https://" not in page                 # nothing from a network
    assert page.index("Summary") < page.index("Posts to act on") < page.index("fine to publish")
    assert "The policy says" in page and "What to do:" in page


@pytest.fixture(scope="module")
def browser():
    driver = chromium(window="1100,1400")
    yield driver
    driver.quit()


def test_in_a_browser_highlights_filters_and_nothing_runs(report, browser):
    browser.get(report.as_uri())
    assert browser.execute_script("return window.__pwned === undefined")
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".post mark")]
    assert any("943 476 5919" in m for m in marks) and any("fucking" in m for m in marks)
    posts = lambda: [p for p in browser.find_elements(By.CSS_SELECTOR, ".posts .post") if p.is_displayed()]
    assert len(posts()) == 2                                               # the clean post is folded away
    browser.find_element(By.CSS_SELECTOR, "label[for=fv-block]").click()   # "Do not publish" only
    assert [p.find_element(By.TAG_NAME, "h3").text.split(":")[0] for p in posts()] == ["nhs"]
    browser.find_element(By.CSS_SELECTOR, "label[for=fv-all]").click()
    assert len(posts()) == 2
    if os.environ.get("SOCIALSCREEN_SCREENSHOT"):
        browser.save_screenshot(os.environ["SOCIALSCREEN_SCREENSHOT"])
