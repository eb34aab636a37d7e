"""Attacks from a raw socket.io client, the way a hostile browser would talk to the backend.

Every public state method is callable with any arguments (DESIGN §8), so staff-only handlers must
refuse without a session and with an enterprise session, and no delta may carry secrets.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import socketio
from sqlalchemy import create_engine, text

from portal.state.admin.staff_accounts import StaffAccountsState
from portal.state.calendar.admin import CalendarAdminState

pytestmark = pytest.mark.e2e

NAMESPACE = "/_event"


class RawClient:
    """A socket.io client speaking Reflex's event protocol directly."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None):
        self.base_url = base_url
        self.client_token = str(uuid.uuid4())
        self.deltas: list[dict] = []
        self._connect(headers or {})

    def _connect(self, headers: dict[str, str]) -> None:
        # An explicit Origin replaces the one the websocket library would send (the connection URL).
        suppress = {"suppress_origin": True} if "Origin" in headers else {}
        self.sio = socketio.Client(reconnection=False, websocket_extra_options=suppress)
        # Reflex's client connects to the URL ".../_event": socket.io path and namespace are both /_event.
        self.sio.on("event", self.deltas.append, namespace=NAMESPACE)
        self.sio.connect(
            f"{self.base_url}?token={self.client_token}",
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers=headers,
            wait_timeout=20,
        )

    def send(self, name: str, payload: dict, path: str = "/admin", quiet: float = 0.5, timeout: float = 15) -> None:
        before = len(self.deltas)
        self.sio.emit(
            "event",
            {"name": name, "payload": payload, "router_data": {"pathname": path, "query": {}, "asPath": path}},
            namespace=NAMESPACE,
        )
        # Wait for the answer: at least one update, then a quiet half second.
        deadline = time.monotonic() + timeout
        seen, quiet_since = before, time.monotonic()
        while time.monotonic() < deadline:
            if len(self.deltas) != seen:
                seen, quiet_since = len(self.deltas), time.monotonic()
            elif seen > before and time.monotonic() - quiet_since > quiet:
                return
            time.sleep(0.05)
        raise AssertionError(f"no answer to {name}")

    def use_session(self, session_token: str) -> None:
        """Present the session cookie the way a browser does: in the socket's handshake (the same
        client token, so the tab's state carries on)."""
        self.sio.disconnect()
        self._connect({"Cookie": f"qs_session={session_token}"})

    def close(self) -> None:
        self.sio.disconnect()

    def text(self) -> str:
        """Everything received, with JavaScript \\uXXXX escapes (toasts travel as JS code) decoded."""
        dumped = json.dumps(self.deltas, ensure_ascii=False)
        return re.sub(r"\\\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), dumped)


def _count_users(database_url: str, username: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        n = connection.execute(text('SELECT count(*) FROM "user" WHERE username=:u'), {"u": username}).scalar()
    engine.dispose()
    return n


def _login_token(database_url: str, username: str) -> str:
    """Log in through the service against the portal's database (what a browser login would give)."""
    import os

    from portal.core.settings import get_settings
    from portal.services.accounts.sessions import login

    previous = os.environ.get("PORTAL_DATABASE_URL")
    os.environ["PORTAL_DATABASE_URL"] = database_url
    get_settings.cache_clear()
    try:
        return login(username=username, password="Demo@2026").token
    finally:
        if previous is None:
            os.environ.pop("PORTAL_DATABASE_URL", None)
        else:
            os.environ["PORTAL_DATABASE_URL"] = previous
        get_settings.cache_clear()


CREATE_USER = f"{StaffAccountsState.get_full_name()}.create_staff_user"
FORM = {
    "form": {
        "username": "intruder01",
        "display_name": "入侵者",
        "role": "admin",
        "password": "Kx7mZ2pL9vQa",
        "unit_id": "",
    }
}


def test_staff_handler_refused_without_session(portal_server):
    client = RawClient(portal_server.url)
    try:
        client.send(CREATE_USER, FORM)
    finally:
        client.close()
    assert _count_users(portal_server.database_url, "intruder01") == 0
    assert "无权执行此操作" in client.text()


def test_staff_handler_refused_with_enterprise_session(portal_server):
    client = RawClient(portal_server.url)
    try:
        client.use_session(_login_token(portal_server.database_url, "qiye1"))
        client.send(CREATE_USER, FORM)
        client.send(f"{StaffAccountsState.get_full_name()}.set_user_active", {"user_id": 1, "active": False})
    finally:
        client.close()
    assert _count_users(portal_server.database_url, "intruder01") == 0
    engine = create_engine(portal_server.database_url)
    with engine.connect() as connection:
        assert connection.execute(text('SELECT is_active FROM "user" WHERE id = 1')).scalar()
    engine.dispose()


def test_admin_session_works_and_deltas_carry_no_secrets(portal_server):
    """The same raw client with an admin session may act; nothing it receives holds a hash or a token
    other than its own."""
    other_token = _login_token(portal_server.database_url, "zhongxin")
    own_token = _login_token(portal_server.database_url, "admin")
    client = RawClient(portal_server.url)
    try:
        client.use_session(own_token)
        client.send(f"{StaffAccountsState.get_full_name()}.load", {})
        client.send(CREATE_USER, {"form": dict(FORM["form"], username="legit0001", role="leader")})
    finally:
        client.close()
    assert _count_users(portal_server.database_url, "legit0001") == 1
    received = client.text()
    assert "zhongxin" in received  # the admin's user list did arrive…
    assert "$argon2" not in received and "pbkdf2" not in received  # …without any password hash
    assert other_token not in received
    engine = create_engine(portal_server.database_url)
    with engine.connect() as connection:
        hashes = [row[0] for row in connection.execute(text("SELECT token_hash FROM user_session"))]
    engine.dispose()
    assert not any(h in received for h in hashes)


def _admin_footprint(database_url: str) -> tuple:
    """What any admin handler would change: the audit, accounts, units, the catalogue, rules, holidays."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        footprint = tuple(
            connection.execute(text(query)).scalar()
            for query in (
                "SELECT count(*) FROM audit_entry",
                'SELECT count(*) FROM "user" WHERE is_active',
                "SELECT max(password_hash) FROM \"user\" WHERE username = 'qiye1'",
                "SELECT count(*) FROM unit WHERE active",
                "SELECT count(*) FROM catalogue_change",
                "SELECT count(*) FROM admitted_credit_code",
                "SELECT sum(working_days) FROM time_limit_rule",
                "SELECT count(*) FROM holiday",
            )
        )
    engine.dispose()
    return footprint


@pytest.mark.parametrize("username", ["qiye1", "zhongxin"])
def test_every_admin_handler_refuses_an_enterprise_or_dispatcher(portal_server, username):
    """Issue #12: an enterprise or the 推进中心 calling any /admin handler is refused with nothing changed."""
    from portal.state.admin.account_actions import AccountActionsState
    from portal.state.admin.catalogue import CatalogueAdminState
    from portal.state.admin.units import UnitsAdminState
    from portal.state.supervision.rules import RulesState

    qiye1 = _user_id(portal_server.database_url, "qiye1")
    calls = [
        (UnitsAdminState, "save", {"form": {"unit_name": "入侵单位", "unit_code": "X999", "unit_kind": "园区"}}),
        (UnitsAdminState, "set_active", {"unit_id": 2, "active": False}),
        (UnitsAdminState, "delete", {"unit_id": 2}),
        (
            CatalogueAdminState,
            "save",
            {"form": {"topic_name": "入侵事项", "topic_topic_class": "政策咨询类", "topic_lead_unit_id": "2"}},
        ),
        (RulesState, "save", {"form": {"rule_key": "一般", "rule_value": "40"}}),
        (AccountActionsState, "reset_password", {"user_id": qiye1, "username": "qiye1"}),
        (AccountActionsState, "unlock", {"user_id": qiye1}),
        (AccountActionsState, "set_enterprise_active", {"user_id": qiye1, "active": False}),
        (StaffAccountsState, "open_edit", {"user": {"id": 1}}),
        (StaffAccountsState, "save", {"form": {"edit_display_name": "x", "edit_role": "admin"}}),
        (
            AccountActionsState,
            "admit_pilot_code",
            {"form": {"pilot_code": "91370100MA3C5XXX10", "pilot_reason": "入侵"}},
        ),
        (CalendarAdminState, "set_day", {"form": {"day": "2026-12-01", "kind": "holiday", "name": "入侵"}}),
        (StaffAccountsState, "set_user_active", {"user_id": 1, "active": False}),
    ]
    before = _admin_footprint(portal_server.database_url)
    client = RawClient(portal_server.url)
    try:
        client.use_session(_login_token(portal_server.database_url, username))
        for state, handler, payload in calls:
            client.send(f"{state.get_full_name()}.{handler}", payload)
    finally:
        client.close()
    assert _admin_footprint(portal_server.database_url) == before


def _user_id(database_url: str, username: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        user_id = connection.execute(text('SELECT id FROM "user" WHERE username=:u'), {"u": username}).scalar()
    engine.dispose()
    return user_id


def test_ledger_handlers_refuse_an_enterprise(portal_server):
    """Issue #13: an enterprise calling 导出台账 / 导入台账 over the socket gets nothing and writes nothing."""
    from portal.state.ledgers.export import LedgerExportState
    from portal.state.ledgers.imports import LedgerImportState

    engine = create_engine(portal_server.database_url)

    def counts():
        with engine.connect() as connection:
            return (
                connection.execute(text("SELECT count(*) FROM ledger_export")).scalar(),
                connection.execute(text("SELECT count(*) FROM demand")).scalar(),
            )

    before = counts()
    client = RawClient(portal_server.url)
    try:
        client.use_session(_login_token(portal_server.database_url, "qiye1"))
        form = {"ledger": "problems", "file_format": "xlsx", "date_from": "", "date_to": ""}
        client.send(f"{LedgerExportState.get_full_name()}.export", {"form": form}, path="/staff/reports")
        client.send(f"{LedgerImportState.get_full_name()}.preview", {}, path="/staff/reports")
        confirm = {"form": {"channel": "台账导入"}}
        client.send(f"{LedgerImportState.get_full_name()}.confirm", confirm, path="/staff/reports")
    finally:
        client.close()
    assert counts() == before
    engine.dispose()
