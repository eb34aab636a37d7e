"""通知设置: one card on /my/profile (enterprises) and the page /staff/profile (every staff role)."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.forms import CHECK_LABEL, phone_field, text_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import loading_or
from portal.state.delivery.preferences import CATEGORY_FIELD, DeliveryPreferencesState

P = DeliveryPreferencesState
_PHONE_HINT = "接收短信通知,须为11位手机号;留空则不发短信"


def _check(name, label, checked, hint=None) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, default_checked=checked),
        rx.text.span(label, margin_left="4px"),
        rx.text.span(hint, size="1", color_scheme="gray", margin_left="6px") if hint is not None else rx.fragment(),
        style={**CHECK_LABEL, "marginRight": "16px"},
    )


def _pair(*fields: rx.Component) -> rx.Component:
    """Two fields side by side (one column on a phone): in this narrow card three columns left an
    e-mail address cut off, in 长者模式 most of all."""
    return rx.grid(*fields, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


def _group(legend: str, *children: rx.Component) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, style={"fontWeight": 500, "fontSize": "var(--font-size-2)", "marginBottom": "6px"}),
        rx.flex(*children, wrap="wrap", spacing="2"),
        style={"border": "none", "padding": 0, "margin": 0},
    )


def _form() -> rx.Component:
    errors = P.errors
    return rx.form(
        rx.vstack(
            rx.callout(P.channels_note, icon="info", size="1", color_scheme="gray", width="100%"),
            _pair(
                text_field(
                    "电子邮箱",
                    "email",
                    errors=errors,
                    default_value=P.email,
                    max_length=100,
                    placeholder="name@example.com",
                    hint="接收邮件通知;留空则不发邮件",
                    keyboard="email",
                ),
                phone_field("手机号", "phone", errors=errors, default_value=P.phone, max_length=20, hint=_PHONE_HINT),
            ),
            _group(
                "接收渠道(站内信始终接收)", _check("email_on", "邮件", P.email_on), _check("sms_on", "短信", P.sms_on)
            ),
            _group(
                "通过邮件、短信接收的通知",
                rx.foreach(P.categories, lambda c: _check(CATEGORY_FIELD + c["name"], c["name"], c["on"], c["kinds"])),
            ),
            _pair(
                text_field(
                    "免打扰开始",
                    "quiet_start",
                    errors=errors,
                    default_value=P.quiet_start,
                    max_length=5,
                    placeholder="22:00",
                    hint="此时段内不发短信,结束后补发;邮件照常发送",
                ),
                text_field(
                    "免打扰结束",
                    "quiet_end",
                    errors=errors,
                    default_value=P.quiet_end,
                    max_length=5,
                    placeholder="07:00",
                    hint="两项都留空表示不设免打扰",
                ),
            ),
            rx.button("保存通知设置", type="submit", size="3"),
            spacing="4",
            width="100%",
        ),
        on_submit=P.save,
        reset_on_submit=False,
        key=P.form_key,
    )


def preferences_card(*, titled: bool = True, **props) -> rx.Component:
    """The card; ``titled`` False where the page's own title already says 通知设置 (/staff/profile)."""
    title = rx.heading("通知设置", size="4", as_="h2", margin_bottom="12px") if titled else rx.fragment()
    return card(title, loading_or(P.loaded, _form()), max_width="760px", **props)


def staff_profile() -> rx.Component:
    return staff_page("通知设置", preferences_card(titled=False))
