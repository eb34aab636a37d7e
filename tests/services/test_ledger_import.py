"""导入台账 (issue #13): the downloadable template filled in and imported becomes demands; every bad row is
named (row and column) and nothing is written; the same file twice creates nothing new."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.tables import Demand, Enterprise, User
from portal.services.base.errors import Forbidden, ValidationFailed
from portal.services.demands import timeline
from portal.services.ledgers import imports
from tests.services.test_lifecycle import actor

NEW_CODE = "91370900MA3C77770" + "0"
NEW_CODE = NEW_CODE[:17] + security.credit_code_check_char(NEW_CODE[:17])


def _credit_code(username: str) -> str:
    with session_scope() as session:
        query = select(Enterprise.credit_code).join(User, User.enterprise_id == Enterprise.id)
        return session.exec(query.where(User.username == username)).one()


def _filled(rows: list[list], *, reporter: str = "东街街道") -> bytes:
    """The template with the reporter filled in and ``rows`` (the seed's columns after 序号, then 诉求编号,
    统一社会信用代码, 登记日期) appended under the header."""
    book = load_workbook(io.BytesIO(imports.template_bytes()))
    sheet = book.active
    assert [c.value for c in sheet[3]][:6] == [
        "序号", "企业名称", "存在问题、困难、诉求描述", "建议解决部门", "企业联系人及联系方式", "备注",
    ]  # fmt: skip
    sheet["A2"] = f"提报单位:{reporter}"
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate([index, *values], start=1):
            sheet.cell(row=3 + index, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Demand)).one()


def _good_rows() -> list[list]:
    return [
        ["泰山示例建设工程有限公司", "厂区东侧道路破损严重,货车通行困难,希望尽快维修。", "市住房和城乡建设局",
         "李主任 13805381111", "", "", _credit_code("qiye2"), now().date().isoformat()],
        ["新登记企业有限公司", "企业用地规划调整手续办理进度慢,请协调加快办理。", "U002",
         "赵经理,13905382222", "周报", "", NEW_CODE, ""],
    ]  # fmt: skip


def test_template_round_trip_creates_demands_once(demo_accounts):
    centre = actor("zhongxin")
    before = _count()
    content = _filled(_good_rows())
    preview = imports.preview_import(actor=centre, content=content, filename="东街周报.xlsx")
    assert preview.ok and preview.reporter == "东街街道" and [r.row for r in preview.rows] == [4, 5]
    assert (preview.rows[1].contact_name, preview.rows[1].contact_phone) == ("赵经理", "13905382222")
    assert imports.import_ledger(actor=centre, content=content, filename="东街周报.xlsx") == (2, 0)
    assert _count() == before + 2
    with session_scope() as session:
        new = session.exec(select(Demand).where(Demand.channel == "台账导入").order_by(Demand.id)).all()
        assert [d.status for d in new] == ["待受理", "待受理"]
        assert new[0].title == "厂区东侧道路破损严重"
        firm = session.exec(select(Enterprise).where(Enterprise.credit_code == NEW_CODE)).one()
        assert firm.name == "新登记企业有限公司" and new[1].enterprise_id == firm.id
        assert session.exec(select(User).where(User.enterprise_id == firm.id)).first() is None  # no account
        assert new[1].topic_id is not None  # 用地 / 规划 → 用地规划 by the catalogue's keywords
        assert all(timeline.verify_demand(session, d.id).ok for d in new)  # the bulk-written first events chain
    # The same file again: nothing new.
    again = imports.preview_import(actor=centre, content=content, filename="东街周报.xlsx")
    assert all(r.duplicate for r in again.rows)
    assert imports.import_ledger(actor=centre, content=content, filename="东街周报.xlsx") == (0, 2)
    assert _count() == before + 2


def test_one_bad_row_names_row_and_column_and_writes_nothing(demo_accounts):
    centre = actor("zhongxin")
    future = (now() + timedelta(days=3)).date().isoformat()
    rows = _good_rows() + [
        ["某企业", "描述太短", "不存在的局", "无电话", "", "", "91370100MA3C5XXX1X", future],
        ["=1+1", '=HYPERLINK("http://x","点击查看详细情况说明")', "", "王经理 13805380001", "", "", "", ""],
    ]
    content = _filled(rows)
    workbook = load_workbook(io.BytesIO(content))
    workbook.active["C7"] = '=CONCAT("企业反映","用电增容办理困难请协调")'  # a real formula cell
    out = io.BytesIO()
    workbook.save(out)
    preview = imports.preview_import(actor=centre, content=out.getvalue(), filename="周报.xlsx")
    assert not preview.ok
    bad = {r.row: r.errors for r in preview.rows if r.errors}
    assert set(bad) == {6, 7}
    joined = " ".join(bad[6])
    for expected in ("「存在问题、困难、诉求描述」", "「建议解决部门」没有名为“不存在的局”", "「企业联系人及联系方式」",
                     "「登记日期」不能晚于今天", "「统一社会信用代码」"):  # fmt: skip
        assert expected in joined
    assert any("公式" in e for e in bad[7])
    before = _count()
    with pytest.raises(ValidationFailed):
        imports.import_ledger(actor=centre, content=out.getvalue(), filename="周报.xlsx")
    assert _count() == before


def test_files_that_are_not_a_ledger(demo_accounts):
    centre = actor("zhongxin")
    assert imports.preview_import(actor=centre, content=b"a,b\n", filename="x.csv").errors
    assert imports.preview_import(actor=centre, content=b"PK\x03\x04junk", filename="x.xlsx").errors
    book = load_workbook(io.BytesIO(imports.template_bytes()))
    book.active["D3"] = "别的列"  # 建议解决部门 missing
    out = io.BytesIO()
    book.save(out)
    preview = imports.preview_import(actor=centre, content=out.getvalue(), filename="x.xlsx")
    assert preview.errors == ["缺少列:建议解决部门"]
    empty = imports.preview_import(actor=centre, content=_filled([]), filename="x.xlsx")
    assert empty.errors == ["文件中没有填写任何问题"]
    with pytest.raises(Forbidden):
        imports.preview_import(actor=actor("zhujianju"), content=_filled(_good_rows()), filename="x.xlsx")
    with pytest.raises(ValidationFailed):
        imports.import_ledger(actor=centre, content=_filled(_good_rows()), filename="x.xlsx", channel="乱填")


def test_an_imported_demands_public_first_event_names_only_the_reporter(demo_accounts):
    """The enterprise reads its demand's first event: it says who reported it, and nothing of the other
    rows of the ledger (it once carried the whole preview, every row's enterprise and phone)."""
    from portal.models.tables import TimelineEvent

    centre = actor("zhongxin")
    assert imports.import_ledger(actor=centre, content=_filled(_good_rows()), filename="东街周报.xlsx") == (2, 0)
    with session_scope() as session:
        new = session.exec(select(Demand).where(Demand.channel == "台账导入").order_by(Demand.id)).all()
        for demand, other in zip(new, reversed(new), strict=True):
            event = session.exec(select(TimelineEvent).where(TimelineEvent.demand_id == demand.id)).first()
            assert event.public_detail.startswith("台账导入·提报单位:东街街道;提报时间:")
            assert other.contact_phone not in event.public_detail and "ImportRow" not in event.public_detail
