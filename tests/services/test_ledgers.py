"""导出台账 (issue #13): the four ledgers of seed 001 with exactly their columns and header lines, rows for
a known scenario read back with openpyxl, codes kept as text, formulas never evaluated, CSV with a BOM,
the viewer's scope, progress and owner-only download."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from portal.core.clock import now
from portal.core.formatting import local_zone
from portal.services.base.errors import Forbidden, NotFound, ValidationFailed
from portal.services.demands import dispatching, handling, intake, rating
from portal.services.ledgers import exports as ledger_exports
from portal.services.ledgers.sheets import ExportFilters
from tests.services.test_lifecycle import actor, form, orders, topic_id, unit_id


def today():
    return now().astimezone(local_zone()).date()


@pytest.fixture
def scenario(demo_accounts):
    """Two demands of qiye1: one dispatched to 住建局 with 自规局 as co-unit, answered and rated 基本满意;
    one still 待受理 whose title starts with = (a formula, were it evaluated)."""
    ent, centre, zhujian = actor("qiye1"), actor("zhongxin"), actor("zhujianju")
    answered = intake.submit_demand(
        actor=ent, form=form(title="厂房施工许可办理", suggested_unit_id=unit_id("市住房和城乡建设局"))
    )
    dispatching.dispatch(
        actor=centre,
        demand_id=answered,
        lead_unit_id=unit_id("市住房和城乡建设局"),
        co_unit_ids=[unit_id("市自然资源和规划局")],
        level="一般",
    )
    lead = orders(answered)[0]
    handling.sign(actor=zhujian, order_id=lead.id)
    handling.submit_feedback(
        actor=zhujian, order_id=lead.id, reply="已现场核查并核发施工许可证。", method="现场指导", solved=True
    )
    rating.rate(actor=ent, demand_id=answered, satisfaction="基本满意", contacted=True, comment="希望再快一些")
    waiting = intake.submit_demand(
        actor=ent, form=form(title='=HYPERLINK("http://x")', content="@SUM(1,2) 测试公式内容不被执行。")
    )
    return {"answered": answered, "waiting": waiting}


def _enterprise_name(username: str) -> str:
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Enterprise, User

    with session_scope() as session:
        query = select(Enterprise.name).join(User, User.enterprise_id == Enterprise.id).where(User.username == username)
        return session.exec(query).one()


def _export(viewer, ledger: str, file_format: str = "xlsx", **filters):
    record = ledger_exports.request_export(
        actor=viewer, ledger=ledger, file_format=file_format, filters=ExportFilters(**filters)
    )
    finished = ledger_exports.run_export(actor=viewer, export_id=record["id"])
    assert finished["status"] == "已完成", finished
    path, filename = ledger_exports.export_for_download(actor=viewer, export_id=record["id"])
    return path, filename, finished


def _sheet_rows(path):
    sheet = load_workbook(path).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_problem_ledger_columns_rows_and_text(scenario):
    path, filename, record = _export(actor("zhongxin"), "problems")
    assert filename.startswith("企业发展、项目建设问题台账_") and filename.endswith(".xlsx")
    sheet, rows = _sheet_rows(path)
    assert rows[0][0] == "企业发展、项目建设问题台账"
    assert rows[1][:2] == ["提报单位:市政府事务推进中心", f"提报时间:{today().strftime('%Y年%m月%d日')}"]
    assert rows[2] == [
        "序号", "企业名称", "存在问题、困难、诉求描述", "建议解决部门", "企业联系人及联系方式", "备注",
        "诉求编号", "统一社会信用代码", "登记日期",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A4" and sheet["A3"].font.b
    body = [r for r in rows[3:] if isinstance(r[0], int)]
    assert [r[0] for r in body] == [1, 2] and record["done"] == 2
    first, second = body
    assert first[1] == _enterprise_name("qiye1")
    assert first[2].startswith("厂房施工许可办理:") and first[3] == "市住房和城乡建设局"
    assert first[4] == "王经理 13805380001" and first[5] == "已办结;线上提交"
    assert first[6].startswith("QS") and sheet.cell(row=4, column=7).data_type == "s"
    assert sheet.cell(row=4, column=8).data_type == "s" and len(first[7]) == 18
    assert first[8].date() == today() and sheet.cell(row=4, column=9).number_format == "yyyy-mm-dd"
    # A title beginning with = is text in the file, never a formula.
    assert second[2].startswith('=HYPERLINK("http://x"):')
    assert sheet.cell(row=5, column=3).data_type == "s"
    assert rows[-1][0] == "备注:问题描述应符合政策要求,简明、准确。"


def test_transfer_feedback_and_satisfaction_ledgers(scenario):
    centre = actor("zhongxin")
    _, rows = _sheet_rows(_export(centre, "transfers")[0])
    assert rows[1][:5] == ["序号", "企业名称", "诉求描述", "企业联系人及联系方式", "承办单位"]  # no 提报 line
    body = [r for r in rows[2:] if isinstance(r[0], int)]
    assert len(body) == 1 and body[0][4] == "主办:市住房和城乡建设局;协办:市自然资源和规划局"

    _, rows = _sheet_rows(_export(centre, "feedback")[0])
    assert rows[2][:8] == [
        "序号", "企业名称", "诉求描述", "是否解决", "解决方式", "所属镇街(部门)", "联系人及联系方式", "备注",
    ]  # fmt: skip
    (row,) = [r for r in rows[3:] if isinstance(r[0], int)]
    assert (row[3], row[4], row[5], row[7]) == ("是", "已现场核查并核发施工许可证。", "市住房和城乡建设局", "已办结")

    _, rows = _sheet_rows(_export(centre, "satisfaction")[0])
    assert rows[2][:6] == ["序号", "问题描述", "解决情况", "解决部门", "满意度评价", "意见建议"]
    (row,) = [r for r in rows[3:] if isinstance(r[0], int)]
    assert row[2:6] == ["已现场核查并核发施工许可证。", "市住房和城乡建设局", "基本满意", "希望再快一些"]
    assert rows[-1][0].startswith("备注:满意度评价:1.非常满意")


def test_csv_has_a_bom_and_escapes_formulas(scenario):
    path, filename, _ = _export(actor("zhongxin"), "problems", "csv")
    assert filename.endswith(".csv") and path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[2][0] == "序号"
    assert rows[4][2].startswith("'=HYPERLINK(")
    assert rows[3][6].startswith("QS") and rows[3][8] == today().isoformat()


def test_scope_filters_and_owner_only_download(scenario):
    handler = actor("dongjie")  # 东街街道 has no order on either demand
    path, _, record = _export(handler, "problems")
    assert record["done"] == 0
    with pytest.raises(Forbidden):
        ledger_exports.request_export(
            actor=handler,
            ledger="problems",
            file_format="xlsx",
            filters=ExportFilters(unit_id=str(unit_id("市住房和城乡建设局"))),
        )
    with pytest.raises(Forbidden):
        ledger_exports.request_export(
            actor=actor("qiye1"), ledger="problems", file_format="xlsx", filters=ExportFilters()
        )
    _, _, mine = _export(actor("zhujianju"), "problems")
    assert mine["done"] == 1  # its own unit's demand only
    _, _, waiting_only = _export(actor("lingdao"), "problems", status="待受理")
    assert waiting_only["done"] == 1
    with pytest.raises(NotFound):
        ledger_exports.export_for_download(actor=actor("zhongxin"), export_id=mine["id"])
    for bad, field in [({"ledger": "x"}, "ledger"), ({"file_format": "pdf"}, "file_format")]:
        args = {"ledger": "problems", "file_format": "xlsx", **bad}
        with pytest.raises(ValidationFailed) as refused:
            ledger_exports.request_export(actor=actor("zhongxin"), filters=ExportFilters(), **args)
        assert field in refused.value.errors
    with pytest.raises(ValidationFailed) as dates:
        ledger_exports.request_export(
            actor=actor("zhongxin"),
            ledger="problems",
            file_format="xlsx",
            filters=ExportFilters(date_from="2026-12-01", date_to="2026-11-01"),
        )
    assert "date_to" in dates.value.errors


def test_progress_is_reported_and_a_run_happens_once(scenario, monkeypatch):
    from portal.services.ledgers import sheets

    monkeypatch.setattr(sheets, "CHUNK", 1)
    centre = actor("zhongxin")
    record = ledger_exports.request_export(actor=centre, ledger="problems", file_format="xlsx", filters=ExportFilters())
    assert (record["status"], record["total"], record["percent"]) == ("排队", 2, 0)
    seen = []
    original = ledger_exports.update

    def spy(*args, **kwargs):
        seen.append(ledger_exports.export_status(actor=centre, export_id=record["id"])["status"])
        return original(*args, **kwargs)

    monkeypatch.setattr(ledger_exports, "update", spy)
    finished = ledger_exports.run_export(actor=centre, export_id=record["id"])
    assert finished["percent"] == 100 and "生成中" in seen
    with pytest.raises(NotFound):
        ledger_exports.run_export(actor=centre, export_id=record["id"])
    assert [e["id"] for e in ledger_exports.my_exports(actor=centre)] == [record["id"]]
    assert ledger_exports.my_exports(actor=actor("lingdao")) == []
    assert ledger_exports.purge_exports(older_than_hours=-1) == 1
    with pytest.raises(NotFound):
        ledger_exports.export_for_download(actor=centre, export_id=record["id"])


def test_breakdown_by_class_topic_and_channel(demo_accounts):
    from portal.services.supervision import figures

    leader = actor("lingdao")
    day = today()
    start, end = day.replace(day=1), day + timedelta(days=1)

    def counts():
        parts = figures.breakdown(actor=leader, start=start, end=end)
        return {key: {p["name"]: (p["received"], p["closed"]) for p in points} for key, points in parts.items()}

    before = counts()
    ent = actor("qiye1")
    first = intake.submit_demand(actor=ent, form=form())  # 项目建设 (业务办理类), 线上提交
    intake.submit_demand(actor=ent, form=form(topic_id=topic_id("融资信贷"), title="贷款贴息申请咨询"))
    dispatching.instant_answer(actor=actor("zhongxin"), demand_id=first, answer="已电话告知办理流程与所需材料清单。")
    rating.rate(actor=ent, demand_id=first, satisfaction="非常满意", contacted=True)
    after = counts()

    def grew(key, name):
        old = before[key].get(name, (0, 0))
        return after[key][name][0] - old[0], after[key][name][1] - old[1]

    assert grew("topic", "项目建设") == (1, 1) and grew("topic", "融资信贷") == (1, 0)
    assert grew("topic_class", "业务办理类") == (1, 1) and grew("topic_class", "要素保障类") == (1, 0)
    assert grew("channel", "线上提交") == (2, 1)
    with pytest.raises(Forbidden):
        figures.breakdown(actor=actor("zhujianju"), start=start, end=end)


def test_the_monthly_bulletin_as_xlsx(scenario):
    from portal.services.supervision import bulletin_xlsx, figures

    month = today().strftime("%Y-%m")
    assert figures.take_monthly_bulletin(month=month) > 0
    content, filename = bulletin_xlsx.bulletin_xlsx(actor=actor("lingdao"), period=month)
    assert filename == f"{month} 企业诉求办理情况通报.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == f"{month} 企业诉求办理情况通报"
    assert [c.value for c in sheet[2]][:4] == ["排名", "承办单位", "收件", "按时签收率"]
    ranked = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True) if isinstance(row[0], int)}
    assert ranked["市住房和城乡建设局"][2] == 1  # the scenario's one dispatched demand
    with pytest.raises(NotFound):
        bulletin_xlsx.bulletin_xlsx(actor=actor("lingdao"), period="2001-01")
    with pytest.raises(Forbidden):
        bulletin_xlsx.bulletin_xlsx(actor=actor("zhujianju"), period=month)


def test_the_cli_runs_an_export_as_its_owner_and_abandoned_ones_fail(scenario):
    from portal.cli import main as cli
    from portal.services.accounts import staff_accounts

    centre, leader = actor("zhongxin"), actor("lingdao")
    mine = ledger_exports.request_export(actor=leader, ledger="feedback", file_format="csv", filters=ExportFilters())
    assert cli(["run-export", str(mine["id"])]) == 0
    assert ledger_exports.export_status(actor=leader, export_id=mine["id"])["status"] == "已完成"
    assert cli(["run-export", str(mine["id"])]) == 1  # already done: never written twice

    stale = ledger_exports.request_export(actor=leader, ledger="problems", file_format="csv", filters=ExportFilters())
    staff_accounts.set_user_active(actor=actor("admin"), user_id=leader.user_id, active=False)
    assert cli(["run-export", str(stale["id"])]) == 1  # a switched-off account exports nothing
    assert ledger_exports.mark_abandoned(export_id=stale["id"])["status"] == "失败"
    with pytest.raises(NotFound):
        ledger_exports.export_status(actor=centre, export_id=stale["id"])


def test_title_header_and_column_cells_are_never_formulas(tmp_path, monkeypatch):
    """The lines above the table are escaped like the rows: a title, column name, 提报 text or footnote
    beginning with = + - @ is a string in the .xlsx and gets a leading ' in the CSV."""
    from dataclasses import replace

    from portal.services.ledgers import sheets, writers

    hostile = replace(
        sheets.LEDGERS["problems"], title="=SUM(1,2)台账", columns=("@SUM(1,2)", "+1+1", "-2+3", "=1+1"), footnote="注"
    )
    # The 提报 texts in cells of their own, the way a unit's name would start a cell.
    monkeypatch.setattr(writers, "_header", lambda ledger, reporter, reported: ["=cmd|' /C calc'!A0", "@提报时间"])
    xlsx, text = tmp_path / "h.xlsx", tmp_path / "h.csv"
    row = (("=1+2", "+3", "-4", "@5", "=QS1", "-91370900"), today())  # the cells after 序号 (codes too), the date
    for path, write in ((xlsx, writers.write_xlsx), (text, writers.write_csv)):
        write(path, hostile, iter([row]), reporter="=单位", reported="", progress=lambda _: None)
    cells = [cell for line in load_workbook(xlsx).active.iter_rows() for cell in line if isinstance(cell.value, str)]
    assert {"=SUM(1,2)台账", "=cmd|' /C calc'!A0", "=1+1", "=1+2"} <= {c.value for c in cells}
    assert all(cell.data_type == "s" for cell in cells), [(c.coordinate, c.data_type) for c in cells]
    with text.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    written = [cell for line in lines for cell in line if cell]
    assert not [cell for cell in written if cell.startswith(("=", "+", "-", "@"))], written
    assert lines[0] == ["'=SUM(1,2)台账"] and lines[1] == ["'=cmd|' /C calc'!A0", "'@提报时间"]


