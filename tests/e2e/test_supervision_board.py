"""督办 in the browser (issue #10). Orders are dispatched in this test process with its clock moved back
(``use_clock``: a test-only override that exists only inside a Python process, never in the served
portal), so by the real clock they are overdue; the scheduler's sweep then runs as the job would. The
people see the result in their browsers: the board's 黄牌 and then 红牌, the 催办 in the unit's inbox, the
leader's read-only board and the figures on /staff/reports."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e
UNIT = "东街街道"


def overdue_order(on_portal_db, title: str) -> str:
    """A demand dispatched to 东街街道 twenty days ago (一般: 5 working days), then the sweep; returns the
    month its yellow card counts in."""
    from sqlmodel import select

    from portal.core.clock import fixed, now, use_clock
    from portal.core.db import session_scope
    from portal.models.tables import Card, Topic, Unit, User, WorkOrder
    from portal.services.accounts.actor import Actor
    from portal.services.demands import dispatching, intake
    from portal.services.demands.intake import DemandForm
    from portal.services.supervision import sweep as supervision

    with on_portal_db(), session_scope() as session:
        people = {
            u.username: Actor(
                user_id=u.id,
                username=u.username,
                role=u.role,
                display_name=u.display_name,
                unit_id=u.unit_id,
                enterprise_id=u.enterprise_id,
            )
            for u in session.exec(select(User).where(User.username.in_(["qiye1", "zhongxin"])))
        }
        unit_id = session.exec(select(Unit.id).where(Unit.name == UNIT)).one()
        topic_id = session.exec(select(Topic.id).where(Topic.name == "项目建设")).one()
    with on_portal_db():
        with use_clock(fixed(now() - timedelta(days=20))):
            demand_id = intake.submit_demand(
                actor=people["qiye1"],
                form=DemandForm(
                    kind="求助",
                    topic_id=topic_id,
                    title=title,
                    content=f"{title}:具体情况说明,请尽快协调解决。",
                    contact_name="王经理",
                    contact_phone="13805380001",
                ),
            )
            dispatching.dispatch(actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id, level="一般")
        supervision.sweep_work_orders()
        with session_scope() as session:
            order_id = session.exec(select(WorkOrder.id).where(WorkOrder.demand_id == demand_id)).one()
            return session.exec(select(Card.month).where(Card.work_order_id == order_id)).one()


def tile(page):
    return page.get_by_role("listitem", name=re.compile(f"^{UNIT}:"))


def test_overdue_orders_card_the_unit_and_reach_its_inbox(new_page, on_portal_db):
    month = overdue_order(on_portal_db, "道路破损影响企业运输")
    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/supervision")
    disp.get_by_label("月份").select_option(month)
    expect(tile(disp)).to_have_accessible_name(f"{UNIT}:黄牌")
    row = disp.get_by_role("row").filter(has_text="道路破损影响企业运输")
    expect(row.get_by_text(re.compile(r"超期\d+个工作日"))).to_be_visible()
    row.get_by_role("button", name="催办(每个工作日限一次)").click()
    expect(disp.get_by_text("已催办,承办单位将收到通知")).to_be_visible()
    expect(row.get_by_role("cell", name="1", exact=True)).to_be_visible()  # 已催办 1 次
    # Once per order per working day: the button says so and cannot be pressed again today.
    expect(row.get_by_role("button", name="本工作日已催办")).to_be_disabled()
    expect(row.get_by_role("button", name="催办(每个工作日限一次)")).to_have_count(0)

    unit = new_page()
    login(unit, "dongjie")
    unit.goto("/staff/notifications")
    expect(unit.get_by_role("link", name="超期催办:道路破损影响企业运输")).to_be_visible()
    expect(unit.get_by_role("link", name="催办:道路破损影响企业运输", exact=True)).to_be_visible()

    # The unit reads its notices; the board says so.
    unit.get_by_role("button", name="全部标为已读").click()
    expect(unit.get_by_text("未读 0 条")).to_be_visible()
    disp.reload()
    notices = disp.get_by_role("row").filter(has_text="道路破损影响企业运输").filter(has_text="超期催办")
    expect(notices.get_by_text("已读")).to_be_visible()

    # A second overdue order in the same month turns the unit red (约谈分管负责人).
    overdue_order(on_portal_db, "雨水管网堵塞厂区积水")
    disp.reload()
    disp.get_by_label("月份").select_option(month)
    expect(tile(disp)).to_have_accessible_name(f"{UNIT}:红牌")
    unit.goto("/staff/notifications")
    expect(unit.get_by_text(re.compile(r"升为第1张红牌,约谈分管负责人")).first).to_be_visible()

    # The 推进中心 revokes a card with a reason: the unit is yellow again.
    disp.get_by_label("黄牌", exact=True).select_option(index=1)
    disp.get_by_label("撤销原因").fill("节假日数据错误导致误判超期")
    disp.get_by_role("button", name="撤销黄牌").click()
    expect(disp.get_by_text("黄牌已撤销")).to_be_visible()
    disp.get_by_label("月份").select_option(month)
    expect(tile(disp)).to_have_accessible_name(f"{UNIT}:黄牌")
    expect(disp.get_by_text("已撤销:节假日数据错误导致误判超期")).to_be_visible()


def test_leader_reads_the_board_and_the_reports(new_page, on_portal_db):
    overdue_order(on_portal_db, "园区路灯损坏夜间作业不便")
    leader = new_page()
    login(leader, "lingdao")
    leader.goto("/staff/supervision")
    expect(leader.get_by_role("heading", name="超期工单")).to_be_visible()
    expect(leader.get_by_role("link", name="园区路灯损坏夜间作业不便").first).to_be_visible()
    expect(leader.get_by_role("button", name="催办")).to_have_count(0)
    expect(leader.get_by_role("button", name="撤销黄牌")).to_have_count(0)

    leader.goto("/staff/reports")
    expect(leader.get_by_role("heading", name=re.compile(r"\d{4}年\d+月 各单位办理情况"))).to_be_visible()
    months = leader.get_by_role("region", name="近12个月受理与办结")
    expect(months.get_by_role("row")).to_have_count(13)  # the chart's numbers, month by month
    expect(leader.locator(".recharts-surface").first).to_be_visible()
    leader.get_by_label("统计周期").select_option("range")
    since, until = date.today() - timedelta(days=60), date.today()
    leader.get_by_label("区间自").fill(f"{since.year}/{since.month}/{since.day}")
    leader.get_by_label("区间至").fill(f"{until.year}年{until.month}月{until.day}日")
    leader.get_by_role("button", name="统计").click()
    heading = f"{since.isoformat()} 至 {until.isoformat()} 各单位办理情况"
    expect(leader.get_by_role("heading", name=heading)).to_be_visible()
    row = leader.get_by_role("row").filter(has=leader.get_by_role("cell", name=UNIT, exact=True))
    expect(row.get_by_role("cell").nth(2)).not_to_have_text("0")  # 收件: the order dispatched 20 days ago
    expect(row.get_by_role("cell").nth(6)).not_to_have_text("0")  # 超期
    leader.get_by_label("区间至").fill(until.strftime("%m/%d/%Y"))
    leader.get_by_role("button", name="统计").click()
    expect(leader.get_by_text("日期无法识别(格式:年-月-日,如 2026-12-01)")).to_be_visible()
