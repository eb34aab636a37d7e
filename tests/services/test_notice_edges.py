"""What a person notices (issue #21): a redispatch does not preselect the unit that just refused the demand,
the 推进中心 gets one 签收超时 notice naming the late units, an export's file name and every time shown
are local, roles are named in Chinese in the audit log, and a small file is not “0 KB”."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.core.formatting import file_size, file_stamp
from portal.models.tables import AuditEntry, Notification
from portal.services.accounts import staff_accounts, user_admin
from portal.services.admin import catalogue
from portal.services.base import audit
from portal.services.demands import dispatching, handling, intake
from portal.services.ledgers import exports
from portal.services.ledgers.sheets import ExportFilters
from tests.services.test_lifecycle import actor, form, orders, unit_id
from tests.services.test_supervision import SH, dispatched_order, people, sweep_at  # noqa: F401 - a fixture

ZIGUI, ZHUJIAN, DONGJIE = "市自然资源和规划局", "市住房和城乡建设局", "东街街道"


def _route_topic_to(lead: str, co: list[str]) -> int:
    """The demand form's topic routed to ``lead`` with ``co`` as its 协办 in the 派单目录."""
    from portal.models.tables import Demand, DispatchRule

    with session_scope() as session:
        demand_topic = session.exec(select(Demand.topic_id).order_by(Demand.id.desc())).first()
        rule = session.exec(select(DispatchRule).where(DispatchRule.topic_id == demand_topic)).one()
        rule.lead_unit_id, rule.co_unit_ids = unit_id(lead), [unit_id(name) for name in co]
        session.add(rule)
        return demand_topic


def _returned(kind: str, returner: str, username: str):
    centre = actor("zhongxin")
    demand_id = intake.submit_demand(actor=actor("qiye1"), form=form())
    _route_topic_to(ZIGUI, [ZHUJIAN, DONGJIE])
    dispatching.dispatch(
        actor=centre, demand_id=demand_id, lead_unit_id=unit_id(returner), co_unit_ids=[], level="一般"
    )
    (order,) = orders(demand_id)
    handling.return_order(actor=actor(username), order_id=order.id, kind=kind, reason="请改派")
    return demand_id


def test_redispatch_never_preselects_a_unit_that_said_not_ours(demo_accounts):
    demand_id = _returned("非本单位职责", ZHUJIAN, "zhujianju")
    suggestion, _, _ = catalogue.dispatch_suggestions(actor=actor("zhongxin"), demand_id=demand_id)
    assert suggestion["lead"] == str(unit_id(ZIGUI))
    assert suggestion["co"].split(",") == [str(unit_id(DONGJIE))]  # 住建局 refused it: not its 协办


def test_a_returning_lead_is_not_preselected_to_lead_again(demo_accounts):
    demand_id = _returned("申请提级", ZIGUI, "ziguiju")
    suggestion, _, _ = catalogue.dispatch_suggestions(actor=actor("zhongxin"), demand_id=demand_id)
    assert suggestion["lead"] == ""  # the dispatcher chooses
    assert set(suggestion["co"].split(",")) == {str(unit_id(ZHUJIAN)), str(unit_id(DONGJIE))}
    fresh = intake.submit_demand(actor=actor("qiye1"), form=form(title="另一件诉求的标题"))
    untouched, _, _ = catalogue.dispatch_suggestions(actor=actor("zhongxin"), demand_id=fresh)
    assert untouched["lead"] == str(unit_id(ZIGUI))  # a first dispatch keeps the catalogue's routing


def _centre_sign_notices() -> list[Notification]:
    with session_scope() as session:
        return session.exec(
            select(Notification).where(
                Notification.unit_id == unit_id("市政府事务推进中心"), Notification.kind == "签收超时"
            )
        ).all()


def test_the_centre_gets_one_sign_timeout_notice_naming_the_units(people):  # noqa: F811
    dispatched_order(people, co=ZHUJIAN)
    assert sweep_at(datetime(2026, 10, 9, 9, 0, tzinfo=SH))["签收超时"] == 2
    (notice,) = _centre_sign_notices()
    assert notice.title == f"签收超时:{ZIGUI}、{ZHUJIAN}未签收「厂房施工许可办理咨询」"
    assert ZIGUI in notice.body and ZHUJIAN in notice.body
    assert sweep_at(datetime(2026, 10, 9, 10, 0, tzinfo=SH)) == {}
    assert len(_centre_sign_notices()) == 1


