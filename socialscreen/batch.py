"""Worker processes for `Screener.screen_many(..., n_process=N)`.

Each worker holds one Screener, built once (inherited through fork where the
platform has it, otherwise rebuilt from the same arguments). Chunks of posts
go out in order through a bounded window, so a stream of any length is
screened in constant memory and comes back in input order. Errors, Ctrl-C and
a consumer that stops early all end the pool: no orphan processes.
"""
from __future__ import annotations

import collections
import itertools
import multiprocessing as mp

_PARENT = None     # the Screener a forked worker inherits
_WORKER = None


def _init(kwargs):
    global _WORKER
    if kwargs is None:
        _WORKER = _PARENT
    else:
        from .screener import Screener
        _WORKER = Screener(**kwargs)


def _work(job):
    chunk, account, profile, batch_size = job
    return list(_WORKER.screen_many(chunk, account=account, profile=profile, batch_size=batch_size))


def screen_parallel(screener, posts, n_process, account, profile, batch_size):
    global _PARENT
    methods = mp.get_all_start_methods()
    if "fork" in methods:
        ctx, initarg = mp.get_context("fork"), None
        _PARENT = screener
    else:
        ctx, initarg = mp.get_context("spawn"), screener._init_kwargs
    it = iter(posts)
    chunks = iter(lambda: list(itertools.islice(it, batch_size)), [])
    pool = ctx.Pool(n_process, initializer=_init, initargs=(initarg,))
    try:
        pending = collections.deque()
        for chunk in itertools.islice(chunks, 2 * n_process):
            pending.append(pool.apply_async(_work, ((chunk, account, profile, batch_size),)))
        while pending:
            results = pending.popleft().get()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(pool.apply_async(_work, ((nxt, account, profile, batch_size),)))
            yield from results
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        pool.join()
        _PARENT = None
