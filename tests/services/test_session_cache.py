"""The resolved-session cache (issue #8): it saves the queries, never the checks that matter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from portal.core.clock import fixed, use_clock
from portal.core.db import get_engine
from portal.services.accounts import enterprise_accounts, sessions, staff_accounts
from tests.services.test_accounts import PASSWORD, T0, form


def _count_queries(fn) -> int:
    from sqlalchemy import event

    seen = []
    engine = get_engine()
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_cached_session_costs_no_query_and_ends_with_its_limits(seeded):
    enterprise_accounts.register_enterprise(form=form())
    with use_clock(fixed(T0)):
        token = sessions.login(username="testco", password=PASSWORD).token
        assert sessions.resolve_session(token).username == "testco"
        assert _count_queries(lambda: sessions.resolve_session(token)) == 0
    # Another worker revokes it in the database: trusted for at most CACHE_SECONDS more.
    with get_engine().begin() as connection:
        connection.execute(text("UPDATE user_session SET revoked_at = :t"), {"t": T0})
    with use_clock(fixed(T0 + timedelta(seconds=sessions.CACHE_SECONDS - 1))):
        assert sessions.resolve_session(token) is not None
    with use_clock(fixed(T0 + timedelta(seconds=sessions.CACHE_SECONDS))):
        assert sessions.resolve_session(token) is None


def test_logout_and_deactivation_in_this_worker_take_effect_at_once(demo):
    from tests.services.test_lifecycle import actor

    token = sessions.login(username="dongjie", password="Demo@2026").token
    assert sessions.resolve_session(token) is not None
    staff_accounts.set_user_active(actor=actor("admin"), user_id=actor("dongjie").user_id, active=False)
    assert sessions.resolve_session(token) is None
    other = sessions.login(username="qiye1", password="Demo@2026").token
    assert sessions.resolve_session(other) is not None
    sessions.logout(other)
    assert sessions.resolve_session(other) is None


def test_the_cache_never_outlives_the_idle_limit(seeded, monkeypatch):
    from portal.core.settings import get_settings

    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "1")
    get_settings.cache_clear()
    try:
        enterprise_accounts.register_enterprise(form=form())
        with use_clock(fixed(T0)):
            token = sessions.login(username="testco", password=PASSWORD).token
        with use_clock(fixed(T0 + timedelta(seconds=58))):  # cached, not touched (touches are a minute apart)
            assert sessions.resolve_session(token) is not None
        with use_clock(fixed(T0 + timedelta(seconds=61))):  # idle since T0: over, though cached 3 s ago
            assert sessions.resolve_session(token) is None
    finally:
        get_settings.cache_clear()


def test_the_session_cookie_is_read_from_the_header_as_strictly_as_before():
    token = "t" * 43
    read = sessions.token_in_cookie_header
    for _ in range(2):  # the second answer comes from the parse cache and must be the same
        assert read(f"theme=dark; qs_session={token}; lang=zh") == token
        assert read("") == "" and read("theme=dark") == "" and read(f"qs_session_x={token}") == ""
        # A header SimpleCookie refuses gives no token at all, not the part that parsed.
        assert read(f"a(b=1; qs_session={token}") == "" and read(f"qs_session={token}; a@b=1") == ""
        assert read(f'qs_session="{token}') == ""


def test_every_event_resolves_the_cookie_its_socket_carries_now(demo):
    """``AuthState._session_token`` as the handlers call it, on a state tree whose router the events set:
    no cookie, a changed cookie and a revoked session are each honoured at once, parse cache or not."""
    import asyncio
    import concurrent.futures
    import contextvars

    from reflex.istate.data import RouterData
    from reflex.state import State

    from portal.state.demands.lists import StaffSearchState

    async def tree():
        root = State(_reflex_internal_init=True)
        return root, await root.get_state(StaffSearchState)

    # A thread of its own (after the browser tests Playwright's sync API keeps a loop running in this one), with
    # this thread's context variables: Reflex's registration context is one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        root, state = pool.submit(contextvars.copy_context().run, asyncio.run, tree()).result()

    def carry(cookie: str | None) -> None:
        headers = {"cookie": cookie} if cookie is not None else {}
        root.router = RouterData.from_router_data({"headers": headers, "pathname": "/staff/demands"})

    dispatcher = sessions.login(username="zhongxin", password="Demo@2026").token
    handler = sessions.login(username="dongjie", password="Demo@2026").token
    carry(None)
    assert state._session_token() == "" and state._actor() is None
    carry(f"qs_session={dispatcher}")
    assert state._actor().username == "zhongxin"
    carry(f"theme=dark; qs_session={handler}")  # another login in the same tab
    assert state._actor().username == "dongjie"
    carry(f"qs_session={handler[:-1]}")
    assert state._actor() is None
    sessions.logout(handler)
    carry(f"theme=dark; qs_session={handler}")  # the header's parse is cached; the revocation still counts
    assert state._session_token() == handler and state._actor() is None
    carry(f"qs_session={dispatcher}")
    assert state._actor().username == "zhongxin"
