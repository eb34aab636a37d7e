"""Who is acting: resolved server-side from the session token on every event (``sessions``), passed to
every service call. Never built from anything the client sends."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is acting, resolved server-side from the session token on every event."""

    user_id: int
    username: str
    role: str
    display_name: str
    unit_id: int | None = None
    enterprise_id: int | None = None
    # Someone else made the password (an admin's reset, 账号认领, an admin-created account): the
    # portal lets this actor do nothing but choose their own (``portal.services.accounts.passwords``).
    must_change_password: bool = False
