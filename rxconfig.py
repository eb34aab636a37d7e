"""Reflex configuration. Ports and origins come from the environment (README § 配置)."""

import functools
import os

import reflex as rx


def _respawn_failed_workers() -> None:
    """Granian (the server ``reflex run --env prod`` starts) stops every worker when one dies, unless
    told to respawn it; Reflex builds granian's server without that option. A worker killed by the
    kernel or an operator must cost only its own connections, which reconnect to the others (issue #24,
    tests_cluster/test_worker_killed.py), so a dead worker is started again."""
    try:
        from granian.server import Server
    except ImportError:  # uvicorn instead of granian
        return
    init = Server.__init__
    if getattr(init, "respawns", False):
        return

    @functools.wraps(init)
    def respawning(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        init(self, *args, **kwargs)

    respawning.respawns = True
    Server.__init__ = respawning


_respawn_failed_workers()

_port = int(os.environ.get("PORT", "3000"))
_origin = os.environ.get("PORTAL_PUBLIC_ORIGIN") or None
_redis_url = os.environ.get("REFLEX_REDIS_URL") or None

config = rx.Config(
    app_name="portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_port,
    backend_port=_port,
    # Several workers or hosts share state through Redis; one embedded worker keeps its tabs' states in memory.
    # Reflex's default disk manager holds them in memory as well and also pickles them to .states/, and each
    # time a write comes due (tens of times a second under load) it lists and stats every file there: ~1 ms
    # more CPU per event at 50 users (README § UI under load). The disk copy only let a tab's state outlive a
    # restart of the worker; without it a reconnecting tab rehydrates and reruns the page's on_load (the
    # guard resolves its cookie again), losing a list's filters and files staged but not yet submitted.
    # REFLEX_STATE_MANAGER_MODE still overrides this.
    redis_url=_redis_url,
    state_manager_mode=rx.constants.StateManagerMode.REDIS if _redis_url else rx.constants.StateManagerMode.MEMORY,
    # DESIGN §8: the socket and the API accept only the portal's own origin, never "*" (credentials are
    # allowed, so a wildcard would let any site drive a logged-in user's socket).
    cors_allowed_origins=[_origin] if _origin else [f"http://localhost:{_port}", f"http://127.0.0.1:{_port}"],
    # Reflex's own X-Forwarded-For reading trusts any peer; the portal derives the client address itself,
    # believing the header only from PORTAL_TRUSTED_PROXIES (portal/core/network.py).
    trusted_proxy_hops=0,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="red", gray_color="slate", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
