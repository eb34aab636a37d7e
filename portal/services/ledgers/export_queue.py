"""Who may export when (issue #20): one export in progress per account, and at most
``PORTAL_EXPORT_MAX_RUNNING`` child processes writing files at once across all workers; the others wait
as 排队 and start oldest first when a slot frees.

A request and a start each hold a lock while they look and write (PostgreSQL: one transaction-scoped
advisory lock; SQLite: the database's single write lock, taken by the transaction's first statement),
so two tabs asking at the same instant cannot both pass a check the other one would have failed.

States: 排队 (waiting for a slot) → 启动中 (a slot taken, the child being started) → 生成中 (the child
writing) → 已完成 | 失败. ``claim_next`` moves the oldest queued exports into free slots, whoever's they
are, and its caller (the page's poll) starts a child for each. An export left in progress by a worker
that died is failed after ``STALE_MINUTES``, so it holds neither a slot nor its owner's turn for ever.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, text, update
from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.settings import get_settings
from portal.models.tables import LedgerExport

QUEUED, STARTING, RUNNING, DONE, FAILED = "排队", "启动中", "生成中", "已完成", "失败"
IN_PROGRESS = (QUEUED, STARTING, RUNNING)
WRITING = (STARTING, RUNNING)
STALE_MINUTES = 60
LOCK_KEY = 2_020_003  # pg_advisory_xact_lock; the scheduler's leader lock uses another key
BUSY = "您已有一个导出在排队或生成中,请等它完成后再导出(完成后可在“我的导出”中下载)"
WAITING = "导出排队中,稍后自动开始"


def serialise(session: Session) -> None:
    """Hold the export lock until the session's transaction ends. Call before anything else in it."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=LOCK_KEY))
    else:  # SQLite: an UPDATE, even of no row, takes the write lock that every writer waits for
        session.exec(update(LedgerExport).where(LedgerExport.id == -1).values(done=0))


def _cutoff():
    return now() - timedelta(minutes=STALE_MINUTES)


def expire_stale(session: Session) -> None:
    """Fail exports in progress since longer than ``STALE_MINUTES`` (their worker or child is gone)."""
    session.exec(
        update(LedgerExport)
        .where(LedgerExport.status.in_(IN_PROGRESS), LedgerExport.created_at < _cutoff())
        .values(status=FAILED, error="导出超时未完成,请重试", finished_at=now())
    )


def owner_busy(session: Session, owner_id: int) -> bool:
    query = select(LedgerExport.id).where(LedgerExport.owner_id == owner_id, LedgerExport.status.in_(IN_PROGRESS))
    return session.exec(query.limit(1)).first() is not None


def writing_count(session: Session) -> int:
    """Slots taken (by exports not yet stale: a stale one is failed by the next locked look)."""
    query = select(func.count()).where(LedgerExport.status.in_(WRITING), LedgerExport.created_at >= _cutoff())
    return session.exec(query).one()


def slots() -> int:
    return max(1, get_settings().export_max_running)


def claim_next() -> list[int]:
    """Move the oldest queued exports into the free slots (排队 → 启动中); returns their ids, for the
    caller to start a child for each. Nothing queued or no slot free: no lock taken."""
    with session_scope() as session:
        queued = session.exec(select(LedgerExport.id).where(LedgerExport.status == QUEUED).limit(1)).first()
        if queued is None or writing_count(session) >= slots():
            return []
    with session_scope() as session:
        serialise(session)
        expire_stale(session)
        free = slots() - writing_count(session)
        if free <= 0:
            return []
        ids = list(
            session.exec(
                select(LedgerExport.id).where(LedgerExport.status == QUEUED).order_by(LedgerExport.id).limit(free)
            ).all()
        )
        if ids:
            session.exec(update(LedgerExport).where(LedgerExport.id.in_(ids)).values(status=STARTING))
        return ids


def ahead_of(session: Session, export: LedgerExport) -> int:
    """How many queued exports will start before this one."""
    if export.status != QUEUED:
        return 0
    query = select(func.count()).where(LedgerExport.status == QUEUED, LedgerExport.id < export.id)
    return session.exec(query).one()
