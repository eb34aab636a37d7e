"""Issue #20 item 7: a failure is counted with one atomic upsert, so parallel guesses are each counted
(none lost, no IntegrityError from two first failures inserting the same key), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.core.settings import get_settings
from portal.models.tables import Throttle
from portal.services.accounts import sessions, throttle
from portal.services.base.errors import LoginFailed
from tests.services.test_accounts import T0

THREADS = 8


def _in_parallel(work, count: int = THREADS) -> list:
    """Run ``work`` in ``count`` threads released together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = work()
        except BaseException as exc:  # noqa: BLE001 - every escape is part of the verdict
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_parallel_failures_are_each_counted_once(db):
    limit = throttle.Limit("race", 1000, timedelta(minutes=15))
    key = throttle.throttle_key("race", "203.0.113.9")

    def fail_once():
        with session_scope() as session:
            return throttle.record_failure(session, key, limit, T0)

    outcomes = _in_parallel(fail_once)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    with session_scope() as session:
        assert session.get(Throttle, key).failures == THREADS


def test_parallel_wrong_logins_are_counted_exactly_and_raise_nothing_else(demo_accounts, monkeypatch):
    monkeypatch.setenv("PORTAL_LOGIN_MAX_FAILURES", "1000")  # no lock: every attempt must be counted
    get_settings.cache_clear()

    def guess():
        with use_clock(fixed(T0)):
            sessions.login(username="qiye1", password="Guess-1234", client_address="203.0.113.9")

    outcomes = _in_parallel(guess)
    assert all(isinstance(o, LoginFailed) for o in outcomes), outcomes
    assert {o.message for o in outcomes} == {sessions.WRONG_CREDENTIALS}
    with session_scope() as session:
        pair = session.get(Throttle, throttle.throttle_key("login-pair", "qiye1", "203.0.113.9"))
        per_user = session.get(Throttle, throttle.throttle_key("login-user", "qiye1"))
    assert pair.failures == per_user.failures == THREADS
    get_settings.cache_clear()


@pytest.mark.parametrize("attempts", [1, 3])
def test_a_counted_failure_reports_its_own_lock(db, attempts):
    limit = throttle.Limit("race", 3, timedelta(minutes=15))
    key = throttle.throttle_key("race", "x")
    with session_scope() as session:
        held = [throttle.record_failure(session, key, limit, T0) for _ in range(attempts)]
    assert held[-1] == (T0 + timedelta(minutes=15) if attempts == 3 else None)