def test_an_export_forked_from_the_warm_fork_server_writes_its_file(scenario):
    """The portal's way of running an export: a child forked from the worker's fork server (which imported
    the export code once), reading the database the parent uses now."""
    import csv as csv_module

    from portal.services.ledgers import export_runner

    leader = actor("lingdao")
    record = ledger_exports.request_export(actor=leader, ledger="problems", file_format="csv", filters=ExportFilters())
    export_runner.warm()
    child = export_runner.start(record["id"])
    child.join(timeout=120)
    assert child.exitcode == 0
    done = ledger_exports.export_status(actor=leader, export_id=record["id"])
    assert done["status"] == "已完成" and done["done"] >= 1
    path, _name = ledger_exports.export_for_download(actor=leader, export_id=record["id"])
    with path.open(encoding="utf-8-sig") as handle:
        lines = list(csv_module.reader(handle))
    assert lines[0] == ["企业发展、项目建设问题台账"]
    assert sum(1 for line in lines if line and line[0].isdigit()) == done["done"]

    again = export_runner.start(record["id"])  # already done: the child refuses, nothing written twice
    again.join(timeout=60)
    assert again.exitcode == 1


def _copy(model, row, **changes):
    """A new row of ``model`` like ``row`` (every column but the id), with ``changes``."""
    values = {c.name: getattr(row, c.name) for c in model.__table__.columns if c.name != "id"}
    return model(**{**values, **changes})


