"""socialscreen serve, for real: the service runs in a subprocess on a free local port and is
driven over HTTP with httpx. Every response is validated against the models the OpenAPI
description is built from; a malformed request, an oversized one, a wrong key and hostile
posts each get the right status and a JSON error, and the service keeps serving."""
from __future__ import annotations

import json
import threading

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

import socialscreen  # noqa: E402
from serve_helpers import running_server  # noqa: E402
from socialscreen.serve import models as m  # noqa: E402

KEY = "test-key-6f1c0e"
MARK = "ZQXJ-SECRET-POST-TEXT"          # must never appear in any log line
AUTH = {"Authorization": f"Bearer {KEY}"}
MAX_BODY, MAX_BATCH, MAX_CHARS = 20_000, 5, 2_000
NHS_POST = "Lovely to see Mrs Hilda Barnes today, NHS number 943 476 5919, doing well"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("serve"), "--policy", "walton-centre",
                        "--max-body", str(MAX_BODY), "--max-batch", str(MAX_BATCH), "--max-chars", str(MAX_CHARS),
                        env={"SOCIALSCREEN_API_KEY": KEY}) as (base, log_path):
        with httpx.Client(base_url=base, headers=AUTH, timeout=60) as client:
            yield client, log_path


def still_serving(client):
    assert client.get("/healthz").status_code == 200
    r = client.post("/v1/screen", json={"text": "Lovely walk along the canal with the dog this morning"})
    assert r.status_code == 200 and r.json()["verdict"] == "pass"


def error_of(r, status):
    assert r.status_code == status, r.text
    body = m.ErrorOut.model_validate(r.json())
    assert body.error
    return body.error


# -- the endpoints ----------------------------------------------------------------------------------

def test_screen_one_is_the_cli_json(server, screeners):
    client, _ = server
    r = client.post("/v1/screen", json={"text": NHS_POST, "id": "p1", "profile": "Nurse. Views my own."})
    assert r.status_code == 200
    body = r.json()
    m.ResultOut.model_validate(body)
    expected = screeners("walton-centre").screen(NHS_POST, id="p1", profile="Nurse. Views my own.").to_dict()
    assert body == json.loads(json.dumps(expected))
    assert body["verdict"] == "block"
    assert any(f["rule"] == "pii.nhs-number" for f in body["findings"])


def test_allow_in_a_request_suppresses_in_that_post_only(server):
    client, _ = server
    r = client.post("/v1/screen", json={"text": NHS_POST, "allow": [{"rule": "pii.nhs-number", "reason": "consent"}]})
    assert r.status_code == 200, r.text
    body = m.ResultOut.model_validate(r.json())
    assert "pii.nhs-number" not in {f.rule for f in body.findings}
    assert [(s.rule, s.by, s.reason) for s in body.suppressed] == [("pii.nhs-number", "allow", "consent")]
    error_of(client.post("/v1/screen", json={"text": NHS_POST, "allow": ["pii.nhs-numbr"]}), 422)
    r = client.post("/v1/screen/batch", json={"posts": [{"text": NHS_POST, "allow": ["pii.nhs-number"]},
                                                        {"text": NHS_POST, "allow": ["nope.nope"]}, NHS_POST]})
    first, bad, plain = r.json()
    m.ResultOut.model_validate(first)
    m.RecordErrorOut.model_validate(bad)
    assert first["suppressed"][0]["rule"] == "pii.nhs-number" and "allow entry 1" in bad["error"]
    assert "pii.nhs-number" in {f["rule"] for f in plain["findings"]}


def test_screen_one_other_pack_and_account(server, screeners):
    client, _ = server
    text = "This ward is a shambles and management are useless"
    r = client.post("/v1/screen", json={"text": text, "policy": "b3", "account": "official"})
    assert r.status_code == 200
    m.ResultOut.model_validate(r.json())
    assert r.json() == json.loads(json.dumps(screeners("b3").screen(text, account="official").to_dict()))


def test_batch_keeps_order_and_errors_in_place(server, screeners):
    client, _ = server
    posts = [{"id": "a", "text": NHS_POST}, {"id": "b", "text": 7}, "Lovely walk along the canal with the dog",
             {"id": "d", "text": "x", "policy": "../../etc/passwd"}, {"id": "e", "text": "y" * (MAX_CHARS + 1)}]
    r = client.post("/v1/screen/batch", json={"posts": posts})
    assert r.status_code == 200
    out = r.json()
    assert [x.get("id") for x in out] == ["a", "b", None, "d", "e"]
    for item in out:
        (m.RecordErrorOut if "error" in item else m.ResultOut).model_validate(item)
    assert out[0]["verdict"] == "block" and out[2]["verdict"] == "pass"
    assert out[1]["error"] and out[1]["verdict"] is None
    assert "policy" in out[3]["error"] and out[4]["error"]
    lib = list(screeners("walton-centre").screen_many([posts[0], posts[2]], errors="return"))
    assert [out[0], out[2]] == [json.loads(json.dumps(x.to_dict())) for x in lib]


