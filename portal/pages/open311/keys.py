"""/admin/api-keys 接口密钥: the key just made (shown once), 新建密钥, and the keys with their use and 停用."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.pages.components.forms import field_grid, text_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, list_caption, loading_or
from portal.state.open311.keys import ApiKeysState as K

# Copies the key shown and answers whether the browser let it (it may refuse the clipboard).
COPY_KEY = (
    "navigator.clipboard ? navigator.clipboard.writeText(document.getElementById('new-api-key').textContent)"
    ".then(() => true, () => false) : Promise.resolve(false)"
)


def _shown_once() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text("接入系统 ", rx.text.strong(K.new_key_name), " 的接口密钥:"),
            rx.code(K.new_key, id="new-api-key", style={"wordBreak": "break-all"}),
            rx.text("只显示这一次,请立即复制并交给对方系统妥善保存;平台只保存其摘要,无法找回,遗失请停用后重新生成。"),
            rx.hstack(
                rx.button(
                    "复制密钥",
                    id="copy-api-key",
                    type="button",
                    size="1",
                    variant="soft",
                    on_click=rx.call_script(COPY_KEY, callback=K.key_copied),
                ),
                rx.button("我已保存", type="button", size="1", on_click=K.dismiss_key),
            ),
            spacing="2",
        ),
        icon="key-round",
        color_scheme="green",
        role="status",
        margin_bottom="16px",
    )


def _choices(legend: str, options, chosen, toggle, error_name: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, style={"fontWeight": 500, "fontSize": "14px"}),
        rx.flex(
            rx.foreach(
                options,
                lambda o: rx.checkbox(
                    o["name"], checked=chosen.contains(o["id"]), on_change=lambda ticked: toggle(o["id"], ticked)
                ),
            ),
            wrap="wrap",
            spacing="3",
        ),
        rx.cond(
            K.errors.contains(error_name),
            rx.text(K.errors[error_name], color="var(--red-11)", size="1", role="alert"),
            rx.fragment(),
        ),
        style={"border": "none", "padding": 0, "marginTop": "8px"},
    )


def _new_key() -> rx.Component:
    return card(
        rx.heading("新建密钥", size="4", as_="h2", margin_bottom="8px"),
        rx.text(
            "每个接入系统(如12345热线)一把密钥,来源渠道固定为“接口”。不勾选镇街或事项即不限;",
            "超过每分钟调用上限的请求被拒绝(429)。",
            size="2",
            color_scheme="gray",
            margin_bottom="8px",
        ),
        rx.form(
            field_grid(
                text_field(
                    "接入系统名称", "key_name", errors=K.errors, max_length=50, placeholder="如:12345政务服务便民热线"
                ),
                text_field("每分钟调用上限", "rate_per_minute", errors=K.errors, default_value="60", max_length=5),
            ),
            _choices("可代为登记的镇街(企业所在镇街)", K.towns, K.town_ids, K.toggle_town, "town_unit_ids"),
            _choices("可提交的诉求事项", K.topics, K.topic_ids, K.toggle_topic, "topic_ids"),
            rx.button("生成密钥", type="submit", margin_top="12px"),
            on_submit=K.create,
            reset_on_submit=False,
            key=K.form_version.to_string(),
        ),
    )


def _row(key) -> rx.Component:
    return rx.table.row(
        rx.table.cell(key["name"]),
        rx.table.cell(rx.code(key["prefix"])),
        rx.table.cell(key["channel"]),
        rx.table.cell(key["towns"]),
        rx.table.cell(key["topics"]),
        rx.table.cell(key["rate_per_minute"]),
        rx.table.cell(key["created_at"]),
        rx.table.cell(key["last_used_at"]),
        rx.table.cell(key["calls"], " / ", key["refused_calls"]),
        rx.table.cell(
            rx.cond(
                key["active"],
                rx.badge("启用中", color_scheme="green"),
                rx.badge("已停用 ", key["revoked_at"], color_scheme="gray"),
            )
        ),
        rx.table.cell(rx.cond(key["active"], _revoke_button(key), rx.fragment())),
    )


def _revoke_button(key) -> rx.Component:
    """停用 cuts the system off at once and for good: it asks first."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                "停用", size="1", variant="outline", color_scheme="red", type="button", aria_label="停用 " + key["name"]
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("确认停用“", key["name"], "”的密钥?"),
            rx.alert_dialog.description("停用后该系统的调用立即被拒绝,且不能恢复;仍需接入的,请为它重新生成密钥。"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("取消", type="button", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("确认停用", type="button", color_scheme="red", on_click=K.revoke(key["id"]))
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="460px",
        ),
    )


def _keys() -> rx.Component:
    headers = ["接入系统", "密钥前缀", "来源渠道", "镇街", "诉求事项", "每分钟上限"]
    headers += ["创建时间", "最近使用", "调用/被拒", "状态", "操作"]
    return card(
        rx.heading("接口密钥", size="4", as_="h2", margin_bottom="8px"),
        loading_or(
            K.loaded,
            rx.cond(
                K.keys.length() > 0,
                rx.box(
                    list_caption(K.keys.length(), "把密钥", "启用中的在前,按创建时间从新到旧"),
                    data_table(headers, K.keys, _row, label="接口密钥列表", wrap=True),
                ),
                empty("尚未创建接口密钥"),
            ),
        ),
        rx.text(
            f"接口地址 {routes.OPEN311_API}/(Open311 GeoReport v2,另有 updates 进度),说明见 docs/open311.yaml;"
            "每次带密钥的调用记入审计日志(开放接口)。",
            size="1",
            color_scheme="gray",
            margin_top="8px",
        ),
        margin_top="16px",
    )


def api_keys_page() -> rx.Component:
    return staff_page("接口密钥", rx.cond(K.new_key != "", _shown_once(), rx.fragment()), _new_key(), _keys())