def test_the_latest_lead_order_rating_and_case_are_shown_and_co_units_once(scenario):
    """Rows are joined in SQL: the latest lead order (reply, dates), the latest rating and the latest 整改 case
    of a demand win; a co-unit with two orders is named once, in order of the orders."""
    from portal.core.db import session_scope
    from portal.models.tables import Rating, Rectification, WorkOrder

    demand_id, later = scenario["answered"], now() + timedelta(days=3)
    with session_scope() as session:
        lead, co = orders(demand_id)[0], orders(demand_id)[1]
        first = session.exec(Rating.__table__.select().where(Rating.demand_id == demand_id)).one()
        session.add(_copy(WorkOrder, co))  # 自规局 again
        session.add(_copy(WorkOrder, co, unit_id=unit_id("市财政局")))
        session.add(_copy(WorkOrder, lead, reply_content="第二次答复", feedback_at=later, dispatched_at=later))
        second = _copy(Rating, first, round=2, satisfaction="不满意", comment="=再来", excluded=True, created_at=later)
        session.add(second)
        session.flush()
        case = dict(demand_id=demand_id, unit_id=lead.unit_id, case_round=1, due_at=later, revisit_note="")
        session.add(Rectification(**case, rating_id=first.id, last_bad_rating_id=first.id, status="已完成",
                                  report="旧", rerating="", created_at=later))  # fmt: skip
        session.add(Rectification(**case, rating_id=second.id, last_bad_rating_id=second.id, status="整改中",
                                  report="已整改", rerating="满意", created_at=later))  # fmt: skip
    later_day = later.astimezone(local_zone()).date().isoformat()
    centre = actor("zhongxin")

    def body(ledger: str) -> list[list[str]]:
        path = _export(centre, ledger, "csv")[0]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [row for row in csv.reader(handle) if row and row[0].isdigit()]

    (row,) = body("transfers")
    assert row[4] == "主办:市住房和城乡建设局;协办:市自然资源和规划局、市财政局" and row[7] == later_day
    (row,) = body("feedback")
    assert (row[4], row[5], row[10]) == ("第二次答复", "市住房和城乡建设局", later_day)
    (row,) = body("satisfaction")
    assert row[2:7] == [
        "第二次答复",
        "市住房和城乡建设局",
        "不满意(申诉成立,不计入满意率)",
        "'=再来",
        "整改中;已整改;再评价:满意",
    ]
    assert row[9] == later_day
