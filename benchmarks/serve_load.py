"""Load test of `socialscreen serve` on localhost, next to the library called directly, in one run.

    .venv/bin/python benchmarks/serve_load.py                    # 1, 4 and 16 clients; 3 runs; medians
    .venv/bin/python benchmarks/serve_load.py --clients 16 --runs 5 --seconds 10 --max-requests 3000
    .venv/bin/python benchmarks/serve_load.py --workers 2 --screen-processes 1

Starts the service once (a subprocess on a free port, --policy walton-centre, with --workers and
--screen-processes as given, else the service's defaults), then --runs times, each phase bounded
both in time (--seconds) and in count (--max-requests):

- library, single: Screener.screen(post) in a loop in this process (latency p50/p95, posts/s);
- library, batches: Screener.screen_many over batches of --batch posts (posts/s);
- HTTP, single: for each number of --clients, that many concurrent clients (threads, one
  keep-alive connection each) POST /v1/screen, one post a request (requests/s, latency p50/p95
  per request);
- HTTP, batches: the largest number of clients POST /v1/screen/batch with --batch posts a
  request (posts/s, latency p50/p95 per batch request).

Each run measures the library next to the service, so a run's ratios hold under the same load;
the machine is shared, so the table reported is each figure's median over the runs (every run
is in the JSON). Posts are tweet-length posts of benchmarks/corpus.py. Prints the table and writes
benchmarks/results/serve_load.json. The clients run on the same machine as the server and take
some of its CPU: the figures are a floor for a server with the machine to itself.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus  # noqa: E402


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port, workers, policy, screen_processes=None):
    log = open(HERE / "results" / "serve_load.server.log", "wb")
    extra = [] if screen_processes is None else ["--screen-processes", str(screen_processes)]
    proc = subprocess.Popen([sys.executable, "-m", "socialscreen", "serve", "--port", str(port), "--policy", policy,
                             "--workers", str(workers), "--log-level", "warning", *extra],
                            stdout=log, stderr=subprocess.STDOUT,
                            env={k: v for k, v in os.environ.items() if k != "SOCIALSCREEN_API_KEY"})
    deadline = time.monotonic() + 180
    ready_seen = 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the service exited {proc.returncode}; see {log.name}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                ready_seen += 1
                if ready_seen >= 2 * workers:      # each worker answers ready (they share the port)
                    return proc
            c.close()
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the service did not become ready in 180 s")


class Client(threading.Thread):
    def __init__(self, port, path, bodies, stop, budget, lock, n_posts):
        super().__init__(daemon=True)
        self.port, self.path, self.bodies, self.stop, self.budget, self.lock = port, path, bodies, stop, budget, lock
        self.n_posts = n_posts
        self.latencies, self.errors, self.posts = [], 0, 0

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        i = 0
        while not self.stop.is_set():
            with self.lock:
                if self.budget[0] <= 0:
                    break
                self.budget[0] -= 1
            body = self.bodies[i % len(self.bodies)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", self.path, body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            dt = time.perf_counter() - t0
            if ok:
                self.latencies.append(dt)
                self.posts += self.n_posts
            else:
                self.errors += 1
        conn.close()


def http_phase(port, path, bodies, n_posts, clients, seconds, max_requests):
    stop, lock, budget = threading.Event(), threading.Lock(), [max_requests]
    threads = [Client(port, path, bodies[k::clients] or bodies, stop, budget, lock, n_posts) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    deadline = t0 + seconds
    while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = [x for t in threads for x in t.latencies]
    return {"requests": len(lat), "errors": sum(t.errors for t in threads), "seconds": round(wall, 2),
            "requests_per_s": round(len(lat) / wall, 1), "posts_per_s": round(sum(t.posts for t in threads) / wall, 1),
            "p50_ms": round(pct(lat, 50) * 1000, 1), "p95_ms": round(pct(lat, 95) * 1000, 1)}


def library_phases(posts, batch, seconds, max_requests, policy):
    import socialscreen
    screener = socialscreen.Screener(policy)
    for p in posts[:50]:
        screener.screen(p)                                    # warm
    lat, n, t0 = [], 0, time.perf_counter()
    while n < max_requests and time.perf_counter() - t0 < seconds:
        p = posts[n % len(posts)]
        s = time.perf_counter()
        screener.screen(p)
        lat.append(time.perf_counter() - s)
        n += 1
    wall = time.perf_counter() - t0
    single = {"requests": n, "seconds": round(wall, 2), "requests_per_s": round(n / wall, 1),
              "posts_per_s": round(n / wall, 1), "p50_ms": round(pct(lat, 50) * 1000, 2),
              "p95_ms": round(pct(lat, 95) * 1000, 2)}
    lat, n, k, t0 = [], 0, 0, time.perf_counter()
    while k < max_requests and time.perf_counter() - t0 < seconds:
        chunk = [posts[(k * batch + j) % len(posts)] for j in range(batch)]
        s = time.perf_counter()
        list(screener.screen_many(chunk, errors="return"))
        lat.append(time.perf_counter() - s)
        n += batch
        k += 1
    wall = time.perf_counter() - t0
    batches = {"requests": k, "seconds": round(wall, 2), "requests_per_s": round(k / wall, 1),
               "posts_per_s": round(n / wall, 1), "p50_ms": round(pct(lat, 50) * 1000, 1),
               "p95_ms": round(pct(lat, 95) * 1000, 1)}
    return single, batches


def median_of(runs: list) -> dict:
    """Each figure's median over the runs (a table row of medians)."""
    out = {}
    for key in runs[0]:
        vals = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
        if vals:
            out[key] = round(statistics.median(vals), 2)
    return out


