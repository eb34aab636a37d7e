"""Notices outside the portal in the browser (issue #27): an enterprise and a staff member set their
通知设置 (bad input answered beside the field, the saved choice back after a reload), and an admin sees a
message that failed on a refusing mail server at /admin/outbox and sends it again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, path_is

pytestmark = pytest.mark.e2e


def _saved(page) -> None:
    page.get_by_role("button", name="保存通知设置").click()
    expect(page.get_by_text("通知设置已保存")).to_be_visible()


def test_an_enterprise_sets_its_notice_preferences(new_page):
    page = new_page()
    login(page, "qiye1")
    page.goto("/my/profile")
    expect(page.get_by_role("heading", name="通知设置")).to_be_visible()
    email = page.get_by_label("电子邮箱")
    email.fill("wang@@example")
    page.get_by_role("button", name="保存通知设置").click()
    expect(page.locator("#email-error")).to_contain_text("电子邮箱格式不正确")
    email.fill("  Wang@Qiye1.Example.CN ")
    page.get_by_label("短信", exact=True).uncheck()
    page.get_by_label("免打扰开始").fill("22:00")
    page.get_by_label("免打扰结束").fill("7:30")
    _saved(page)
    page.reload()
    expect(page.get_by_label("电子邮箱")).to_have_value("wang@qiye1.example.cn")
    expect(page.get_by_label("免打扰结束")).to_have_value("07:30")
    expect(page.get_by_label("短信", exact=True)).not_to_be_checked()
    expect(page.get_by_label("诉求答复")).to_be_checked()  # the only category an enterprise has


def test_a_handler_turns_a_category_off_on_the_staff_profile(new_page):
    page = new_page()
    login(page, "zhujianju")
    page.get_by_role("link", name="通知设置").first.click()
    expect(page).to_have_url(path_is("/staff/profile"))
    page.get_by_label("手机号").fill("0538-8221234")
    page.get_by_role("button", name="保存通知设置").click()
    expect(page.locator("#phone-error")).to_contain_text("11位手机号")
    page.get_by_label("手机号").fill("13905380077")
    page.get_by_label("新工单").uncheck()
    _saved(page)
    page.reload()
    expect(page.get_by_label("新工单")).not_to_be_checked()
    expect(page.get_by_label("督办预警")).to_be_checked()
    expect(page.get_by_label("手机号")).to_have_value("13905380077")


def test_the_admin_gives_a_colleague_the_e_mail_their_notices_go_to(new_page, on_portal_db):
    from portal.services.accounts.staff_accounts import create_staff_user

    with on_portal_db():  # an account of its own, so no other test's demo contacts change
        create_staff_user(actor=None, username="mailto01", display_name="邮箱测试领导", role="leader",
                          password="Mail-To-2026x")  # fmt: skip
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin")
    staff = admin.get_by_role("region", name="员工账号")
    staff.get_by_role("row").filter(has_text="mailto01").get_by_role("button", name="编辑").click()
    editing = admin.locator("form").filter(has=admin.get_by_role("heading", name="编辑账号 mailto01"))
    editing.get_by_label("电子邮箱").fill("领导@邮箱")
    editing.get_by_role("button", name="保存账号").click()
    expect(editing.get_by_text("电子邮箱格式不正确")).to_be_visible()
    editing.get_by_label("电子邮箱").fill(" MailTo01@Example.GOV.cn ")
    editing.get_by_role("button", name="保存账号").click()
    expect(admin.get_by_text("账号已保存")).to_be_visible()

    colleague = new_page()
    login(colleague, "mailto01", "Mail-To-2026x")
    colleague.goto("/staff/profile")
    expect(colleague.get_by_label("电子邮箱")).to_have_value("mailto01@example.gov.cn")


def test_the_admin_sees_a_failed_message_and_sends_it_again(new_page, on_portal_db):
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.enums import DeliveryStatus
    from portal.models.tables import OutboxMessage, Unit, User
    from portal.services.base import notices
    from portal.services.delivery import sending
    from tests.services.outbox_helpers import clear_channels, smtp_server, use_channels

    with on_portal_db(), smtp_server(refuse=True) as (_inbox, port):
        use_channels(port, None, PORTAL_OUTBOX_MAX_ATTEMPTS="1")
        try:
            with session_scope() as session:
                user = session.exec(select(User).where(User.username == "dongjie")).one()
                user.email = "dongjie@example.cn"
                unit = session.exec(select(Unit.id).where(Unit.name == "东街街道")).one()
                notices.notify(
                    session, key="e2e-outbox-1", kind="预警", title="预警:e2e 发送失败测试", link="/staff", unit_id=unit
                )
            assert sending.deliver_outbox()["failed"] == 1
        finally:
            clear_channels()
    page = new_page()
    login(page, "admin")
    page.goto("/admin")
    page.get_by_role("link", name="查看消息发送").click()
    expect(page).to_have_url(path_is("/admin/outbox"))
    failed = page.get_by_role("region", name="发送失败的消息")
    expect(failed).to_contain_text("预警:e2e 发送失败测试")
    expect(failed).to_contain_text("东街街道经办人")
    expect(failed).to_contain_text("SMTPDataError")
    failed.get_by_role("button", name="重新发送:预警:e2e 发送失败测试").click()
    expect(page.get_by_text("已重新排队发送")).to_be_visible()
    expect(page.get_by_text("没有发送失败的消息。")).to_be_visible()
    with on_portal_db(), session_scope() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.notice_key == "e2e-outbox-1")).one()
        assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)


def test_a_hostile_client_resends_nothing_and_clears_no_contact(portal_server, on_portal_db):
    """Raw socket events: an enterprise and a handler call 重新发送 on a failed message (refused), and a
    form without its fields (not an emptied one) clears nobody's e-mail or phone."""
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.enums import DeliveryStatus
    from portal.models.tables import OutboxMessage, User
    from portal.state.delivery.outbox import OutboxAdminState
    from portal.state.delivery.preferences import DeliveryPreferencesState
    from tests.e2e.test_hostile_client import RawClient, _login_token

    with on_portal_db(), session_scope() as session:
        user = session.exec(select(User).where(User.username == "lingdao")).one()
        session.add(
            OutboxMessage(
                notice_key="hostile-1",
                user_id=user.id,
                channel="邮件",
                kind="预警",
                title="预警:敌意测试",
                status=DeliveryStatus.FAILED,
                attempts=5,
                next_attempt_at=user.created_at,
                last_error="SMTPDataError: (451, b'x')",
            )
        )
        session.flush()
        failed_id = session.exec(select(OutboxMessage.id).where(OutboxMessage.notice_key == "hostile-1")).one()
    prefs, outbox = DeliveryPreferencesState.get_full_name(), OutboxAdminState.get_full_name()
    for username in ("qiye1", "zhujianju"):
        client = RawClient(portal_server.url)
        client.use_session(_login_token(portal_server.database_url, username))
        try:
            client.send(f"{outbox}.resend", {"message_id": failed_id}, path="/admin/outbox")
            client.send(f"{outbox}.resend", {"message_id": str(failed_id)}, path="/admin/outbox")
            client.send(f"{prefs}.save", {"form": {"email_on": "on"}}, path="/staff/profile")
            client.send(f"{prefs}.save", {"form": {"email": ["x"], "phone": 1, "quiet_start": "", "quiet_end": ""}})
        finally:
            client.close()
    with on_portal_db(), session_scope() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.notice_key == "hostile-1")).one()
        assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 5)
        phones = dict(session.exec(select(User.username, User.phone)).all())
        assert phones["qiye1"] == "13805380001" and phones["zhujianju"]  # unchanged (zhujianju's from the demo)


