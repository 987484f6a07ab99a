"""Worker processes for `Screener.screen_many(..., n_process=N)`.

Given a worker recipe (how to build a screener, how to screen one chunk), it imports no
Screener. Each worker builds its screener once (inherited through fork where the platform has
it, otherwise rebuilt from the recipe). Chunks go out in order through a bounded window, so a
stream of any length is screened in constant memory and comes back in input order. Errors,
Ctrl-C and a consumer that stops early all end the pool: no orphan processes.
"""
from __future__ import annotations

import collections
import itertools
import multiprocessing as mp

_INHERITED = None     # (recipe, screener) a forked worker inherits
_WORKER = None        # (recipe, screener) in this worker


def _init(recipe):
    global _WORKER
    if recipe is None:
        _WORKER = _INHERITED
    else:
        _WORKER = (recipe, recipe.build())


def _work(chunk):
    recipe, screener = _WORKER
    return recipe.run(screener, chunk)


def run_parallel(recipe, items, n_process, batch_size, screener=None):
    """recipe.run(screener, chunk) over chunks of `items` in n_process workers, in order."""
    global _INHERITED
    if "fork" in mp.get_all_start_methods() and screener is not None:
        ctx, initarg = mp.get_context("fork"), None
        _INHERITED = (recipe, screener)
    else:
        ctx, initarg = mp.get_context("spawn"), recipe
    it = iter(items)
    chunks = iter(lambda: list(itertools.islice(it, batch_size)), [])
    pool = ctx.Pool(n_process, initializer=_init, initargs=(initarg,))
    try:
        pending = collections.deque()
        for chunk in itertools.islice(chunks, 2 * n_process):
            pending.append(pool.apply_async(_work, (chunk,)))
        while pending:
            results = pending.popleft().get()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(pool.apply_async(_work, (nxt,)))
            yield from results
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        pool.join()
        _INHERITED = None
