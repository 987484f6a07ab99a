"""socialscreen serve under concurrency, for real (a subprocess on a free port, driven over HTTP):
the screening processes (--screen-processes), the in-worker thread (--screen-processes 0) and
several workers (--workers) each give every concurrent request its own post's result, identical
to the library's; batches longer than one spaCy batch come back whole and in order; a screening
process that dies fails only the requests it held (503, a JSON error) and is replaced, and the
service goes on."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from serve_helpers import running_server  # noqa: E402
from socialscreen.serve import models as m  # noqa: E402

PEOPLE = ["Hilda Barnes", "Arthur Pike", "Nora Quill", "Dev Patel", "Ines Ward"]
NUMBERS = ["943 476 5919", "401 023 2137", "485 777 3456"]


def posts(n):
    """n different posts: clean, a patient named, an NHS number, swearing, a disclaimer missing."""
    out = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            text = f"Great turnout at the fun run number {i}, thank you all"
        elif kind == 1:
            text = f"Lovely to see Mrs {PEOPLE[i % len(PEOPLE)]} on ward {i} today, doing well"
        elif kind == 2:
            text = f"Reminder {i}: patient NHS number {NUMBERS[i % len(NUMBERS)]} needs a follow-up"
        elif kind == 3:
            text = f"What a shit day on shift {i}, management are useless"
        else:
            text = f"Our trust's new policy {i} on parking is a disgrace"
        out.append({"id": f"p{i}", "text": text, "account": "official" if i % 7 == 0 else "personal"})
    return out


def library(screeners, policy, post):
    r = screeners(policy).screen(post["text"], id=post["id"], account=post["account"])
    return json.loads(json.dumps(r.to_dict()))


def children(pid):
    """The screening processes of a server process (multiprocessing's spawned children)."""
    kids = [int(x) for x in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    return [k for k in kids if b"spawn_main" in open(f"/proc/{k}/cmdline", "rb").read()]


def server_pid(log_path):
    text = log_path.read_text(errors="replace")
    marker = "Started server process ["
    return int(text[text.index(marker) + len(marker):].split("]")[0])


MODES = {
    "processes": ("--screen-processes", "2"),
    "thread": ("--screen-processes", "0"),
    "workers": ("--workers", "2", "--screen-processes", "1"),
}


@pytest.fixture(scope="module", params=list(MODES))
def server(request, tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("scale"), "--policy", "walton-centre",
                        *MODES[request.param]) as (base, log_path):
        with httpx.Client(base_url=base, timeout=120) as client:
            yield request.param, client, log_path


def test_concurrent_requests_each_get_their_own_result(server, screeners):
    """50 requests at once (they are screened together, in shared batches) each get exactly the
    library's result for their own post."""
    _, client, _ = server
    batch = posts(50)
    start = threading.Barrier(50)

    def one(post):
        with httpx.Client(base_url=str(client.base_url), timeout=120) as c:
            start.wait()
            r = c.post("/v1/screen", json=post)
            assert r.status_code == 200, r.text
            return r.json()

    with ThreadPoolExecutor(max_workers=50) as pool:
        got = list(pool.map(one, batch))
    for post, body in zip(batch, got):
        m.ResultOut.model_validate(body)
        assert body == library(screeners, "walton-centre", post), post["id"]
    assert {b["verdict"] for b in got} >= {"pass", "block"}


def test_long_batches_concurrently_whole_and_in_order(server, screeners):
    """Batches longer than one screening batch (64 posts) go in chunks, several processes at
    once; each comes back whole, in order, with its records' packs and errors in place."""
    _, client, _ = server
    lots = posts(150)
    for i in (3, 77, 140):
        lots[i] = {**lots[i], "policy": "b3"}
    lots[100] = {"id": "bad", "text": 7}

    def one(k):
        rotated = lots[k * 10:] + lots[:k * 10]
        with httpx.Client(base_url=str(client.base_url), timeout=120) as c:
            r = c.post("/v1/screen/batch", json={"posts": rotated})
            assert r.status_code == 200, r.text
            return rotated, r.json()

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(one, range(3)))
    for sent, got in results:
        assert len(got) == len(sent)
        for post, body in zip(sent, got):
            if post["id"] == "bad":
                assert body["verdict"] is None and body["error"] and body["id"] == "bad"
                continue
            expected = library(screeners, post.get("policy", "walton-centre"), post)
            assert body == expected, post["id"]


def test_single_posts_interleave_with_a_long_batch(server):
    """A single post sent while a long batch is being screened is answered before the batch is
    (the batch goes in chunks, and each next chunk queues behind what arrived meanwhile)."""
    mode, client, _ = server
    if mode == "workers":
        pytest.skip("the two requests may land on different workers")
    done = {}

    def batch():
        r = client.post("/v1/screen/batch", json={"posts": [p["text"] for p in posts(640)]})
        done["batch"] = (time.monotonic(), r.status_code)

    t = threading.Thread(target=batch)
    t.start()
    time.sleep(0.3)
    r = client.post("/v1/screen", json={"text": "Proud of the team"})
    done["single"] = time.monotonic()
    t.join()
    assert r.status_code == 200 and done["batch"][1] == 200
    assert done["single"] < done["batch"][0]


def test_readiness_lists_packs_built_in_any_process(server):
    _, client, _ = server
    assert client.post("/v1/screen", json={"text": "hello", "policy": "b3"}).status_code == 200
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and "walton-centre" in body["loaded"] and "b3" in body["loaded"]


def test_a_screening_process_that_dies_fails_only_its_requests(tmp_path):
    """Kill every screening process in the middle of a long batch: that request gets 503 with a
    JSON error saying to send it again (no post text, no traceback); the processes are replaced
    and the service goes on, identical results and all."""
    with running_server(tmp_path, "--policy", "walton-centre", "--screen-processes", "2",
                        "--max-batch", "5000", "--max-body", "5000000") as (base, log_path):
        pid = server_pid(log_path)
        before = children(pid)
        assert len(before) == 2
        out = {}

        def long_batch():
            lots = [f"ZQXJ {p['text']}" for p in posts(5000)]            # several seconds of screening
            out["r"] = httpx.post(base + "/v1/screen/batch", json={"posts": lots}, timeout=120)

        t = threading.Thread(target=long_batch)
        t.start()
        time.sleep(1.0)
        for k in before:
            os.kill(k, signal.SIGKILL)
        t.join()
        r = out["r"]
        assert r.status_code == 503, r.text[:300]
        body = m.ErrorOut.model_validate(r.json())
        assert "send it again" in body.error and "ZQXJ" not in r.text
        assert r.headers.get("retry-after") == "1"
        # replaced: a request waits for a new process and is answered
        r = httpx.post(base + "/v1/screen", json={"text": "Lovely to see Mrs Hilda Barnes today"}, timeout=120)
        assert r.status_code == 200 and r.json()["verdict"] == "block"
        deadline = time.monotonic() + 120
        while len(children(pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        after = children(pid)
        assert len(after) == 2 and not set(after) & set(before)
        assert httpx.get(base + "/readyz").status_code == 200
        log = log_path.read_text(errors="replace")
        assert "a screening process stopped" in log and "ZQXJ" not in log and "Traceback" not in log


def test_processes_default_shares_the_cores_among_workers(monkeypatch):
    from socialscreen.serve import ServeConfig, app
    assert app.usable_cpus() >= 1
    monkeypatch.setattr(app, "usable_cpus", lambda: 4)
    assert ServeConfig().processes() == 4
    assert ServeConfig(workers=2).processes() == 2
    assert ServeConfig(workers=8).processes() == 1
    assert ServeConfig(screen_processes=0).processes() == 0
    assert ServeConfig(workers=2, screen_processes=3).processes() == 3
    monkeypatch.setattr(app, "usable_cpus", lambda: 1)
    assert ServeConfig().processes() == 1
    assert ServeConfig(workers=2).processes() == 1


def test_screening_processes_that_never_start_are_reported_not_waited_for(tmp_path):
    """Screening processes killed before they are ready are not restarted in a loop: /readyz says
    failed and why, and a screening request gets 503 at once instead of waiting forever."""
    import subprocess
    import sys

    from serve_helpers import free_port
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "socialscreen", "serve", "--port", str(port),
                                 "--policy", "walton-centre", "--screen-processes", "2"],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        killed = set()
        while len(killed) < 2 and time.monotonic() < deadline:
            for k in children(proc.pid):
                if k not in killed:
                    os.kill(k, signal.SIGKILL)
                    killed.add(k)
            time.sleep(0.05)
        assert len(killed) == 2
        while time.monotonic() < deadline:
            try:
                r = httpx.get(base + "/readyz", timeout=5)
                if r.json()["status"] == "failed":
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert r.status_code == 503 and "before it was ready" in r.json()["error"], r.text
        r = httpx.post(base + "/v1/screen", json={"text": "hello"}, timeout=30)
        assert r.status_code == 503 and "no screening process" in m.ErrorOut.model_validate(r.json()).error
        assert httpx.get(base + "/healthz").status_code == 200
        assert children(proc.pid) == []                 # not restarted
    finally:
        proc.terminate()
        proc.wait(timeout=30)
