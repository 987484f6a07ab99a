"""The screen-as-you-type page in a real headless browser (Debian's chromium and chromedriver,
driven by selenium) against the real service: highlights appear in place, a post holding HTML
and script is shown as text and never run, the keyboard path works, and the page's
accessibility basics hold. SOCIALSCREEN_SCREENSHOT=path saves a screenshot of the page."""
from __future__ import annotations

import os
import time

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
webdriver = pytest.importorskip("selenium.webdriver")

from browser import chromium  # noqa: E402
from serve_helpers import running_server  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

HOSTILE = ("Lovely to see Mrs Hilda Barnes today, NHS number 943 476 5919 "
           "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> #proud")


@pytest.fixture(scope="module")
def browser_and_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("page"), "--policy", "walton-centre") as (base, log_path):
        driver = chromium(browser_log=True)
        try:
            yield driver, base, log_path
        finally:
            driver.quit()


def wait(driver, cond, timeout=60):
    # the page re-renders the findings as results arrive: an element read mid-render is stale, so look again
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: cond(d))


def active_id(driver):
    return driver.execute_script("var a = document.activeElement; return a ? (a.id || a.tagName) : null;")


def test_page_headers_offline_and_strict_csp(browser_and_server):
    _, base, _ = browser_and_server
    r = httpx.get(base + "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    html = r.text
    assert "<script>" not in html and "style=" not in html and " on" + "click=" not in html   # nothing inline
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html   # no CDN
    for asset in ("/static/app.js", "/static/app.css"):
        a = httpx.get(base + asset)
        assert a.status_code == 200 and "innerHTML =" not in a.text


def test_typing_highlights_in_place_and_shows_html_as_text(browser_and_server, tmp_path):
    driver, base, log_path = browser_and_server
    driver.get(base + "/")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#policy option"))
    assert driver.find_element(By.ID, "policy").get_attribute("value") == "walton-centre"
    box = driver.find_element(By.ID, "post")
    box.click()
    box.send_keys(HOSTILE)                                  # typed key by key: debounced screening
    marks = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#backdrop mark"))
    texts = [m.get_attribute("textContent") for m in marks]
    assert "943 476 5919" in texts
    assert any("Hilda Barnes" in t for t in texts)
    verdict = driver.find_element(By.ID, "verdict")
    assert verdict.text.startswith("Do not post")
    assert verdict.get_attribute("aria-live") == "polite" and verdict.get_attribute("role") == "status"
    # the script and the img are text: in the highlighted copy and never as elements; nothing ran
    backdrop = driver.find_element(By.ID, "backdrop")
    assert "<script>window.__pwned = 1</script>" in backdrop.get_attribute("textContent")
    for where in ("#backdrop", "#findings", "#verdict", "#at-caret"):
        assert driver.find_elements(By.CSS_SELECTOR, f"{where} script, {where} img") == []
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    # each finding: the message, the clause quoted and what to do
    items = driver.find_elements(By.CSS_SELECTOR, "#findings li")
    assert len(items) >= 2
    nhs = next(li for li in items if "943 476 5919" in li.text)
    assert "NHS number" in nhs.text
    assert "\u201cPost any comments relating to patients.\u201d" in nhs.text
    assert "What to do:" in nhs.text
    # the marks line up with the text box: same text, same offsets
    assert driver.execute_script("return document.getElementById('backdrop').textContent") == HOSTILE + "\n"
    # no CSP violation or script error on the page
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    shot = os.environ.get("SOCIALSCREEN_SCREENSHOT")
    if shot:
        driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
        time.sleep(0.3)
        driver.save_screenshot(shot)


def test_keyboard_path(browser_and_server):
    driver, base, _ = browser_and_server
    driver.get(base + "/")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#policy option"))
    driver.execute_script("document.activeElement && document.activeElement.blur(); document.body.focus();")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    order = [active_id(driver)]
    for _ in range(6):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        order.append(active_id(driver))
    assert order[:5] == ["A", "post", "policy", "account", "profile"], order     # skip link first
    # type with the keyboard alone, then Tab on to the results
    for _ in range(6):                                            # back to the text box with Shift+Tab
        if active_id(driver) == "post":
            break
        driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    assert active_id(driver) == "post"
    driver.switch_to.active_element.send_keys("Patient NHS number 943 476 5919 seen today")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#findings li"))
    driver.switch_to.active_element.send_keys(Keys.TAB)          # post -> policy
    # pack select by keyboard: choose another pack, the draft is screened again under it
    driver.switch_to.active_element.send_keys(Keys.HOME)          # the first pack (walton-centre is last)
    wait(driver, lambda d: d.find_element(By.ID, "policy").get_attribute("value") != "walton-centre", 30)
    chosen = driver.find_element(By.ID, "policy").get_attribute("value")
    wait(driver, lambda d: any(f"({chosen} section" in q.text
                               for q in d.find_elements(By.CSS_SELECTOR, "#findings blockquote")))
    for _ in range(8):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if active_id(driver).startswith("finding-"):
            break
    assert active_id(driver) == "finding-1"
    first = driver.switch_to.active_element
    if "disclaimer" in first.text.lower():                        # a staff post with no "views my own" comes first
        first.send_keys(Keys.TAB)
        assert active_id(driver) == "finding-2"
        first = driver.switch_to.active_element
    assert "What to do:" in first.text
    first.send_keys(Keys.ENTER)                                   # Enter selects the words in the draft
    assert active_id(driver) == "post"
    sel = driver.execute_script("var p = document.getElementById('post');"
                                "return p.value.slice(p.selectionStart, p.selectionEnd);")
    assert sel == "943 476 5919"
    assert "At the cursor:" in driver.find_element(By.ID, "at-caret").text


def test_accessibility_basics(browser_and_server):
    driver, base, _ = browser_and_server
    driver.get(base + "/")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#policy option"))
    assert driver.execute_script("return document.documentElement.lang") == "en-GB"
    unlabelled = driver.execute_script("""
        return Array.from(document.querySelectorAll('input, select, textarea'))
          .filter(function (e) { return !e.closest('[hidden]'); })
          .filter(function (e) { return !document.querySelector('label[for="' + e.id + '"]'); })
          .map(function (e) { return e.id || e.name; });""")
    assert unlabelled == []
    assert driver.find_element(By.ID, "backdrop").get_attribute("aria-hidden") == "true"
    # contrast of the verdict banner in each state, of the hints and of the severity badges (>= 4.5:1)
    ratios = driver.execute_script("""
        function lum(c) { var v = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(function (x) {
            x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
          return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
        function ratio(e) { var s = getComputedStyle(e), a = lum(s.color), b = lum(s.backgroundColor);
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }
        var v = document.getElementById('verdict'), out = {};
        ['none', 'pass', 'review', 'block'].forEach(function (k) { v.className = 'verdict verdict-' + k; out[k] = ratio(v); });
        ['high', 'medium', 'low'].forEach(function (k) { var b = document.createElement('span');
          b.className = 'badge sev-' + k; document.body.appendChild(b); out['badge-' + k] = ratio(b); b.remove(); });
        return out;""")
    assert all(r >= 4.5 for r in ratios.values()), ratios