def test_export_file_name_is_local_time(demo_accounts):
    centre = actor("zhongxin")
    record = exports.request_export(actor=centre, ledger="problems", file_format="csv", filters=ExportFilters())
    with use_clock(fixed(datetime(2026, 11, 29, 17, 32, tzinfo=UTC))):  # 01:32 on 30 Nov in Beijing
        done = exports.run_export(actor=centre, export_id=record["id"])
    assert done["filename"].endswith("_202611300132.csv"), done["filename"]
    assert file_stamp(datetime(2026, 12, 31, 16, 5, tzinfo=UTC)) == "202701010005"


def test_roles_are_named_in_chinese_in_the_audit_log(demo_accounts):
    admin = actor("admin")
    user_id = staff_accounts.create_staff_user(
        actor=admin,
        username="xinren01",
        display_name="新人",
        role="handler",
        unit_id=unit_id(ZIGUI),
        password="Xq7#vLm2!pRt9",
    )
    user_admin.update_staff_user(actor=admin, user_id=user_id, display_name="新人", role="leader", unit_id="", phone="")
    details = [row["detail"] for row in audit.list_entries(actor=admin, section="用户")]
    assert any("角色 承办单位" in d for d in details) and any("角色 承办单位 → 领导" in d for d in details)
    assert not any("handler" in d or "leader" in d for d in details)
    with session_scope() as session:  # an entry written before: shown in words too
        session.add(AuditEntry(created_at=datetime.now(UTC), actor_label="x", action="用户", target="t",
                               detail="角色 dispatcher → admin"))  # fmt: skip
    assert "角色 推进中心 → 系统管理员" in [r["detail"] for r in audit.list_entries(actor=admin, section="用户")]


def test_file_sizes_read_as_people_read_them():
    assert file_size(0) == "0 字节" and file_size(300) == "300 字节"
    assert file_size(1024) == "1 KB" and file_size(20 * 1024 + 100) == "20 KB"
    assert file_size(3 * 1024 * 1024 + 1) == "3.0 MB"


def test_rows_typed_below_the_templates_blank_row_and_footnote_are_read(demo_accounts):
    """The template has a blank row and the 备注 line under its header; rows typed after them count."""
    import io

    from openpyxl import load_workbook

    from portal.services.ledgers import imports

    book = load_workbook(io.BytesIO(imports.template_bytes()))
    sheet = book.active
    assert sheet["A4"].value is None and str(sheet["A5"].value).startswith("备注")
    sheet["A2"] = "提报单位:东街街道"
    typed = [
        ["泰山示例建设工程有限公司", "厂区东侧道路破损严重,货车通行困难,希望尽快维修。", ZHUJIAN, "李主任 13805381111"],
        ["新登记企业有限公司", "企业用地规划调整手续办理进度慢,请协调加快办理。", ZIGUI, "赵经理 13905382222"],
    ]
    for offset, values in enumerate(typed):
        for column, value in enumerate([offset + 1, *values], start=1):
            sheet.cell(row=6 + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    preview = imports.preview_import(actor=actor("zhongxin"), content=out.getvalue(), filename="台账.xlsx")
    assert "文件中没有填写任何问题" not in preview.errors
    assert [row.row for row in preview.rows] == [6, 7]


def test_the_inbox_pages_newest_first_and_filters_the_unread(demo_accounts):
    from portal.services.base import notices

    qiye1, qiye2 = actor("qiye1"), actor("qiye2")
    with session_scope() as session:
        for i in range(45):
            notices.notify(session, key=f"page-{i}", kind="测试", title=f"第{i:02d}条", user_id=qiye1.user_id)
        notices.notify(session, key="theirs", kind="测试", title="别人的", user_id=qiye2.user_id)
    first = notices.notification_page(actor=qiye1, page=1)
    total = first["total"]
    assert total >= 45 and first["pages"] == -(-total // 20) and len(first["rows"]) == 20
    assert all("别人的" != row["title"] for p in range(1, first["pages"] + 1)
               for row in notices.notification_page(actor=qiye1, page=p)["rows"])  # fmt: skip
    notices.mark_all_read(actor=qiye1)
    with session_scope() as session:
        notices.notify(session, key="fresh", kind="测试", title="新来的", user_id=qiye1.user_id)
    unread = notices.notification_page(actor=qiye1, unread_only=True)
    assert [row["title"] for row in unread["rows"]] == ["新来的"] and unread["total"] == 1
    assert notices.notification_page(actor=qiye1, page="junk")["page"] == 1
