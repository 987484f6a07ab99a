import pytest

import socialscreen


@pytest.fixture(scope="session")
def screeners():
    cache = {}

    def get(policy="walton-centre", **kw):
        key = (policy, tuple(sorted(kw.items())))
        if key not in cache:
            cache[key] = socialscreen.Screener(policy, **kw)
        return cache[key]

    return get
