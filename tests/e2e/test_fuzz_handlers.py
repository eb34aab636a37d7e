"""Every public event handler of every portal state, found by walking the app's state tree (not a
hand-kept list), called over the raw socket with junk arguments: with no session, with an enterprise
session and with a handler session. Nothing in the domain tables may change, nothing of another party
may come back, and no handler may fail with an unhandled exception (DESIGN §8)."""

from __future__ import annotations

import inspect
import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect

from portal.models.migration_filters import FULLTEXT_COLUMNS
from tests.e2e.test_hostile_client import RawClient, _login_token
from tests.e2e.test_hostile_demands import secret_demand  # noqa: F401

pytestmark = pytest.mark.e2e

# Tables a junk call may touch by design: sessions (last seen), throttles (failed logins count).
EXCLUDED_TABLES = {"user_session", "throttle", "alembic_version"}
# A no-argument 全部已读 is a real action of whoever is logged in; it changes only read marks.
EXCLUDED_COLUMNS = {("notification", "read_at")}
JUNK_SCALARS = ["²", 10**30, None, -1, "9" * 25, "../../etc/passwd", True, "<script>alert(1)</script>", 1.5]
JUNK_FORM = {
    "username": ["admin"],
    "password": {"$ne": ""},
    "demand_id": "1 OR 1=1",
    "order_id": "²",
    "unit_id": 10**30,
    "lead_unit_id": "-1",
    "co_unit_ids": "all",
    "level": "永久",
    "extension_due": "9999-12-31",
    "day": "0000-00-00",
    "role": "admin",
    "satisfaction": {"x": 1},
    "status": "已办结",
}


def portal_handlers() -> list[tuple[str, str, list[str]]]:
    """(state full name, handler name, parameter names) for every handler of the portal's states."""
    from reflex.state import State

    import portal.portal  # noqa: F401  (registers every page and so every state)

    found, pending = [], list(State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if not cls.__module__.startswith("portal."):
            continue
        for name, handler in cls.event_handlers.items():
            params = [p for p in inspect.signature(handler.fn).parameters if p != "self"]
            found.append((cls.get_full_name(), name, params))
    return sorted(found)


def _payloads(params: list[str], seed: int) -> list[dict]:
    """No arguments at all, then junk: a hostile form for every parameter named like a form, a
    different junk scalar (rotating with ``seed``) for the rest."""
    junk = {
        p: JUNK_FORM if "form" in p or "filters" in p else JUNK_SCALARS[(seed + i) % len(JUNK_SCALARS)]
        for i, p in enumerate(params)
    }
    return [{}, junk] if params else [{}]


def _snapshot(database_url: str) -> dict[str, list]:
    engine = create_engine(database_url)
    tables = [t for t in sa_inspect(engine).get_table_names() if t not in EXCLUDED_TABLES and "fts" not in t]
    snapshot = {}
    with engine.connect() as connection:
        for table in tables:
            columns = [c["name"] for c in sa_inspect(engine).get_columns(table)]
            kept = [c for c in columns if (table, c) not in EXCLUDED_COLUMNS and c not in FULLTEXT_COLUMNS]
            rows = connection.execute(text(f'SELECT {", ".join(kept)} FROM "{table}"')).all()
            snapshot[table] = sorted(json.dumps(list(row), default=str, ensure_ascii=False) for row in rows)
    engine.dispose()
    return snapshot


def test_the_handler_list_is_discovered_not_kept():
    handlers = {(state.rsplit("____", 1)[-1], name) for state, name, _ in portal_handlers()}
    assert ("staff_accounts_state", "create_staff_user") in handlers
    assert ("dispatcher_demand_actions", "dispatch") in handlers
    assert ("login_state", "setvar") in handlers  # Reflex's own handlers are attacked too
    assert len(handlers) > 30


@pytest.mark.parametrize("who", [None, "qiye2", "dongjie"])
def test_junk_to_every_handler_changes_nothing_and_leaks_nothing(portal_server, secret_demand, who):  # noqa: F811
    token = _login_token(portal_server.database_url, who) if who else ""  # (sets last_login_at)
    before = _snapshot(portal_server.database_url)
    log_before = portal_server.log_path.read_text(errors="replace").count("Traceback")
    client = RawClient(portal_server.url)
    if token:
        client.use_session(token)  # the cookie rides in the handshake; no event can take it away
    try:
        for state, name, params in portal_handlers():
            if who and name == "logout":
                continue  # ends the session by design; tested on its own
            for payload in _payloads(params, seed=len(name)):
                try:
                    client.send(
                        f"{state}.{name}",
                        payload,
                        path=f"/staff/demands/{secret_demand['demand_id']}",
                        quiet=0.15,
                        timeout=1.5,
                    )
                except AssertionError:
                    pass  # a refused call that changed nothing sends no delta at all
    finally:
        client.close()
    assert _snapshot(portal_server.database_url) == before
    received = client.text()
    assert "机密诉求甲乙丙" not in received and "只有本企业" not in received
    assert "$argon2" not in received
    new_tracebacks = portal_server.log_path.read_text(errors="replace").count("Traceback") - log_before
    assert new_tracebacks == 0, portal_server.log_path.read_text(errors="replace")[-4000:]
