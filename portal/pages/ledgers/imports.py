"""导入台账 on /staff/reports (the 推进中心 only): the template, the file, the row-by-row preview, import."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import IMPORT_CHANNELS, Channel
from portal.pages.components.forms import select_field
from portal.pages.components.layout import card
from portal.pages.components.widgets import data_table, file_picker
from portal.services.ledgers.imports import MAX_BYTES
from portal.state.ledgers.imports import LedgerImportState as I

IMPORT_HINT = f"选择文件(一个 .xlsx 问题台账,≤{MAX_BYTES // (1024 * 1024)}MB,可先下载模板)"


def _preview_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["row"]),
        rx.table.cell(row["enterprise"]),
        rx.table.cell(row["description"]),
        rx.table.cell(row["unit"]),
        rx.table.cell(rx.text(row["outcome"], color=rx.cond(row["ok"], "var(--green-11)", "var(--red-11)"))),
    )


def import_card() -> rx.Component:
    return card(
        rx.heading("导入台账", size="4", as_="h2", margin_bottom="4px"),
        rx.text(
            "镇街每周报送的问题台账:",
            rx.button(
                "下载模板",
                type="button",
                size="1",
                variant="outline",
                on_click=rx.download(url=routes.LEDGER_TEMPLATE_API, filename="问题台账模板.xlsx"),
            ),
            ",填好后选择文件并预览;有任何一行出错则整个文件都不导入。同一文件重复导入不会重复登记。",
            size="2",
            color_scheme="gray",
        ),
        file_picker(I, "ledger_file", label="问题台账文件", hint=IMPORT_HINT, most=1),
        rx.button("预览", type="button", variant="soft", on_click=I.preview, margin_top="8px"),
        rx.foreach(I.file_errors, lambda e: rx.text(e, color="var(--red-11)", size="2", role="alert")),
        rx.cond(
            I.preview_rows.length() > 0,
            data_table(
                ["行", "企业名称", "诉求描述", "建议解决部门", "检查结果"],
                I.preview_rows,
                _preview_row,
                label="导入预览",
                wrap=True,
            ),
            rx.fragment(),
        ),
        rx.cond(
            I.importable,
            rx.form(
                rx.hstack(
                    select_field(
                        "来源渠道", "channel", [(c, c) for c in IMPORT_CHANNELS], default_value=Channel.LEDGER_IMPORT
                    ),
                    rx.button("确认导入", type="submit", align_self="end"),
                    align="end",
                ),
                on_submit=I.confirm,
                reset_on_submit=False,
            ),
            rx.cond(
                I.previewed,
                rx.text("请按检查结果修改文件后重新选择并预览。", size="2", color="var(--red-11)", role="status"),
                rx.fragment(),
            ),
        ),
    )