def one_run(args, port, posts, singles, batches) -> dict:
    load = round(os.getloadavg()[0], 2)                 # the machine's other work as the run starts
    lib_single, lib_batch = library_phases(posts, args.batch, args.seconds, args.max_requests, args.policy)
    run = {"load_average": load, "library_single": lib_single, "library_batch": lib_batch}
    for c in args.clients:
        run[f"http_single_{c}"] = http_phase(port, "/v1/screen", singles, 1, c, args.seconds, args.max_requests)
    run["http_batch"] = http_phase(port, "/v1/screen/batch", batches, args.batch, max(args.clients), args.seconds,
                                   max(1, args.max_requests // args.batch))
    top = run[f"http_single_{max(args.clients)}"]
    run["ratio_single"] = round(top["posts_per_s"] / lib_single["posts_per_s"], 3)
    run["ratio_batch"] = round(run["http_batch"]["posts_per_s"] / lib_batch["posts_per_s"], 3)
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16],
                    help="numbers of concurrent clients, one single-post phase each (default 1 4 16)")
    ap.add_argument("--runs", type=int, default=3, help="runs, each with the library next to the service")
    ap.add_argument("--seconds", type=float, default=10.0, help="time bound of each phase")
    ap.add_argument("--max-requests", type=int, default=3000, help="count bound of each phase")
    ap.add_argument("--batch", type=int, default=32, help="posts per batch request")
    ap.add_argument("--workers", type=int, default=1, help="service worker processes")
    ap.add_argument("--screen-processes", type=int, default=None,
                    help="screening processes per worker (default: the service's own default)")
    ap.add_argument("--policy", default="walton-centre")
    ap.add_argument("--posts", type=int, default=500)
    ap.add_argument("--out", default=str(HERE / "results" / "serve_load.json"), help="where the JSON goes")
    args = ap.parse_args(argv)
    args.clients = sorted(set(args.clients))
    (HERE / "results").mkdir(exist_ok=True)
    posts = corpus.build("tweet", args.posts)

    port = free_port()
    proc = start_server(port, args.workers, args.policy, args.screen_processes)
    runs = []
    try:
        singles = [json.dumps({"text": p}).encode() for p in posts]
        batches = [json.dumps({"posts": [posts[(k * args.batch + j) % len(posts)] for j in range(args.batch)]}).encode()
                   for k in range(max(1, len(posts) // args.batch))]
        http_phase(port, "/v1/screen", singles[:64], 1, max(args.clients), 2, 400)      # warm every process
        for n in range(args.runs):
            runs.append(one_run(args, port, posts, singles, batches))
            print(f"run {n + 1}/{args.runs}: single-post p95 at {max(args.clients)} clients "
                  f"{runs[-1][f'http_single_{max(args.clients)}']['p95_ms']} ms, throughput "
                  f"{runs[-1]['ratio_single']:.0%} of the library's", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    med = {key: median_of([r[key] for r in runs]) for key in runs[0] if isinstance(runs[0][key], dict)}
    loads = [r["load_average"] for r in runs]
    ratio_single = statistics.median(r["ratio_single"] for r in runs)
    ratio_batch = statistics.median(r["ratio_batch"] for r in runs)
    top = max(args.clients)
    rows = [("library screen() (1 thread)", med["library_single"])]
    rows += [(f"HTTP /v1/screen, {c} client{'s' if c > 1 else ''}", med[f"http_single_{c}"]) for c in args.clients]
    rows += [(f"library screen_many ({args.batch}/batch)", med["library_batch"]),
             (f"HTTP /v1/screen/batch ({args.batch}/req), {top} clients", med["http_batch"])]
    sp = "default" if args.screen_processes is None else args.screen_processes
    print(f"socialscreen serve load: medians of {args.runs} run(s); <= {args.seconds:g} s and <= {args.max_requests} "
          f"requests a phase, {args.workers} worker(s), screen processes: {sp}, tweet-length posts, "
          f"{os.cpu_count()} CPUs, load average at the runs' starts {min(loads):g}-{max(loads):g}")
    print(f"{'':44} {'requests':>8} {'req/s':>8} {'posts/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for name, r in rows:
        print(f"{name:44} {r['requests']:>8g} {r['requests_per_s']:>8g} {r['posts_per_s']:>8g} {r['p50_ms']:>8g} "
              f"{r['p95_ms']:>8g} {r.get('errors', 0):>6g}")
    p95 = med[f"http_single_{top}"]["p95_ms"]
    print(f"HTTP throughput / library (median of the runs' ratios): single {ratio_single:.0%}, "
          f"batches {ratio_batch:.0%}; target: single-post p95 <= 50 ms at {top} clients "
          f"({'met' if p95 <= 50 else 'not met'}), throughput >= 60% of the library's "
          f"({'met' if ratio_single >= 0.6 else 'not met'})")
    out = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": platform.platform(), "cpus": os.cpu_count(),
           "load_average": os.getloadavg(), "args": vars(args), "median": med,
           "ratio_single": round(ratio_single, 3), "ratio_batch": round(ratio_batch, 3), "runs": runs}
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
