"""Where the service screens (no FastAPI here: the screening processes import only this).

Screening one post is 4-6 ms of CPU-bound Python; in one process the GIL lets one post be
screened at a time however many threads there are. So each service worker hands its posts to
**screening processes** (`--screen-processes`, default one per CPU core), each of which loads
its Screeners once and reuses them:

- a request's posts become a job on a queue in the worker's event loop (no thread hop);
- whenever a screening process is free, the jobs waiting are shared out among the free processes
  (each takes at most `max_posts` posts) and each process screens its share in one `screen_many`
  call: one spaCy batch. There is no collection window: a lone request is sent at once, and under
  load the queue that builds while the processes are busy is the batch;
- a batch request longer than `max_posts` goes as chunks, at most one per process at a time, each
  next chunk queued behind whatever arrived meanwhile, so single posts are not stuck behind it;
- results come back as the JSON bytes of each result (serialised in the screening process);
- a screening process that dies (it never should) fails only the requests it held, with
  ScreeningStopped (503, retry), and is replaced.

`--screen-processes 0` screens in one thread of the worker process itself (ThreadEngine): less
memory, one core.
"""
from __future__ import annotations

import asyncio
import collections
import gc
import json
import logging
import multiprocessing
import pickle
import queue
import signal
import socket
import struct
import threading
from concurrent.futures import Future
from typing import Optional

from ..values import RecordError

log = logging.getLogger("socialscreen.serve")

MAX_POSTS = 64                      # posts per screen_many call: one spaCy batch
WARM_TEXT = "Proud of the team today, thank you all"      # screened once at start (never user text)


class ScreeningStopped(Exception):
    """The screening process holding this request's posts stopped; the request may be retried."""


class NoScreeningProcess(Exception):
    """No screening process is running or starting (they failed to start: see /readyz)."""


class ScreeningFailed(Exception):
    """Screening raised in a screening process; `kind` is the exception's type name (its message
    is not carried: only the type is logged)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def dumps(obj) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:                          # a lone surrogate: escaped, still valid JSON
        return json.dumps(obj, separators=(",", ":")).encode("ascii")


class Screeners:
    """One Screener per pack in this process, built on first use (once, even under concurrent
    first requests) and reused; Screener is thread-safe."""

    def __init__(self, model: Optional[str] = None, context: Optional[str] = "context", max_chars: int = 20_000):
        self.kwargs = dict(model=model, context=context, max_chars=max_chars)
        self._built: dict = {}
        self._locks: dict = {}
        self._lock = threading.Lock()

    def get(self, pack_id: str):
        s = self._built.get(pack_id)
        if s is not None:
            return s
        with self._lock:
            lock = self._locks.setdefault(pack_id, threading.Lock())
        with lock:
            s = self._built.get(pack_id)
            if s is None:
                from ..screener import Screener
                s = Screener(pack_id, **self.kwargs)
                self._built[pack_id] = s
                # a long-lived worker: what was just loaded (spaCy, the rules, the model) moves to
                # the permanent generation, so full collections stop walking it mid-request
                gc.collect()
                gc.freeze()
        return s

    def loaded(self) -> list:
        return sorted(self._built)

    def warm(self, pack_id: Optional[str]) -> Optional[str]:
        """Build the default pack's Screener and screen one fixed post; the error, if any."""
        if not pack_id:
            return None
        try:
            self.get(pack_id).screen(WARM_TEXT)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None


def screen_groups(screeners: Screeners, groups, max_posts: int) -> list:
    """[(pack_id, [Post or RecordError])] -> per group ("ok", [(record error or None, JSON bytes)])
    or ("error", the exception's type name)."""
    out = []
    for pack_id, items in groups:
        try:
            screener = screeners.get(pack_id)
            out.append(("ok", [(r.error if isinstance(r, RecordError) else None, dumps(r.to_dict()))
                               for r in screener.screen_many(items, errors="return", batch_size=max_posts)]))
        except Exception as exc:                        # handed to the request; logged there by type only
            out.append(("error", type(exc).__name__))
    return out


class _Job:
    __slots__ = ("pack", "items", "fut")

    def __init__(self, pack, items, fut):
        self.pack, self.items, self.fut = pack, items, fut


class Engine:
    """What the app awaits: `await engine.screen(pack_id, items)` -> [(problem, JSON bytes)] in
    order; `ready`, `error` and `loaded()` for /readyz; `start()` and `close()` in the lifespan."""

    lanes = 1                       # chunks of one request in flight at once
    max_posts = MAX_POSTS
    error: Optional[str] = None
    batches = 0                     # screen_many calls made, and the posts they screened
    batched_posts = 0

    def report(self) -> None:
        if self.batches:
            log.info("screened %d posts in %d batches (%.1f a batch)", self.batched_posts, self.batches,
                     self.batched_posts / self.batches)

    async def screen(self, pack_id: str, items: list) -> list:
        if len(items) <= self.max_posts:
            return await self._submit(pack_id, items)
        chunks = [items[i:i + self.max_posts] for i in range(0, len(items), self.max_posts)]
        parts: list = [None] * len(chunks)
        nxt = 0

        async def lane():
            nonlocal nxt
            while nxt < len(chunks):
                i = nxt
                nxt += 1
                parts[i] = await self._submit(pack_id, chunks[i])

        tasks = [asyncio.ensure_future(lane()) for _ in range(min(self.lanes, len(chunks)))]
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
        return [x for part in parts for x in part]

    async def _submit(self, pack_id: str, items: list) -> list:
        raise NotImplementedError


