"""Reflex configuration. Ports and origins come from the environment (README § 配置)."""

import os

import reflex as rx

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
