"""Simultaneous wrong codes against a real Redis: the counters are atomic, so a limit of N lets N through.

Uses Redis at 127.0.0.1:6379 (database 15, keys under a prefix of this test run only); skipped without it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from departments.throttle import Throttle
from evaluation.throttle import CODE_DEVICE_LIMIT, DEVICE_COOKIE

REDIS = "redis://127.0.0.1:6379/15"
SIMULTANEOUS = 50


@pytest.fixture
def redis_cache(settings) -> Iterator[None]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis at 127.0.0.1:6379")
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    settings.CACHES = {
        # The production backend (config.cache), as settings.py picks it when REDIS_URL is set.
        "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": prefix}
    }
    yield
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def at_once(job: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(SIMULTANEOUS)
    results: list[object] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            outcome = job()
        except Exception as error:  # reported by the test
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_an_increment_is_one_round_trip_and_keeps_the_expiry(redis_cache):
    from django.core.cache import cache

    with pytest.raises(ValueError, match="not found"):
        cache.incr("absent")
    assert cache.get("absent") is None  # not created by the refused increment
    cache.set("counted", 5, 60)
    client = cache._cache.get_client(write=True)
    sent = []
    original = client.execute_command
    client.execute_command = lambda *args, **options: sent.append(args[0]) or original(*args, **options)
    try:
        assert cache.incr("counted", 3) == 8
        assert cache.decr("counted") == 7
    finally:
        del client.execute_command
    assert sent == ["EVALSHA", "EVALSHA"]
    assert cache.get("counted") == 7
    assert 0 < client.ttl(cache.make_and_validate_key("counted")) <= 60


def test_a_counted_attempt_is_one_round_trip_and_only_the_first_sets_the_window(redis_cache):
    from django.core.cache import cache

    throttle = Throttle("counted", limit=2, window=60)
    key = cache.make_and_validate_key(throttle._key(("one-key",)))
    client = cache._cache.get_client(write=True)
    sent = []
    original = client.execute_command
    client.execute_command = lambda *args, **options: sent.append(args[0]) or original(*args, **options)
    try:
        assert throttle.hit("one-key")
        client.expire(key, 30)  # as if 30 of the window's 60 seconds had passed
        assert throttle.hit("one-key")
        assert not throttle.hit("one-key")
    finally:
        del client.execute_command
    assert sent == ["EVALSHA", "EXPIRE", "EVALSHA", "EVALSHA"]
    assert 0 < client.ttl(key) <= 30  # later failures do not extend the window
    assert cache.get(throttle._key(("one-key",))) == 3
    throttle.release("one-key")
    assert cache.get(throttle._key(("one-key",))) == 2
    assert 0 < client.ttl(key) <= 30


def test_fifty_simultaneous_failures_against_a_limit_of_ten_let_ten_through(redis_cache):
    throttle = Throttle("burst", limit=10, window=60)

    results = at_once(lambda: throttle.hit("one-key"))

    assert sorted(results) == [False] * 40 + [True] * 10
    assert throttle.exhausted("one-key")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_wrong_codes_from_one_device_get_the_device_limit_answered(redis_cache):
    first = Client().post(
        reverse("evaluation:ballot_code"), {"code": "WRONG00000", "open": "1"}, REMOTE_ADDR="10.0.0.1"
    )
    device = first.cookies[DEVICE_COOKIE].value

    def wrong_code() -> int:
        client = Client()
        client.cookies[DEVICE_COOKIE] = device
        response = client.post(
            reverse("evaluation:ballot_code"), {"code": "WRONG11111", "open": "1"}, REMOTE_ADDR="10.0.0.1"
        )
        return response.status_code

    results = at_once(wrong_code)

    assert sorted(results) == [400] * (CODE_DEVICE_LIMIT - 1) + [429] * (SIMULTANEOUS - CODE_DEVICE_LIMIT + 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_wrong_codes_from_fifty_phones_behind_one_address_meet_its_bound(redis_cache, monkeypatch):
    from evaluation import throttle

    monkeypatch.setattr(throttle, "CODE_ADDRESS_ATTEMPTS", Throttle("ballot-code-address", limit=10, window=600))

    def new_phone() -> int:
        return (
            Client()
            .post(reverse("evaluation:ballot_code"), {"code": "WRONG22222", "open": "1"}, REMOTE_ADDR="10.0.0.9")
            .status_code
        )

    results = at_once(new_phone)

    assert sorted(results) == [400] * 10 + [429] * (SIMULTANEOUS - 10)