class ThreadEngine(Engine):
    """--screen-processes 0: one screening thread in this process. It takes every job waiting (up
    to max_posts posts) and screens them per pack in one screen_many call."""

    def __init__(self, policy: Optional[str], screeners: Screeners, max_posts: int = MAX_POSTS):
        self.policy, self.screeners, self.max_posts = policy, screeners, max_posts
        self._q: "queue.Queue" = queue.Queue()
        self._ready = threading.Event()
        self._thread: Optional[threading.Thread] = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def loaded(self) -> list:
        return self.screeners.loaded()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="socialscreen-screen", daemon=True)
            self._thread.start()

    async def close(self) -> None:
        self.report()                                    # a daemon thread; nothing else held

    async def _submit(self, pack_id, items):
        self.start()                                     # started by the lifespan; else here
        fut: Future = Future()
        self._q.put((pack_id, items, fut))
        return await asyncio.wrap_future(fut)

    def _run(self):
        self.error = self.screeners.warm(self.policy)
        if self.error:
            log.error("could not load pack %s: %s", self.policy, self.error)
        self._ready.set()
        while True:
            jobs = [self._q.get()]
            n = len(jobs[0][1])
            while n < self.max_posts:
                try:
                    job = self._q.get_nowait()
                except queue.Empty:
                    break
                jobs.append(job)
                n += len(job[1])
            jobs = [j for j in jobs if j[2].set_running_or_notify_cancel()]
            by_pack: dict = {}
            for job in jobs:
                by_pack.setdefault(job[0], []).append(job)
            groups = [(pack, [x for job in group for x in job[1]]) for pack, group in by_pack.items()]
            self.batches += len(groups)
            self.batched_posts += sum(len(items) for _, items in groups)
            for (pack, group), (status, value) in zip(by_pack.items(), screen_groups(self.screeners, groups,
                                                                                      self.max_posts)):
                at = 0
                for job in group:
                    if status == "ok":
                        job[2].set_result(value[at:at + len(job[1])])
                    else:
                        job[2].set_exception(ScreeningFailed(value))
                    at += len(job[1])


class _Proc:
    __slots__ = ("process", "reader", "writer", "task", "jobs", "loaded", "ready")

    def __init__(self, process):
        self.process = process
        self.reader: Optional[asyncio.StreamReader] = None
        self.writer: Optional[asyncio.StreamWriter] = None
        self.task: Optional[asyncio.Task] = None
        self.jobs: list = []        # (job, group index, offset) of the batch it is screening
        self.loaded: list = []
        self.ready = False


def _frame(obj) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack("!Q", len(data)) + data