def test_the_inbox_pages_and_shows_only_the_unread(new_page, on_portal_db):
    """消息 a page of 20 at a time with 只看未读 (a phone walk found 76 notices on one 6 400 px page)."""
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import User
    from portal.services.accounts.staff_accounts import create_staff_user
    from portal.services.base import notices

    with on_portal_db():
        create_staff_user(actor=None, username="inbox01", display_name="消息测试领导", role="leader",
                          password="Inbox-Pages-2026")  # fmt: skip
        with session_scope() as session:
            user_id = session.exec(select(User.id).where(User.username == "inbox01")).one()
            for i in range(25):
                notices.notify(session, key=f"inbox01-{i}", kind="测试", title=f"测试消息{i:02d}", user_id=user_id)
    page = new_page()
    login(page, "inbox01", "Inbox-Pages-2026")
    page.goto("/staff/notifications")
    expect(page.get_by_text("共 25 条,最近的在前")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^测试消息"))).to_have_count(20)
    expect(page.get_by_role("link", name="测试消息24")).to_be_visible()  # the newest first
    page.get_by_role("button", name="下一页").click()
    expect(page.get_by_text("第 2 / 2 页")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^测试消息"))).to_have_count(5)
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.get_by_text("未读 0 条")).to_be_visible()
    page.get_by_label("只看未读").check()
    expect(page.get_by_text("没有未读消息")).to_be_visible()
    page.get_by_label("只看未读").uncheck()
    expect(page.get_by_text("共 25 条,最近的在前")).to_be_visible()
