"""A hung Redis (SIGSTOP) costs the page cache a few slow requests, then none.

A real redis-server of this module's own is stopped with SIGSTOP: its socket still
accepts connections, but nothing answers, the worst case for a client. The circuit
breaker (blog/core/cache/breaker.py) must keep every read within a bound.
"""

import importlib.util
import logging
import shutil
import time

import pytest

from tests.live import RedisServer

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None or importlib.util.find_spec("redis") is None,
    reason="redis-server and redis-py are needed",
)


@pytest.fixture
def redis_server(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def app_config(redis_server):
    return {"PAGE_CACHE": True, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_server.url,
            "CACHE_BREAKER_FAILURES": 3, "CACHE_BREAKER_SECONDS": 1.0,
            # Redis itself is the subject: no worker-local copy in front of it.
            "PAGE_CACHE_LOCAL_ENTRIES": 0}  # fmt: skip


def timed_get(client, path):
    start = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - start


def test_a_hung_redis_is_bypassed_with_bounded_latency_and_used_again(
    app, client, article, redis_server, caplog
):
    from blog.ops.doctor import check_cache

    path = f"/article/{article.slug}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"

    with caplog.at_level(logging.WARNING, logger="blog.cache"):
        redis_server.pause()
        timings = []
        for _ in range(12):
            response, seconds = timed_get(client, path)
            assert response.status_code == 200 and article.title in response.get_data(as_text=True)
            timings.append(seconds)

        # 3 failures (0.5 s each) open the breaker; every later read renders at once.
        assert sum(timings) < 3.5, timings
        assert max(timings[3:]) < 0.3, timings
        opened = [r for r in caplog.records if "page cache unavailable" in r.getMessage()]
        assert len(opened) == 1

        finding = check_cache(app)
        assert not finding.ok and "bypassing it" in finding.detail

        time.sleep(1.1)  # the cool-down: one request probes, and waits out one time-out
        probe, seconds = timed_get(client, path)
        assert probe.status_code == 200 and seconds < 1.2
        assert max(timed_get(client, path)[1] for _ in range(3)) < 0.3

        redis_server.resume()
        time.sleep(1.1)
        client.get(path)  # the probe succeeds: the breaker closes
        client.get(path)
        assert client.get(path).headers.get("X-Cache") == "HIT"
    assert any("reachable again" in r.getMessage() for r in caplog.records)
