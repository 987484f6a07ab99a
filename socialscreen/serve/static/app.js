// The screen-as-you-type page. Post text only ever reaches the page as text nodes
// (createTextNode / textContent); no innerHTML anywhere. Served under a CSP with no inline script.
"use strict";

(function () {
  var DEBOUNCE_MS = 300;
  var $ = function (id) { return document.getElementById(id); };
  var post = $("post"), policy = $("policy"), account = $("account"), profile = $("profile");
  var apikey = $("apikey"), keyField = $("key-field"), backdrop = $("backdrop");
  var verdict = $("verdict"), problem = $("problem"), findingsList = $("findings"), atCaret = $("at-caret");
  var fixes = {};                 // rule id -> what to do
  var timer = null, inFlight = null, seq = 0;
  var current = { text: "", findings: [] };   // the findings shown, offsets in UTF-16 units of text

  function headers(json) {
    var h = {};
    if (json) { h["Content-Type"] = "application/json"; }
    if (apikey.value) { h["Authorization"] = "Bearer " + apikey.value; }
    return h;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function showProblem(message) {
    if (!message) { problem.hidden = true; problem.textContent = ""; return; }
    problem.textContent = message;
    problem.hidden = false;
  }

  function getJSON(url) {
    return fetch(url, { headers: headers(false) }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body && body.error ? body.error : "the service answered " + r.status); }
        return body;
      });
    });
  }

  // Python counts code points; the DOM counts UTF-16 units. Map one to the other.
  function codePointToUnits(text) {
    var map = [0], units = 0;
    for (var ch of text) { units += ch.length; map.push(units); }
    return map;
  }

  function loadSettings() {
    return getJSON("/healthz").then(function (health) {
      keyField.hidden = !health.auth;
      if (health.auth && !apikey.value) {
        showProblem("This service needs an API key: enter it under API key.");
        return;
      }
      return Promise.all([getJSON("/v1/packs"), getJSON("/v1/rules")]).then(function (both) {
        var packs = both[0], rules = both[1], chosen = policy.value || health.policy;
        clear(policy);
        packs.forEach(function (p) {
          var o = el("option", null, p.organisation + ": " + p.title);
          o.value = p.id;
          policy.appendChild(o);
        });
        if (chosen) { policy.value = chosen; }
        fixes = {};
        rules.forEach(function (r) { fixes[r.id] = r.fix; });
        showProblem("");
        schedule(0);
      });
    }).catch(function (e) { showProblem("Could not reach the screening service: " + e.message); });
  }

  function schedule(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(screenNow, delay === undefined ? DEBOUNCE_MS : delay);
  }

  function screenNow() {
    var text = post.value;
    if (!policy.value) { return; }
    if (!text.trim()) { render(text, null); return; }
    if (inFlight) { inFlight.abort(); }
    var mine = ++seq, ctrl = new AbortController();
    inFlight = ctrl;
    var body = { text: text, policy: policy.value, account: account.value };
    if (profile.value.trim()) { body.profile = profile.value; }
    verdict.setAttribute("aria-busy", "true");
    fetch("/v1/screen", { method: "POST", headers: headers(true), body: JSON.stringify(body), signal: ctrl.signal })
      .then(function (r) {
        return r.json().then(function (res) {
          if (mine !== seq) { return; }               // a newer draft is on its way
          if (!r.ok) { showProblem(res && res.error ? res.error : "the service answered " + r.status); return; }
          showProblem("");
          render(text, res);
        });
      })
      .catch(function (e) { if (e.name !== "AbortError") { showProblem("Could not screen the draft: " + e.message); } })
      .finally(function () { if (mine === seq) { verdict.removeAttribute("aria-busy"); inFlight = null; } });
  }

  var VERDICT_TEXT = {
    pass: "Pass: nothing in this draft breaches the policy that socialscreen can check.",
    review: "Review before posting",
    block: "Do not post this draft as it is"
  };

  function setVerdict(kind, text) {
    verdict.className = "verdict verdict-" + kind;
    if (verdict.textContent !== text) { verdict.textContent = text; }   // re-announced only when it changes
  }

  function render(text, result) {
    var findings = [];
    if (result) {
      var map = codePointToUnits(text);
      findings = result.findings.filter(function (f) { return f.attachment === undefined; }).map(function (f, i) {
        return { n: i + 1, f: f, start: map[f.start], end: map[f.end] };
      });
    }
    current = { text: text, findings: findings };
    drawBackdrop(text, findings);
    drawList(findings);
    if (!result) { setVerdict("none", "Type a draft to screen it."); return; }
    var n = findings.length, high = findings.filter(function (x) { return x.f.severity === "high"; }).length;
    var tail = n ? ": " + n + (n === 1 ? " finding" : " findings") + (high ? ", " + high + " high severity" : "") +
      ". See the list of findings below." : "";
    setVerdict(result.verdict, (VERDICT_TEXT[result.verdict] || result.verdict) + (result.verdict === "pass" ? "" : tail));
    showAtCaret();
  }

  // The highlights, in place: a copy of the text behind the (transparent) text box, with marks.
  function drawBackdrop(text, findings) {
    clear(backdrop);
    var at = 0;
    findings.slice().sort(function (a, b) { return a.start - b.start; }).forEach(function (x) {
      if (x.start < at) { return; }                 // overlapping: the first one drawn wins
      backdrop.appendChild(document.createTextNode(text.slice(at, x.start)));
      var mark = el("mark", "sev-" + x.f.severity, text.slice(x.start, x.end));
      mark.id = "mark-" + x.n;
      backdrop.appendChild(mark);
      at = x.end;
    });
    backdrop.appendChild(document.createTextNode(text.slice(at) + "\n"));
    syncScroll();
  }

  function clauseText(c) {
    return c.title + " (" + c.policy + " section " + c.section + "): \u201c" + c.quote + "\u201d";
  }

  function drawList(findings) {
    clear(findingsList);
    findings.forEach(function (x) {
      var f = x.f, li = el("li", "finding sev-" + f.severity);
      li.id = "finding-" + x.n;
      li.tabIndex = 0;
      li.setAttribute("aria-describedby", "finding-hint");
      var head = el("p", "finding-head");
      head.appendChild(el("span", "badge sev-" + f.severity, f.severity + " severity"));
      head.appendChild(document.createTextNode(" " + f.category.replace(/_/g, " ") + ": "));
      head.appendChild(el("q", "span-text", f.text));
      li.appendChild(head);
      li.appendChild(el("p", "message", f.message));
      var clauses = el("div", "clauses");
      clauses.appendChild(el("p", "label", f.clauses.length === 1 ? "Policy clause" : "Policy clauses"));
      f.clauses.forEach(function (c) { clauses.appendChild(el("blockquote", null, clauseText(c))); });
      li.appendChild(clauses);
      var todo = fixes[f.rule] || "Take this out or reword it before you post.";
      var fix = el("p", "fix");
      fix.appendChild(el("strong", null, "What to do: "));
      fix.appendChild(document.createTextNode(todo));
      li.appendChild(fix);
      li.addEventListener("focus", function () { activate(x.n, true); });
      li.addEventListener("blur", function () { activate(x.n, false); });
      li.addEventListener("mouseenter", function () { activate(x.n, true); });
      li.addEventListener("mouseleave", function () { activate(x.n, false); });
      li.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectSpan(x); }
      });
      li.addEventListener("click", function () { selectSpan(x); });
      findingsList.appendChild(li);
    });
    if (findings.length) {
      var hint = $("finding-hint") || el("p", "hint", "Press Enter on a finding to select its words in the draft.");
      hint.id = "finding-hint";
      findingsList.parentNode.insertBefore(hint, findingsList);
    } else if ($("finding-hint")) {
      $("finding-hint").remove();
    }
  }

  function activate(n, on) {
    var mark = $("mark-" + n);
    if (mark) { mark.classList.toggle("active", on); }
  }

  function selectSpan(x) {
    post.focus();
    post.setSelectionRange(x.start, x.end);
    showAtCaret();
  }

  // What the caret is in: the finding under it, shown (and readable) next to the text box.
  function showAtCaret() {
    var pos = post.selectionStart, hit = null;
    current.findings.forEach(function (x) { if (!hit && pos >= x.start && pos <= x.end && post.value === current.text) { hit = x; } });
    clear(atCaret);
    if (!hit) { return; }
    atCaret.appendChild(el("strong", null, "At the cursor: "));
    atCaret.appendChild(document.createTextNode(hit.f.message + " "));
    atCaret.appendChild(el("span", null, "What to do: " + (fixes[hit.f.rule] || "Take this out or reword it before you post.")));
  }

  function syncScroll() { backdrop.scrollTop = post.scrollTop; backdrop.scrollLeft = post.scrollLeft; }

  post.addEventListener("input", function () {
    // until the next result, the old marks would sit on the wrong words: hide them
    if (post.value !== current.text) { clear(backdrop); backdrop.appendChild(document.createTextNode(post.value + "\n")); }
    schedule();
  });
  post.addEventListener("scroll", syncScroll);
  ["keyup", "click", "select"].forEach(function (ev) { post.addEventListener(ev, showAtCaret); });
  [policy, account].forEach(function (s) { s.addEventListener("change", function () { schedule(0); }); });
  profile.addEventListener("input", function () { schedule(); });
  apikey.addEventListener("change", loadSettings);
  $("form").addEventListener("submit", function (e) { e.preventDefault(); schedule(0); });
  loadSettings();
})();