def test_packs_clause_rule(server):
    client, _ = server
    packs = client.get("/v1/packs").json()
    for p in packs:
        m.PackOut.model_validate(p)
    assert {p["id"] for p in packs} == set(socialscreen.load_packs())
    c = client.get("/v1/packs/b3/clauses/3.4.5")
    assert c.status_code == 200
    m.ClauseDetailOut.model_validate(c.json())
    assert c.json()["quote"] == socialscreen.load_packs()["b3"].clauses["3.4.5"].quote
    rule = client.get("/v1/rules/pii.nhs-number")
    assert rule.status_code == 200
    m.RuleOut.model_validate(rule.json())
    assert any(x["policy"] == "walton-centre" for x in rule.json()["cites"])
    rules = client.get("/v1/rules").json()
    for x in rules:
        m.RuleSummaryOut.model_validate(x)
    assert "pii.nhs-number" in {x["id"] for x in rules}
    error_of(client.get("/v1/packs/nope/clauses/1"), 404)
    error_of(client.get("/v1/packs/b3/clauses/99.99"), 404)
    error_of(client.get("/v1/rules/no.such-rule"), 404)
    error_of(client.get("/v1/nothing-here"), 404)
    error_of(client.delete("/v1/screen"), 405)


def test_health_and_readiness(server):
    client, _ = server
    h = client.get("/healthz", headers={})
    m.HealthOut.model_validate(h.json())
    assert h.json()["auth"] is True
    r = client.get("/readyz")
    assert r.status_code == 200
    m.ReadyOut.model_validate(r.json())
    assert "walton-centre" in r.json()["loaded"]


def test_openapi_is_true(server):
    """The description's paths and methods are exactly the app's routes, and each documented
    path answers (not 404/405) when called as documented."""
    from socialscreen.serve import ServeConfig, create_app
    client, _ = server
    spec = client.get("/openapi.json").json()
    documented = {(meth.upper(), path) for path, ops in spec["paths"].items() for meth in ops}
    app = create_app(ServeConfig())
    routed = {(meth, r.path) for r in app.routes if getattr(r, "include_in_schema", False)
              for meth in getattr(r, "methods", ()) if meth != "HEAD"}
    assert documented == routed
    assert documented == {("POST", "/v1/screen"), ("POST", "/v1/screen/batch"), ("GET", "/v1/packs"),
                          ("GET", "/v1/packs/{pack_id}/clauses/{clause_id}"), ("GET", "/v1/rules"),
                          ("GET", "/v1/rules/{rule_id}"), ("GET", "/healthz"), ("GET", "/readyz")}
    fill = {"pack_id": "b3", "clause_id": "3.4.5", "rule_id": "pii.nhs-number"}
    for meth, path in sorted(documented):
        url = path.format(**fill)
        body = {"/v1/screen": {"text": "hello"}, "/v1/screen/batch": {"posts": ["hello"]}}.get(path)
        r = client.request(meth, url, json=body)
        assert r.status_code == 200, (meth, path, r.text)
        assert "200" in spec["paths"][path][meth.lower()]["responses"]
    # the request models are the ones documented
    schemas = spec["components"]["schemas"]
    assert set(schemas["ScreenRequest"]["properties"]) == set(m.ScreenRequest.model_fields)
    assert set(schemas["ResultOut"]["properties"]) == set(m.ResultOut.model_fields)
    assert set(schemas["FindingOut"]["properties"]) == set(m.FindingOut.model_fields)
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"].lower() == "bearer"


# -- safe by default --------------------------------------------------------------------------------

@pytest.mark.parametrize("body,where", [('{"text": "abc"', "character"), ("{text: 1}", "character"),
                                        ("", "JSON"), ('{"text": "a",}', "character")])
def test_malformed_json_is_400_saying_where(server, body, where):
    client, _ = server
    r = client.post("/v1/screen", content=body, headers={"content-type": "application/json"})
    msg = error_of(r, 400)
    assert "not valid JSON" in msg and where in msg
    still_serving(client)


def test_schema_errors_are_422_without_the_post(server):
    client, _ = server
    r = client.post("/v1/screen", json={"text": 42, "secret": MARK})
    assert r.status_code == 422 and MARK not in r.text
    m.ErrorOut.model_validate(r.json())
    assert any(d.startswith("body.text") for d in r.json()["details"])
    msg = error_of(client.post("/v1/screen", json={"text": MARK, "account": "corporate"}), 422)
    assert MARK not in json.dumps(msg)
    error_of(client.post("/v1/screen", json={"text": MARK, "policy": "nonexistent"}), 422)
    error_of(client.post("/v1/screen", json={"text": MARK, "policy": "/etc/passwd.yaml"}), 422)
    error_of(client.post("/v1/screen", content=f"text={MARK}",
                         headers={"content-type": "application/x-www-form-urlencoded"}), 415)
    error_of(client.post("/v1/screen/batch", json={"posts": "not a list"}), 422)
    still_serving(client)


