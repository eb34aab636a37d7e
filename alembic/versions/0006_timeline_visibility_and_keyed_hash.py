"""Timeline events get a visibility decided by the writing service (public / staff) and a public
wording; the chain becomes an HMAC keyed by the timeline key (portal.core.keys), covering both.

Existing events: the actions the enterprise was always meant to see become public with their text; the
staff-internal ones (return reasons, extension requests and denials, co-unit opinions, review forms,
failed phone calls, verification opinions) become staff-only, with a public wording where the enterprise
should still learn that something happened. Then each demand's chain is checked under the old unkeyed
SHA-256 and rehashed under the key; a chain that was already broken is left as it is, so
``verify-timeline`` keeps reporting it instead of the migration laundering the tampering.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op
from portal.models.types import UTCDateTime

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STAFF_ONLY = ("退回", "申请延期", "驳回延期", "协办意见", "上传审核反馈表", "回访未接通")
PUBLIC_WORDING = {
    "核查办结": "经核查,诉求已办结",
    "核查意见:重办": "经核查,转承办单位重办",
    "无法联系": "多次电话回访未能联系到企业,诉求按无法联系办结",
}

_events = sa.table(
    "timeline_event",
    sa.column("id", sa.Integer),
    sa.column("demand_id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_label", sa.String),
    sa.column("action", sa.String),
    sa.column("detail", sa.Text),
    sa.column("visibility", sa.String),
    sa.column("public_detail", sa.Text),
    sa.column("data", sa.JSON),
    sa.column("created_at", UTCDateTime),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _body(row, prev_hash: str, keyed: bool) -> bytes:
    fields = {
        "demand_id": row.demand_id,
        "seq": row.seq,
        "actor_id": row.actor_id,
        "actor_label": row.actor_label,
        "action": row.action,
        "detail": row.detail,
        "data": row.data or {},
        "created_at": row.created_at.isoformat(timespec="microseconds"),
        "prev_hash": prev_hash,
    }
    if keyed:
        fields |= {"visibility": row.visibility, "public_detail": row.public_detail}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _public_of(action: str, detail: str) -> tuple[str, str]:
    if action in STAFF_ONLY:
        return "staff", ""
    if action in PUBLIC_WORDING:
        return "public", PUBLIC_WORDING[action]
    return "public", detail


def upgrade() -> None:
    with op.batch_alter_table("timeline_event") as batch:
        batch.add_column(sa.Column("visibility", sa.String(length=10), nullable=False, server_default="staff"))
        batch.add_column(sa.Column("public_detail", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_events).order_by(_events.c.demand_id, _events.c.seq)).all()
    if not rows:
        return
    from portal.core.keys import timeline_key

    key = timeline_key()
    by_demand: dict[int, list] = {}
    for row in rows:
        by_demand.setdefault(row.demand_id, []).append(row)
    for events in by_demand.values():
        intact, prev = True, ""
        for row in events:
            intact = (
                intact and row.prev_hash == prev and hashlib.sha256(_body(row, prev, False)).hexdigest() == row.hash
            )
            prev = row.hash
        prev = ""
        for row in events:
            visibility, public_detail = _public_of(row.action, row.detail)
            values = {"visibility": visibility, "public_detail": public_detail}
            if intact:
                digest = hmac.new(key, _body(_View(row, values), prev, True), hashlib.sha256).hexdigest()
                values |= {"prev_hash": prev, "hash": digest}
                prev = digest
            bind.execute(sa.update(_events).where(_events.c.id == row.id).values(**values))


class _View:
    """A row with some fields replaced (SQLAlchemy rows are read-only)."""

    def __init__(self, row, changes: dict) -> None:
        self._row, self._changes = row, changes

    def __getattr__(self, name: str):
        return self._changes[name] if name in self._changes else getattr(self._row, name)


def downgrade() -> None:
    with op.batch_alter_table("timeline_event") as batch:
        batch.drop_column("public_detail")
        batch.drop_column("visibility")
