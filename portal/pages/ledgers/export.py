"""导出台账 on /staff/reports: the choices, the progress bar while the file is written, and the viewer's
exports of the last day with their download links."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import DemandStatus
from portal.pages.components.forms import date_field, field_grid, select_field
from portal.pages.components.layout import card
from portal.pages.components.widgets import data_table, download_link
from portal.services.ledgers.exports import FORMATS
from portal.services.ledgers.sheets import LEDGER_CHOICES
from portal.state.ledgers.export import LedgerExportState as X

_STATUSES = [(s.value, s.value) for s in DemandStatus]


def _export_row(export) -> rx.Component:
    return rx.table.row(
        rx.table.cell(export["created_at"]),
        rx.table.cell(export["ledger"]),
        rx.table.cell(export["file_format"]),
        rx.table.cell(export["status"]),
        rx.table.cell(export["done"], " 行"),
        rx.table.cell(
            rx.cond(
                export["status"] == "已完成",
                download_link("下载", routes.EXPORTS_API + "/" + export["id"].to(str)),
                rx.text(export["error"]),
            )
        ),
    )


def export_card() -> rx.Component:
    return card(
        rx.heading("导出台账", size="4", as_="h2", margin_bottom="4px"),
        rx.text(
            "按市文件附件2–5的格式导出;右侧附加诉求编号、统一社会信用代码和日期。承办单位只能导出本单位的台账。"
            "文件只有导出人本人可以下载,保留一天。",
            size="1",
            color_scheme="gray",
            margin_bottom="8px",
        ),
        rx.form(
            field_grid(
                select_field("台账", "ledger", LEDGER_CHOICES, errors=X.errors, default_value="problems"),
                select_field("文件格式", "file_format", list(FORMATS.items()), errors=X.errors, default_value="xlsx"),
                date_field("登记日期自", "date_from", errors=X.errors),
                date_field("登记日期至", "date_to", errors=X.errors),
                select_field("承办单位", "unit_id", X.units, placeholder="全部"),
                select_field("镇街", "town_id", X.towns, placeholder="全部"),
                select_field("状态", "status", _STATUSES, placeholder="全部"),
                rx.button("导出", type="submit", align_self="end", disabled=X.running),
            ),
            on_submit=X.export,
            reset_on_submit=False,
        ),
        rx.cond(
            X.progress_label != "",
            rx.vstack(
                rx.progress(value=X.percent, max=100, aria_label="导出进度", width="100%"),
                rx.text(X.progress_label, size="2", role="status"),
                width="100%",
                margin_top="8px",
            ),
            rx.fragment(),
        ),
        rx.cond(
            X.exports.length() > 0,
            rx.box(
                data_table(["时间", "台账", "格式", "状态", "行数", "文件"], X.exports, _export_row, label="我的导出"),
                margin_top="12px",
            ),
            rx.fragment(),
        ),
    )