def test_oversized_requests_are_413(server):
    client, _ = server
    msg = error_of(client.post("/v1/screen", json={"text": "a" * (MAX_BODY + 10)}), 413)
    assert str(MAX_BODY) in msg
    still_serving(client)

    def chunks():                                   # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY // 1000 + 5):
            yield b" " * 1000
    error_of(client.post("/v1/screen", content=chunks(), headers={"content-type": "application/json"}), 413)
    still_serving(client)
    msg = error_of(client.post("/v1/screen", json={"text": "a" * (MAX_CHARS + 1)}), 413)
    assert str(MAX_CHARS) in msg
    msg = error_of(client.post("/v1/screen/batch", json={"posts": ["a"] * (MAX_BATCH + 1)}), 413)
    assert str(MAX_BATCH) in msg
    still_serving(client)


def test_wrong_or_missing_key_is_401(server):
    client, _ = server
    for headers in ({"Authorization": "Bearer wrong"}, {"Authorization": ""}, {"Authorization": f"Basic {KEY}"},
                    {"Authorization": f"Bearer {KEY}x"}):
        r = client.post("/v1/screen", json={"text": "hello"}, headers=headers)
        error_of(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
        error_of(client.get("/v1/packs", headers=headers), 401)
    with httpx.Client(base_url=str(client.base_url)) as anon:
        error_of(anon.post("/v1/screen/batch", json={"posts": ["x"]}), 401)
        assert anon.get("/healthz").status_code == 200        # liveness needs no key
    still_serving(client)


HOSTILE = [
    f"<script>alert('{MARK}')</script><img src=x onerror=alert(1)>",
    f"{MARK} \u202e\u2066 reversed \u0000 nul \ufeff bom",
    f"{MARK} " + "(" * 1500,
    f"{MARK} \ud83d lone surrogate",
    f"{MARK} " + "\u0301" * 1000,
    "{{7*7}} ${7*7} %s %n " + MARK,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_posts_are_screened_or_refused_cleanly(server, text):
    client, _ = server
    body = json.dumps({"text": text, "id": "h"})            # ensure_ascii: a lone surrogate travels as \\ud83d
    r = client.post("/v1/screen", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        m.ResultOut.model_validate(r.json())
        assert r.headers["content-type"].startswith("application/json")
    else:
        assert MARK not in r.text
    still_serving(client)


def test_concurrent_requests_share_one_screener(server):
    client, _ = server
    statuses = []

    def hit():
        with httpx.Client(base_url=str(client.base_url), headers=AUTH, timeout=60) as c:
            for _ in range(5):
                statuses.append(c.post("/v1/screen", json={"text": NHS_POST}).json()["verdict"])
    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == ["block"] * 40
    assert client.get("/readyz").json()["loaded"] == ["b3", "walton-centre"]       # built once each, lazily


def test_security_headers_and_no_cors(server):
    client, _ = server
    r = client.get("/healthz")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    pre = client.options("/v1/screen", headers={"Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    r = client.post("/v1/screen", json={"text": "hi"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    assert "server" not in r.headers


def test_no_post_text_in_any_log_line(server):
    """Every request above (and these) carried MARK in a body, query, path or header: the log,
    uvicorn's included, names routes and statuses only."""
    client, log_path = server
    client.post("/v1/screen", json={"text": f"{MARK} Mrs Hilda Barnes NHS 943 476 5919"})
    client.post(f"/v1/screen?text={MARK}", json={"text": MARK})
    client.get(f"/v1/rules/{MARK}")
    client.get(f"/v1/packs/{MARK}/clauses/{MARK}")
    client.get(f"/{MARK}?q={MARK}")
    client.post("/v1/screen", content=f'{{"text": "{MARK}', headers={"content-type": "application/json"})
    client.post("/v1/screen", json={"text": MARK}, headers={"Authorization": f"Bearer {MARK}"})
    client.post("/v1/screen/batch", json={"posts": [MARK, {"text": MARK, "id": 1}, {"text": [MARK]}]})
    client.get("/healthz", headers={"User-Agent": MARK, "Referer": MARK})
    still_serving(client)
    import time
    time.sleep(0.5)
    log = log_path.read_text(errors="replace")
    assert '"POST /v1/screen" 200' in log and '"GET /v1/rules/{rule_id}" 404' in log      # it does log
    assert MARK not in log
    assert "Hilda" not in log and "943 476 5919" not in log


def test_cors_when_configured(tmp_path):
    with running_server(tmp_path, "--model", "none", "--cors-origin", "https://comms.example") as (base, _):
        r = httpx.options(base + "/v1/screen", headers={"Origin": "https://comms.example",
                                                        "Access-Control-Request-Method": "POST"})
        assert r.headers.get("access-control-allow-origin") == "https://comms.example"
        r = httpx.options(base + "/v1/screen", headers={"Origin": "https://evil.example",
                                                        "Access-Control-Request-Method": "POST"})
        assert r.headers.get("access-control-allow-origin") != "https://evil.example"
        # no --policy and no key: a request names its pack
        error_of(httpx.post(base + "/v1/screen", json={"text": "hi"}), 422)
        assert httpx.post(base + "/v1/screen", json={"text": "hi", "policy": "b3"}, timeout=120).json()["verdict"] == "pass"
