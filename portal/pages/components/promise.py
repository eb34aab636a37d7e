"""办理时限: the time-limit promise, drawn from the rules in force (home page, the enterprise's guide)."""

from __future__ import annotations

import reflex as rx


def promise_list(items: rx.Var) -> rx.Component:
    """One line per step: what, and within how long (a definition list, read as pairs)."""
    return rx.el.dl(
        rx.foreach(
            items,
            lambda p: rx.flex(
                rx.el.dt(p["what"], font_weight="600", min_width="8em"),
                rx.el.dd(p["limit"], margin="0"),
                spacing="2",
                wrap="wrap",
                padding_y="4px",
                border_bottom="1px solid var(--gray-4)",
            ),
        ),
        margin="0",
        font_size="14px",
    )
