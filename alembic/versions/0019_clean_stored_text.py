"""Stored text cleaned as new text now is (issue #20): every text column a person typed (or that is
composed of typed text) is put through ``normalise_text`` — one kind of line break, no control
characters an .xlsx cannot hold, NFC — so a row stored before the cleaning no longer breaks a ledger
export; a demand's and a policy's search tokens are recomputed when their text changed.

Read in batches by key and written with one executemany UPDATE per batch, changed rows only: the same
on SQLite and PostgreSQL. Left as they are:
- ``timeline_event``: each event's HMAC covers its own text, so cleaning it would break every chain it
  touches (or mean rehashing, which would also hide real tampering). The .xlsx writer drops what a
  spreadsheet cannot hold, which is where such text did harm.
- a value whose cleaned form another row already holds in a unique column (two unit names that differ
  only by a control character): cleaning it would fail the upgrade; it stays as it is.
- JSON columns (``catalogue_change``, ``ledger_export`` filters) and what only the system writes.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op

revision: str = "0019"
down_revision: Union[str, None] = "0018"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 1000
# table → (key column, text columns)
TEXT_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "demand": ("id", ("title", "content", "contact_name", "contact_phone", "reject_reason", "instant_answer")),
    "work_order": ("id", ("due_reason", "return_reason", "reply_content", "solve_method", "co_opinion")),
    "extension_request": ("id", ("reason", "decision_note")),
    "rating": ("id", ("comment",)),
    "revisit_task": ("id", ("last_attempt_note",)),
    "verification": ("id", ("unit_note", "opinion")),
    "notification": ("id", ("title", "body")),
    "attachment": ("id", ("filename",)),
    "unit": ("id", ("name", "code", "kind", "contact_name", "contact_phone")),
    "enterprise": ("id", ("name", "address", "contact_name", "contact_phone")),
    "user": ("id", ("display_name", "phone")),
    "topic": ("id", ("name",)),
    "dispatch_rule": ("id", ("keywords",)),
    "admitted_credit_code": ("id", ("reason",)),
    "holiday": ("day", ("name",)),
    "audit_entry": ("id", ("actor_label", "target", "detail")),
    "supervision_notice": ("id", ("message",)),
    "card": ("id", ("reason", "revoke_reason")),
    "policy": ("id", ("title", "doc_number", "issuer", "summary", "body", "interpretation", "guide")),
    "policy_tag": ("id", ("policy_id", "kind", "value")),  # policy_id and kind only for the uniqueness check
    "visit": ("id", ("summary",)),
}
# Columns (or groups) that must stay unique: a cleaned value already taken is not written.
UNIQUE = {
    "unit": (("name",), ("code",)),
    "enterprise": (("name",),),
    "topic": (("name",),),
    "policy_tag": (("policy_id", "kind", "value"),),
}
_POLICY_TEXT = ("title", "doc_number", "issuer", "summary", "body", "interpretation", "guide")


def _lengths(bind, table: str) -> dict[str, int]:
    """The declared length of each VARCHAR column (a cleaned value is never longer in practice; NFC
    may in theory lengthen a string, and PostgreSQL would refuse it)."""
    return {
        c["name"]: c["type"].length for c in sa.inspect(bind).get_columns(table) if getattr(c["type"], "length", None)
    }


def _cleaned(row, columns, lengths, normalise) -> dict:
    values = {}
    for name in columns:
        value = getattr(row, name)
        if isinstance(value, str):
            value = normalise(value)
            if name in lengths:
                value = value[: lengths[name]]
        values[name] = value
    return values


def _taken(bind, table, key: str, row_key, values: dict, group: tuple[str, ...], claimed: set) -> bool:
    """Whether another row holds (or this run has already given another row) the group's new values."""
    wanted = (group, tuple(values[name] for name in group))
    if wanted in claimed:
        return True
    condition = sa.and_(*(table.c[name] == values[name] for name in group), table.c[key] != row_key)
    if bind.execute(sa.select(table.c[key]).where(condition).limit(1)).first() is not None:
        return True
    claimed.add(wanted)
    return False


def _derived(name: str, values: dict, cjk_bigrams) -> dict:
    """The search tokens that follow from the cleaned text, as intake and policy editing write them."""
    if name == "demand":
        return {"search_tokens": cjk_bigrams(f"{values['title']} {values['content']}")}
    if name == "policy":
        return {"search_tokens": cjk_bigrams(" ".join(values[n] or "" for n in _POLICY_TEXT))}
    return {}


def _change(bind, table, name: str, row, lengths: dict, claimed: set, normalise) -> dict | None:
    """The cleaned values of one row, or None when cleaning changes nothing it may write."""
    key, columns = TEXT_COLUMNS[name]
    old = {c: getattr(row, c) for c in columns}
    new = _cleaned(row, columns, lengths, normalise)
    for group in UNIQUE.get(name, ()):
        if any(new[c] != old[c] for c in group) and _taken(bind, table, key, getattr(row, key), new, group, claimed):
            new.update({c: old[c] for c in group})
    return None if new == old else new


def _clean_table(bind, name: str, normalise, cjk_bigrams) -> int:
    key, columns = TEXT_COLUMNS[name]
    extra = ("search_tokens",) if name in ("demand", "policy") else ()
    table = sa.table(name, *(sa.column(c) for c in (key, *columns, *extra)))
    assignments = {c: sa.bindparam(f"v_{c}") for c in (*columns, *extra)}
    statement = sa.update(table).where(table.c[key] == sa.bindparam("k")).values(assignments)
    query = sa.select(table.c[key], *(table.c[c] for c in columns)).order_by(table.c[key]).limit(BATCH)
    written, last, claimed, lengths = 0, None, set(), _lengths(bind, name)
    while True:
        rows = bind.execute(query if last is None else query.where(table.c[key] > last)).all()
        if not rows:
            return written
        changes = []
        for row in rows:
            if (new := _change(bind, table, name, row, lengths, claimed, normalise)) is not None:
                values = {**new, **_derived(name, new, cjk_bigrams)}
                changes.append({"k": getattr(row, key), **{f"v_{c}": v for c, v in values.items()}})
        if changes:
            bind.execute(statement, changes)
            written += len(changes)
        last = getattr(rows[-1], key)


def upgrade() -> None:
    from portal.services.base.fulltext import cjk_bigrams
    from portal.services.base.text import normalise_text

    bind = op.get_bind()
    for name in TEXT_COLUMNS:
        _clean_table(bind, name, normalise_text, cjk_bigrams)


def downgrade() -> None:
    pass  # cleaned text stays clean: the dropped characters were never meant to be there
