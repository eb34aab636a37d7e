"""Notices outside the portal (issue #27): queued in the notice's transaction, by each person's preferences,
delivered once to a real local SMTP server and an SMS folder, retried with back-off and then reported to
the admin; text messages within 70 characters with a link, never another party's data."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import httpx
import pytest
from sqlmodel import func, select

from portal.core.channels import get_channel_settings
from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.enums import DeliveryStatus as S
from portal.models.tables import AuditEntry, OutboxMessage, User
from portal.services.base import notices
from portal.services.base.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.services.base.outbox import CATEGORY_OF
from portal.services.delivery import admin, gateways, preferences, sending, texts
from portal.services.demands import dispatching, intake
from tests.services.outbox_helpers import clear_channels, smtp_server, use_channels
from tests.services.test_lifecycle import SH, actor, form, unit_id

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=SH)  # a Tuesday


@pytest.fixture
def people(demo_accounts):
    with session_scope() as session:
        for username, email, phone in (
            ("ziguiju", "ziguiju@zrzy.example.cn", "13905380002"),
            ("qiye1", "wang@qiye1.example.cn", "13805380001"),
        ):
            user = session.exec(select(User).where(User.username == username)).one()
            user.email, user.phone = email, phone
            session.add(user)
    yield {name: actor(name) for name in ("qiye1", "zhongxin", "ziguiju", "admin")}
    clear_channels()


def messages(**where) -> list[OutboxMessage]:
    with session_scope() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return session.exec(query).all()


def dispatch(people, title="厂房施工许可办理咨询") -> int:
    with use_clock(fixed(NOON)):
        demand_id = intake.submit_demand(actor=people["qiye1"], form=form(title=title))
        dispatching.dispatch(
            actor=people["zhongxin"],
            demand_id=demand_id,
            lead_unit_id=unit_id("市自然资源和规划局"),
            co_unit_ids=[],
            level="一般",
        )
    return demand_id


def save(person, **over):
    values = dict(
        email="ziguiju@zrzy.example.cn",
        phone="13905380002",
        email_on=True,
        sms_on=True,
        categories=["新工单", "督办预警", "红牌约谈", "差评整改"],
        quiet_start="",
        quiet_end="",
    )
    values.update(over)
    preferences.save_preferences(actor=person, **values)


def test_nothing_is_queued_while_no_channel_is_configured(people):
    clear_channels()
    dispatch(people)
    assert messages() == []


def test_a_dispatch_queues_the_units_messages_in_its_transaction(people, tmp_path):
    use_channels(2525, tmp_path)
    dispatch(people)
    queued = messages(user_id=people["ziguiju"].user_id)
    assert {(m.kind, m.channel, m.status) for m in queued} == {
        ("新工单", "邮件", S.PENDING),
        ("新工单", "短信", S.PENDING),
    }
    assert all(m.link.startswith("/staff/demands/") for m in queued)
    # 已派单 to the enterprise is no category: only the inbox hears of it
    assert messages(user_id=people["qiye1"].user_id) == []
    with pytest.raises(RuntimeError):  # an event rolled back leaves neither its notice nor its messages
        with session_scope() as session:
            notices.notify(
                session, key="rolled-back", kind="预警", title="预警:x", unit_id=unit_id("市自然资源和规划局")
            )
            raise RuntimeError("the event failed")
    assert messages(notice_key="rolled-back") == []
    with session_scope() as session:  # the same notice again (a retried job) queues nothing more
        notices.notify(
            session, key=queued[0].notice_key, kind="新工单", title="again", unit_id=unit_id("市自然资源和规划局")
        )
    assert len(messages(user_id=people["ziguiju"].user_id)) == 2


def test_preferences_choose_categories_and_channels(people, tmp_path):
    use_channels(2525, tmp_path)
    save(people["ziguiju"], categories=["督办预警"], sms_on=False)
    dispatch(people)
    assert messages(user_id=people["ziguiju"].user_id) == []  # 新工单 switched off
    with session_scope() as session:
        notices.notify(
            session, key="w1", kind="预警", title="预警:x", link="/staff", unit_id=unit_id("市自然资源和规划局")
        )
    assert [m.channel for m in messages(notice_key="w1")] == ["邮件"]  # SMS switched off
    mine = preferences.my_preferences(actor=people["ziguiju"])
    assert [(c["name"], c["on"]) for c in mine["categories"]] == [
        ("新工单", False),
        ("督办预警", True),
        ("红牌约谈", False),
        ("差评整改", False),
    ]
    assert [c["name"] for c in preferences.my_preferences(actor=people["qiye1"])["categories"]] == ["诉求答复"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"phone": "0538-8221234"}, "phone"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00", "quiet_end": ""}, "quiet_end"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end"),
    ],
)
def test_bad_preferences_change_nothing(people, over, field):
    with pytest.raises(ValidationFailed) as caught:
        save(people["ziguiju"], sms_on=False, **over)
    assert field in caught.value.errors
    mine = preferences.my_preferences(actor=people["ziguiju"])
    assert (mine["email"], mine["sms_on"]) == ("ziguiju@zrzy.example.cn", True)


def test_contact_is_normalised_and_audited(people):
    save(
        people["ziguiju"],
        email="  ZiGuiJu@ZRZY.Example.CN ",
        phone="139 0538 0009",
        quiet_start="22:00",
        quiet_end="7:00",
    )
    mine = preferences.my_preferences(actor=people["ziguiju"])
    assert (mine["email"], mine["phone"], mine["quiet_end"]) == ("ziguiju@zrzy.example.cn", "13905380009", "07:00")
    with session_scope() as session:
        assert (
            session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "联系方式")).one() == 1
        )
    with pytest.raises(Forbidden):
        preferences.save_preferences(
            actor=None, email="", phone="", email_on=True, sms_on=True, categories=[], quiet_start="", quiet_end=""
        )


def test_delivered_once_to_a_real_smtp_server_and_the_sms_folder(people, tmp_path):
    with smtp_server() as (inbox, port):
        use_channels(port, tmp_path)
        demand_id = dispatch(people)
        with use_clock(fixed(NOON + timedelta(minutes=1))):
            assert sending.deliver_outbox() == {"claimed": 2, "sent": 2}
            assert sending.deliver_outbox() == {}  # nothing twice
    ((to, mail),) = inbox.messages
    assert to == ["ziguiju@zrzy.example.cn"] and "新工单待签收" in mail["Subject"]
    assert f"https://qsjb.taian.gov.cn/staff/demands/{demand_id}" in inbox.texts()[0]
    assert "王经理" not in inbox.texts()[0] and "13805380001" not in inbox.texts()[0]  # the enterprise's contact
    (line,) = (tmp_path / "sms-2026-11-24.jsonl").read_text(encoding="utf-8").splitlines()
    sms = json.loads(line)
    assert sms["to"] == "13905380002" and len(sms["text"]) <= 70 and sms["text"].endswith(f"/staff/demands/{demand_id}")
    assert {m.status for m in messages()} == {S.SENT}


def test_quiet_hours_hold_text_messages_not_e_mail(people, tmp_path):
    save(people["ziguiju"], quiet_start="11:00", quiet_end="13:30")
    with smtp_server() as (inbox, port):
        use_channels(port, tmp_path)
        dispatch(people)
        with use_clock(fixed(NOON)):
            assert sending.deliver_outbox() == {"claimed": 2, "sent": 1, "quiet": 1}
        (sms,) = messages(channel="短信")
        assert (sms.status, sms.attempts, sms.next_attempt_at) == (S.PENDING, 0, NOON.replace(hour=13, minute=30))
        with use_clock(fixed(NOON + timedelta(hours=1))):
            assert sending.deliver_outbox() == {}
        with use_clock(fixed(NOON.replace(hour=13, minute=31))):
            assert sending.deliver_outbox() == {"claimed": 1, "sent": 1}
    assert len(inbox.messages) == 1
    overnight = preferences.quiet_until(datetime(2026, 11, 24, 23, 0, tzinfo=SH), "22:00", "07:00")
    assert overnight == datetime(2026, 11, 25, 7, 0, tzinfo=SH)
    assert preferences.quiet_until(datetime(2026, 11, 24, 8, 0, tzinfo=SH), "22:00", "07:00") is None


def test_two_senders_at_once_deliver_each_message_once(people, tmp_path):
    with smtp_server() as (inbox, port):
        use_channels(port, None, PORTAL_OUTBOX_BATCH="50")  # 50: two SMTP connections per batch
        with use_clock(fixed(NOON)), session_scope() as session:
            for i in range(60):
                notices.notify(
                    session,
                    key=f"race{i}",
                    kind="预警",
                    title=f"预警{i}",
                    link="/staff",
                    user_id=people["ziguiju"].user_id,
                )
        barrier, results = threading.Barrier(2), []

        def run():
            barrier.wait()
            with use_clock(fixed(NOON + timedelta(minutes=1))):
                results.append(sending.deliver_outbox())

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(r.get("sent", 0) for r in results) == 60
    subjects = [m["Subject"] for _, m in inbox.messages]
    assert len(subjects) == 60 and len(set(subjects)) == 60
    assert {m.status for m in messages()} == {S.SENT}


def test_a_failing_server_is_retried_with_back_off_then_reported(people):
    get_channel_settings.cache_clear()
    with smtp_server(refuse=True) as (_inbox, port):
        use_channels(port, None, PORTAL_OUTBOX_MAX_ATTEMPTS="3")
        dispatch(people)
        moment = NOON
        for tries, wait in ((1, 1), (2, 5)):
            with use_clock(fixed(moment)):
                assert sending.deliver_outbox() == {"claimed": 1, "retry": 1}
            (mail,) = messages()
            assert (mail.status, mail.attempts) == (S.PENDING, tries)
            assert mail.next_attempt_at == moment + timedelta(minutes=wait) and "451" in mail.last_error
            with use_clock(fixed(moment + timedelta(minutes=wait) - timedelta(seconds=1))):
                assert sending.deliver_outbox() == {}  # not before its time
            moment += timedelta(minutes=wait)
        with use_clock(fixed(moment)):
            assert sending.deliver_outbox() == {"claimed": 1, "failed": 1}
    (failed,) = admin.failed_messages(actor=people["admin"])
    assert (failed["channel"], failed["attempts"], failed["recipient"]) == ("邮件", 3, "自规局经办人")
    assert failed["error"].startswith("SMTPDataError") and "\n" not in failed["error"]
    (email_row, _sms_row) = admin.outbox_counts(actor=people["admin"])
    assert (email_row["channel"], email_row["failed"]) == ("邮件", 1)
    with pytest.raises(Forbidden):
        admin.failed_messages(actor=people["zhongxin"])
    with pytest.raises(NotFound):
        admin.resend(actor=people["admin"], message_id="1; DROP TABLE user")
    admin.resend(actor=people["admin"], message_id=str(failed["id"]))
    (mail,) = messages()
    assert (mail.status, mail.attempts, mail.last_error) == (S.PENDING, 0, "")
    with pytest.raises(Conflict):  # twice: it is no longer failed
        admin.resend(actor=people["admin"], message_id=failed["id"])
    with pytest.raises(Forbidden):
        admin.resend(actor=people["ziguiju"], message_id=failed["id"])


def test_an_unreachable_server_and_a_removed_address(people):
    use_channels(1, None, PORTAL_OUTBOX_MAX_ATTEMPTS="1", PORTAL_SMTP_PASSWORD="s3cret-pass", PORTAL_SMTP_USER="u")
    dispatch(people)
    with use_clock(fixed(NOON)):
        assert sending.deliver_outbox() == {"claimed": 1, "failed": 1}
    (mail,) = messages()
    assert "s3cret" not in mail.last_error and "s3cret" not in repr(get_channel_settings())
    assert not any("s3cret" in str(c) for c in admin.channel_states(actor=people["admin"]))
    admin.resend(actor=people["admin"], message_id=mail.id)
    save(people["ziguiju"], email="")
    assert sending.deliver_outbox() == {"claimed": 1, "unreachable": 1}  # due again from the resend on
    assert messages()[0].last_error.startswith("收件人已无有效")


@pytest.mark.parametrize("kind", sorted(CATEGORY_OF))
def test_every_kind_fits_one_text_message_with_its_link(kind):
    title = f"{kind}:关于某某工业园区新建厂房项目施工许可及配套道路规划许可的咨询与协调事项"
    for base in ("https://qsjb.taian.gov.cn", "http://localhost:3000", "https://qiye-suqiu.service.taian.gov.cn"):
        text = texts.sms_text(title=title, link="/staff/demands/123456", base_url=base)
        assert len(text) <= 70 and text.startswith(texts.SMS_SIGNATURE) and kind in text
        assert base in text  # the page's address, or with a long base the portal's
    absurd = texts.sms_text(title=title, link="/staff/demands/1", base_url="https://" + "x" * 80 + ".cn")
    assert len(absurd) <= 70


def test_the_http_gateway_posts_the_template_and_reports_refusals(people):
    use_channels(
        None,
        None,
        PORTAL_SMS_ADAPTER="http",
        PORTAL_SMS_URL="https://sms.example.cn/send",
        PORTAL_SMS_TOKEN="tok-123",
        PORTAL_SMS_TEMPLATE='{"to": "{phone}", "msg": {"content": "{text}"}}',
    )
    seen = []

    def provider(request: httpx.Request):
        seen.append((request.headers["authorization"], json.loads(request.content)))
        return httpx.Response(200 if len(seen) == 1 else 503)

    client = httpx.Client(transport=httpx.MockTransport(provider))
    gateway = gateways.HttpGateway(get_channel_settings(), client)
    gateway.send("13905380002", '预警:"引号"')
    assert seen[0] == ("Bearer tok-123", {"to": "13905380002", "msg": {"content": '预警:"引号"'}})
    with pytest.raises(httpx.HTTPStatusError) as caught:
        gateway.send("13905380002", "x")
    assert "tok-123" not in gateways.error_line(caught.value, get_channel_settings().secrets())


def test_the_sweep_queues_its_notices_and_a_grown_notice_rewrites_what_waits(people, tmp_path):
    from tests.services.test_supervision import DISPATCHED, dispatched_order, sweep_at

    use_channels(2525, tmp_path)
    order, _co = dispatched_order(people, co="市住房和城乡建设局")
    assert sweep_at(datetime(2026, 10, 9, 9, 0, tzinfo=SH))["签收超时"] == 2
    zhongxin = people["zhongxin"].user_id  # the demo centre account has an e-mail and a mobile
    (centre_mail,) = messages(user_id=zhongxin, kind="签收超时", channel="邮件")
    assert "市自然资源和规划局、市住房和城乡建设局未签收" in centre_mail.title  # rewritten while waiting
    assert {"新工单", "签收超时"} <= {m.kind for m in messages(user_id=people["ziguiju"].user_id)}
    assert DISPATCHED < centre_mail.created_at and order.unit_id == unit_id("市自然资源和规划局")


def test_an_enterprise_hears_of_its_answer_by_its_own_channels_only(people, tmp_path):
    with smtp_server() as (inbox, port):
        use_channels(port, tmp_path)
        with use_clock(fixed(NOON)):
            demand_id = intake.submit_demand(actor=people["qiye1"], form=form(kind="咨询"))
            dispatching.instant_answer(
                actor=people["zhongxin"], demand_id=demand_id, answer="可按市级技改资金办法申报。"
            )
            assert {(m.kind, m.channel) for m in messages(user_id=people["qiye1"].user_id)} == {
                ("请评价", "邮件"),
                ("请评价", "短信"),
            }
            assert sending.deliver_outbox()["sent"] == 2
    ((to, mail),) = inbox.messages
    assert to == ["wang@qiye1.example.cn"] and f"/my/demands/{demand_id}" in inbox.texts()[0]
    assert "可按市级技改资金办法申报" in inbox.texts()[0]  # its own answer, written for it
    assert "自规局" not in inbox.texts()[0] and "ziguiju" not in inbox.texts()[0]


def test_an_adapter_that_breaks_unexpectedly_fails_its_messages_for_a_retry(people, tmp_path, monkeypatch):
    use_channels(None, tmp_path)
    dispatch(people)

    def broken(messages, settings):
        raise RuntimeError("gateway bug")

    monkeypatch.setitem(sending.SENDERS, sending.DeliveryChannel.SMS, broken)
    with use_clock(fixed(NOON)):
        assert sending.deliver_outbox() == {"claimed": 1, "retry": 1}
    (sms,) = messages()
    assert (sms.status, sms.claim, sms.last_error) == (S.PENDING, "", "RuntimeError: gateway bug")


def test_an_e_mail_goes_on_the_wire_with_crlf_only():
    wire = texts.email_message(
        sender="noreply@portal.example.cn",
        to="a@example.cn",
        name="经办人",
        title="预警:" + "很长的标题" * 20,
        body="正文",
        link="/staff",
        base_url="https://q.cn",
    )
    assert wire.count(b"\n") == wire.count(b"\r\n") and b"Auto-Submitted: auto-generated" in wire


def test_links_default_to_the_port_the_portal_serves(monkeypatch):
    """No PORTAL_BASE_URL or PORTAL_PUBLIC_ORIGIN: links in messages point where ``make run`` serves (PORT),
    not always at 3000 (a phone walk found `PORT=3950` sending links to :3000)."""
    from portal.core.channels import get_channel_settings
    from portal.core.settings import get_settings

    for name in ("PORTAL_BASE_URL", "PORTAL_PUBLIC_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    for port, expected in (
        ("3950", "http://localhost:3950"),
        ("", "http://localhost:3000"),
        ("x", "http://localhost:3000"),
    ):
        monkeypatch.setenv("PORT", port)
        get_settings.cache_clear()
        get_channel_settings.cache_clear()
        assert get_channel_settings().base_url == expected
    get_settings.cache_clear()
    get_channel_settings.cache_clear()