class ProcessEngine(Engine):
    """Screening processes fed from the event loop (see the module's description). Each talks
    to the worker over a private socket pair (length-prefixed pickles), read and written by the
    event loop itself: no thread in the worker."""

    def __init__(self, policy: Optional[str], screeners_kwargs: dict, processes: int, max_posts: int = MAX_POSTS):
        if processes < 1:
            raise ValueError("processes must be at least 1 (0 is ThreadEngine)")
        self.policy, self.kwargs, self.processes, self.max_posts = policy, dict(screeners_kwargs), processes, max_posts
        self.lanes = processes
        self._procs: list = []
        self._idle: list = []
        self._pending: "collections.deque[_Job]" = collections.deque()
        self._waiting = 0           # posts in _pending
        self._started = 0           # processes that have reported ready (or failed to start)
        self._closing = False
        self._launched = False

    # -- state for /readyz ---------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._started >= self.processes or self.error is not None

    def loaded(self) -> list:
        return sorted({p for w in self._procs for p in w.loaded})

    # -- life ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the screening processes (from the event loop: the lifespan's start-up)."""
        if self._launched:
            return
        self._launched = True
        for _ in range(self.processes):
            self._spawn()

    async def close(self) -> None:
        self._closing = True
        self.report()
        procs, self._procs = list(self._procs), []
        for w in procs:
            if w.writer is not None:
                w.writer.write(_frame(None))
        loop = asyncio.get_running_loop()
        for w in procs:
            await loop.run_in_executor(None, w.process.join, 10)
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(5)
            if w.task is not None:
                w.task.cancel()
            if w.writer is not None:
                w.writer.close()
        for job in self._pending:
            if not job.fut.done():
                job.fut.set_exception(ScreeningStopped())

    def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = socket.socketpair()
        p = ctx.Process(target=_process_main, args=(theirs, self.kwargs, self.policy, self.max_posts),
                        name="socialscreen-screen", daemon=True)
        p.start()
        theirs.close()
        w = _Proc(p)
        self._procs.append(w)
        w.task = asyncio.ensure_future(self._talk(w, ours))

    async def _talk(self, w: _Proc, sock) -> None:
        """Read the process's messages until its socket closes."""
        try:
            w.reader, w.writer = await asyncio.open_connection(sock=sock)
            while True:
                size = struct.unpack("!Q", await w.reader.readexactly(8))[0]
                self._message(w, pickle.loads(await w.reader.readexactly(size)))
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            self._lost(w)
        except Exception as exc:                           # a bug of ours: never leave requests hanging
            log.error("unexpected %s from a screening process", type(exc).__name__)
            w.process.kill()
            self._lost(w)

    # -- the queue -------------------------------------------------------------------------------
    async def _submit(self, pack_id, items):
        self.start()                                       # started by the lifespan; else here
        if not self._procs:
            raise NoScreeningProcess()
        fut = asyncio.get_running_loop().create_future()
        self._pending.append(_Job(pack_id, items, fut))
        self._waiting += len(items)
        self._dispatch()
        return await fut

    def _dispatch(self) -> None:
        """Share the posts waiting among the free processes, at most max_posts each."""
        while self._idle and self._pending:
            share = min(self.max_posts, -(-self._waiting // len(self._idle)))
            jobs, n = [], 0
            while self._pending:
                job = self._pending[0]
                if job.fut.done():                    # its request was cancelled
                    self._pending.popleft()
                    self._waiting -= len(job.items)
                    continue
                if jobs and n + len(job.items) > share:
                    break
                self._pending.popleft()
                self._waiting -= len(job.items)
                jobs.append(job)
                n += len(job.items)
            if not jobs:
                return
            self._send(self._idle.pop(), jobs)

    def _send(self, w: _Proc, jobs: list) -> None:
        groups: dict = {}
        for job in jobs:
            items = groups.setdefault(job.pack, [])
            w.jobs.append((job, list(groups).index(job.pack), len(items)))
            items.extend(job.items)
        self.batches += len(groups)
        self.batched_posts += sum(len(j.items) for j in jobs)
        w.writer.write(_frame(list(groups.items())))

    def _message(self, w: _Proc, msg) -> None:
        if msg[0] == "ready":
            _, w.loaded, error = msg
            w.ready = True
            self._started += 1
            if error and self.error is None:
                self.error = error
                log.error("could not load pack %s: %s", self.policy, error)
        else:
            _, results, w.loaded = msg
            jobs, w.jobs = w.jobs, []
            for job, g, at in jobs:
                if job.fut.done():
                    continue
                status, value = results[g]
                if status == "ok":
                    job.fut.set_result(value[at:at + len(job.items)])
                else:
                    job.fut.set_exception(ScreeningFailed(value))
        self._idle.append(w)
        self._dispatch()

    def _lost(self, w: _Proc) -> None:
        if w.writer is not None:
            w.writer.close()
        if w in self._procs:
            self._procs.remove(w)
        if w in self._idle:
            self._idle.remove(w)
        for job, _, _ in w.jobs:
            if not job.fut.done():
                job.fut.set_exception(ScreeningStopped())
        w.jobs = []
        if self._closing:
            return
        w.process.join(0.5)
        if w.ready:
            log.error("a screening process stopped (exit code %s); starting another", w.process.exitcode)
            self._spawn()
        else:                                              # it never started: do not loop
            self._started += 1
            if self.error is None:
                self.error = f"a screening process exited with code {w.process.exitcode} before it was ready"
            log.error("%s", self.error)
            if not self._procs:                            # none left to wait for
                while self._pending:
                    job = self._pending.popleft()
                    if not job.fut.done():
                        job.fut.set_exception(NoScreeningProcess())
                self._waiting = 0


def _recv_exactly(sock, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _process_main(sock, kwargs, policy, max_posts) -> None:
    """A screening process: build the default pack's Screener, say ready, then screen each batch
    it is sent until it is sent None or its socket closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)          # Ctrl-C reaches the server; it stops us
    sock.setblocking(True)
    screeners = Screeners(**kwargs)
    error = screeners.warm(policy)
    try:
        sock.sendall(_frame(("ready", screeners.loaded(), error)))
        while True:
            size = struct.unpack("!Q", _recv_exactly(sock, 8))[0]
            groups = pickle.loads(_recv_exactly(sock, size))
            if groups is None:
                return
            sock.sendall(_frame(("done", screen_groups(screeners, groups, max_posts), screeners.loaded())))
    except (EOFError, OSError):                           # the worker has gone: so do we
        return
