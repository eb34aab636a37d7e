"""Enterprise area (/my/...)."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.layout import card, enterprise_page
from portal.pages.components.widgets import kv
from portal.pages.delivery.preferences import preferences_card
from portal.state.accounts.profile import ProfileState


def profile() -> rx.Component:
    return enterprise_page(
        "企业信息",
        card(
            rx.vstack(rx.foreach(ProfileState.profile, lambda row: kv(row["label"], row["value"])), spacing="2"),
            rx.text(
                "企业信息如需变更,请通过“提交诉求”或联系推进中心办理。",
                size="1",
                color_scheme="gray",
                margin_top="12px",
            ),
        ),
        preferences_card(margin_top="16px"),
    )
