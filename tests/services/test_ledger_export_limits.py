"""导出台账 limits (issue #20): one export in progress per account, however many tabs ask (two at the same
instant included), and at most PORTAL_EXPORT_MAX_RUNNING children writing at once; the rest wait as 排队
and start oldest first. An export left in progress by a dead worker stops blocking after an hour."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import func, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.settings import get_settings
from portal.models.tables import LedgerExport
from portal.services.base.errors import Conflict
from portal.services.ledgers import export_queue
from portal.services.ledgers import exports as ledger_exports
from portal.services.ledgers.sheets import ExportFilters
from tests.services.test_lifecycle import actor


@pytest.fixture
def cap(monkeypatch):
    def set_cap(slots: int) -> None:
        monkeypatch.setenv("PORTAL_EXPORT_MAX_RUNNING", str(slots))
        get_settings.cache_clear()

    yield set_cap
    get_settings.cache_clear()


def _request(viewer, ledger: str = "problems") -> dict:
    return ledger_exports.request_export(actor=viewer, ledger=ledger, file_format="csv", filters=ExportFilters())


def _in_progress(owner_id: int | None = None) -> int:
    query = select(func.count()).select_from(LedgerExport).where(LedgerExport.status.in_(export_queue.IN_PROGRESS))
    if owner_id is not None:
        query = query.where(LedgerExport.owner_id == owner_id)
    with session_scope() as session:
        return session.exec(query).one()


def _status(viewer, record: dict) -> dict:
    return ledger_exports.export_status(actor=viewer, export_id=record["id"])


def _slow(monkeypatch, name: str, seconds: float = 0.3) -> None:
    """Widen the window between a check and the write that follows it, as a busy server would."""
    original = getattr(export_queue, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(export_queue, name, slow)


def _at_once(calls: list) -> list:
    """Run the calls in threads released together; each result or the exception it raised."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each call raised
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_one_export_in_progress_per_account(demo_accounts):
    leader, centre = actor("lingdao"), actor("zhongxin")
    first = _request(leader)
    with pytest.raises(Conflict) as refused:
        _request(leader, "feedback")  # a second tab of the same account
    assert "已有一个导出在排队或生成中" in refused.value.message
    assert _request(centre)["status"] == "排队"  # another account is not held up
    assert ledger_exports.run_export(actor=leader, export_id=first["id"])["status"] == "已完成"
    assert _request(leader, "feedback")["status"] == "排队"  # the first one done: the next is welcome


def test_two_tabs_asking_at_the_same_instant_queue_one_export(demo_accounts, monkeypatch):
    leader = actor("lingdao")
    _slow(monkeypatch, "owner_busy")
    results = _at_once([lambda: _request(leader), lambda: _request(leader, "feedback")])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"], results
    assert _in_progress(leader.user_id) == 1


def test_the_global_cap_queues_exports_and_starts_them_oldest_first(demo_accounts, cap):
    cap(2)
    viewers = [actor(name) for name in ("zhongxin", "lingdao", "zhujianju", "dongjie")]
    first, second, third, fourth = (_request(viewer) for viewer in viewers)
    assert export_queue.claim_next() == [first["id"], second["id"]]
    assert export_queue.claim_next() == []  # both slots taken: the others wait
    assert (_status(viewers[2], third)["status"], _status(viewers[2], third)["ahead"]) == ("排队", 0)
    assert _status(viewers[3], fourth)["ahead"] == 1
    with pytest.raises(Conflict):  # a queued export run directly (the CLI) waits for a slot too
        ledger_exports.run_export(actor=viewers[3], export_id=fourth["id"])
    assert _status(viewers[0], first)["status"] == "启动中"
    assert ledger_exports.run_export(actor=viewers[0], export_id=first["id"])["status"] == "已完成"
    assert export_queue.claim_next() == [third["id"]]  # in order, not the newest
    ledger_exports.mark_abandoned(export_id=second["id"])  # a crashed child frees its slot as 失败
    assert _status(viewers[1], second)["status"] == "失败"
    assert export_queue.claim_next() == [fourth["id"]]


def test_racing_starts_never_exceed_the_cap(demo_accounts, cap, monkeypatch):
    cap(1)
    for name in ("zhongxin", "lingdao", "zhujianju"):
        _request(actor(name))
    _slow(monkeypatch, "writing_count", 0.2)
    results = _at_once([export_queue.claim_next, export_queue.claim_next, export_queue.claim_next])
    assert sorted(len(claimed) for claimed in results) == [0, 0, 1], results
    with session_scope() as session:
        assert export_queue.writing_count(session) == 1


def test_an_export_left_in_progress_stops_blocking_after_an_hour(demo_accounts, cap):
    cap(1)
    leader, centre = actor("lingdao"), actor("zhongxin")
    dead = _request(leader)
    assert export_queue.claim_next() == [dead["id"]]  # its worker died with the slot taken
    waiting = _request(centre)
    assert export_queue.claim_next() == []
    with session_scope() as session:
        earlier = now() - timedelta(minutes=export_queue.STALE_MINUTES + 1)
        session.exec(update(LedgerExport).where(LedgerExport.id == dead["id"]).values(created_at=earlier))
    assert export_queue.claim_next() == [waiting["id"]]
    assert _status(leader, dead)["status"] == "失败"
    assert _request(leader)["status"] == "排队"
