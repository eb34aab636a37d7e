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

config = rx.Config(
    app_name="portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_port,
    backend_port=_port,
    # Several workers or hosts share state through Redis; one embedded worker needs none.
    redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
    # DESIGN §8: the socket and the API accept only the portal's own origin, never "*" (credentials are
    # allowed, so a wildcard would let any site drive a logged-in user's socket).
    cors_allowed_origins=[_origin] if _origin else [f"http://localhost:{_port}", f"http://127.0.0.1:{_port}"],
    # Reflex's own X-Forwarded-For reading trusts any peer; the portal derives the client address itself,
    # believing the header only from PORTAL_TRUSTED_PROXIES (portal/core/network.py).
    trusted_proxy_hops=0,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="red", gray_color="slate", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
