"""一月一通报 as .xlsx (issue #13): the stored bulletin's ranking table, as it was taken, for leaders and the
推进中心 to hand on."""

from __future__ import annotations

import io

from portal.models.enums import CardColor
from portal.services.accounts.actor import Actor
from portal.services.base.errors import NotFound
from portal.services.supervision import figures

COLUMNS = (
    ("rank", "排名", 6),
    ("unit", "承办单位", 26),
    ("received", "收件", 8),
    ("sign_rate", "按时签收率", 11),
    ("closed", "办结", 8),
    ("close_rate", "按期办结率", 11),
    ("overdue", "超期", 8),
    ("promised_days", "承诺用时", 10),
    ("avg_days", "平均用时", 10),
    ("max_days", "最长用时", 10),
    ("satisfaction_rate", "满意率", 9),
    ("bad_rate", "差评率", 9),
    ("rectify_rate", "整改按期率", 11),
    ("revisit_rate", "差评回访率", 11),
    ("appeals", "申诉提出", 9),
    ("appeals_upheld", "申诉成立", 9),
    ("yellow", CardColor.YELLOW, 6),
    ("red", CardColor.RED, 6),
    ("consultations", "征询次数", 9),
)


def bulletin_xlsx(*, actor: Actor, period: str) -> tuple[bytes, str]:
    """(the workbook's bytes, its file name) of the stored bulletin of ``period`` (YYYY-MM)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = figures.bulletin(actor=actor, period=period)
    if not rows:
        raise NotFound("没有该月的通报")
    title = f"{period} 企业诉求办理情况通报"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = period
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _key, label, _width in COLUMNS])
    for index, (_key, _label, width) in enumerate(COLUMNS, start=1):
        sheet.cell(row=2, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        values = [row[key] for key, _label, _width in COLUMNS]
        # A unit's name as frozen in the snapshot: without characters an .xlsx cannot hold.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
        for column in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(row=sheet.max_row, column=column)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a unit's name is text, whatever it begins with
    sheet.freeze_panes = "A3"
    sheet.append([])
    sheet.append(
        ["按时签收率 = 按时签收 / 收件;按期办结率 = 按期办结 / (办结 + 超期未办结);满意率 = 基本满意及以上 / 参评。"]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), f"{title}.xlsx"
