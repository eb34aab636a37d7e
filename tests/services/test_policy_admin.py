"""政策管理 (issue #11): drafts, edits, publishing with 未诉先办 pushes (once per policy and enterprise),
withdrawal, validation, and an audit entry for every change."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.core.db import session_scope
from portal.models.tables import AuditEntry, Notification, Policy, PolicyTag
from portal.services.base.errors import Conflict, Forbidden, ValidationFailed
from portal.services.policies import editing, library
from portal.services.policies.editing import PolicyForm
from tests.services.test_lifecycle import actor


@pytest.fixture
def people(demo_accounts):
    return {name: actor(name) for name in ("zhongxin", "admin", "ziguiju", "qiye1", "qiye2")}


def form(**over) -> PolicyForm:
    values = dict(
        title="制造业数字化转型专项扶持办法",
        issuer="市工业和信息化局",
        doc_number="工信发〔2026〕9号",
        effective_from="2026-12-01",
        effective_to="2028年11月30日",
        summary="对制造业企业实施数字化改造给予补助。",
        body="# 支持内容\n\n对**数字化改造**项目按投资额给予补助。",
        guide="1. 自查条件;2. 网上申报。",
        industries="制造业",
        scales="小型、中型",
        topics="科技创新",
    )
    values.update(over)
    return PolicyForm(**values)


def inbox(username: str) -> list[Notification]:
    with session_scope() as session:
        user = actor(username)
        return session.exec(
            select(Notification).where(Notification.user_id == user.user_id, Notification.kind == "政策推送")
        ).all()


def test_draft_edit_publish_push_withdraw(people):
    with pytest.raises(Forbidden):
        editing.save_policy(actor=people["ziguiju"], form=form())
    policy_id = editing.save_policy(actor=people["zhongxin"], form=form())
    assert library.search_policies(query="转型专项扶持")["total"] == 0  # a draft is not public
    editing.save_policy(
        actor=people["zhongxin"], policy_id=policy_id, form=form(summary="对制造业企业数字化改造给予补助和奖励。")
    )
    stored = editing.policy_form(actor=people["admin"], policy_id=policy_id)
    assert stored.effective_to == "2028-11-30" and set(stored.scales.split()) == {"小型", "中型"}

    assert editing.publish(actor=people["zhongxin"], policy_id=policy_id) >= 1
    found = library.search_policies(query="转型专项扶持")
    assert [r["id"] for r in found["rows"]] == [policy_id]
    pushed = inbox("qiye1")  # 制造业, 小型
    assert len(pushed) == 1 and pushed[0].link == f"/policies/{policy_id}"
    assert inbox("qiye2") == []  # 中型 fits, but 建筑业 is not 制造业: every tagged kind must fit
    with pytest.raises(Conflict):
        editing.publish(actor=people["zhongxin"], policy_id=policy_id)
    # Editing a published policy never sends the same push twice.
    editing.save_policy(actor=people["zhongxin"], policy_id=policy_id, form=form(guide="1. 自查;2. 申报;3. 兑现。"))
    assert len(inbox("qiye1")) == 1

    editing.withdraw(actor=people["admin"], policy_id=policy_id)
    assert library.search_policies(query="转型专项扶持")["total"] == 0
    with session_scope() as session:
        actions = [a.action for a in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["政策新建", "政策修改", "政策发布", "政策修改", "政策撤回"]


def test_bad_input_names_each_field_and_writes_nothing(people):
    with session_scope() as session:
        before = len(session.exec(select(Policy)).all()), len(session.exec(select(PolicyTag)).all())
    with pytest.raises(ValidationFailed) as refused:
        editing.save_policy(
            actor=people["zhongxin"],
            form=form(
                title="短",
                issuer="",
                summary="",
                effective_from="2026-13-01",
                effective_to="2026-01-01",
                topics="长" * 60,
            ),
        )
    assert set(refused.value.errors) >= {"title", "issuer", "summary", "effective_from", "topics"}
    with pytest.raises(ValidationFailed) as refused:
        editing.save_policy(actor=people["zhongxin"], form=form(effective_from="2027-01-01", effective_to="2026-01-01"))
    assert "effective_to" in refused.value.errors
    with session_scope() as session:
        assert (len(session.exec(select(Policy)).all()), len(session.exec(select(PolicyTag)).all())) == before


def test_instant_answer_cites_published_policies(people):
    from portal.services.demands import detail as demand_detail
    from portal.services.demands import dispatching, intake
    from tests.services.test_lifecycle import form as demand_form

    with session_scope() as session:
        published = session.exec(select(Policy.id).where(Policy.status == "已发布").order_by(Policy.id)).all()
    draft_id = editing.save_policy(actor=people["zhongxin"], form=form())
    demand_id = intake.submit_demand(actor=people["qiye1"], form=demand_form(kind="咨询"))
    for bad in (["1 OR 1=1"], [draft_id], [999999], published[:6]):
        with pytest.raises(ValidationFailed):
            dispatching.instant_answer(
                actor=people["zhongxin"], demand_id=demand_id, answer="请参照相关政策办理。", policy_ids=bad
            )
    dispatching.instant_answer(
        actor=people["zhongxin"],
        demand_id=demand_id,
        answer="请参照相关政策办理。",
        policy_ids=[published[1], published[0]],
    )
    seen = demand_detail.demand_detail(actor=people["qiye1"], demand_id=demand_id)
    assert [p["id"] for p in seen["policies"]] == sorted([published[0], published[1]])
    assert "引用政策:《" in next(e for e in seen["timeline"] if e["action"] == "即时答复")["detail"]


def test_mixed_scripts_are_phrases_on_both_databases(people):
    policy_id = editing.save_policy(
        actor=people["zhongxin"], form=form(title="2026年ISO认证补贴办法", summary="对通过ISO9001认证的企业给予补贴。")
    )
    editing.publish(actor=people["zhongxin"], policy_id=policy_id)
    for query in ("2026年", "ISO认证", "iso9001", "2026年 补贴"):
        assert [r["id"] for r in library.search_policies(query=query)["rows"]][:1] == [policy_id], query
    assert policy_id not in [r["id"] for r in library.search_policies(query="2025年")["rows"]]


def test_original_documents_are_checked_and_public_only_with_the_policy(people):
    from portal.services.demands.intake import UploadedFile
    from tests.services.test_lifecycle import PDF, PNG

    with pytest.raises(ValidationFailed):  # bytes that are not what the name says
        editing.save_policy(actor=people["zhongxin"], form=form(), files_in=[UploadedFile("原件.pdf", PNG)])
    with session_scope() as session:
        assert session.exec(select(Policy).where(Policy.title == form().title)).first() is None
    policy_id = editing.save_policy(actor=people["zhongxin"], form=form(), files_in=[UploadedFile("政策原件.pdf", PDF)])
    with session_scope() as session:
        from portal.models.tables import Attachment

        file_id = session.exec(select(Attachment.id).where(Attachment.policy_id == policy_id)).one()
    assert library.policy_files(policy_id=policy_id) == []  # a draft shows nothing publicly
    with pytest.raises(Exception):  # noqa: B017 - NotFound for anyone but the editors
        library.policy_file_for_download(attachment_id=file_id, actor=None)
    with pytest.raises(Exception):  # noqa: B017
        library.policy_file_for_download(attachment_id=file_id, actor=people["qiye1"])
    assert library.policy_file_for_download(attachment_id=file_id, actor=people["zhongxin"]).filename == "政策原件.pdf"
    editing.publish(actor=people["zhongxin"], policy_id=policy_id)
    assert [f["name"] for f in library.policy_files(policy_id=policy_id)] == ["政策原件.pdf"]
    assert library.policy_file_for_download(attachment_id=file_id, actor=None).policy_id == policy_id


def test_a_policy_shows_images_only_of_its_own_files(people):
    """A body may not load an image from another site (a tracking pixel): whatever way it is written,
    an image stays an image only when it is one of the policy's own uploaded files."""
    from markdown_it import MarkdownIt

    from portal.models.tables import Attachment
    from portal.services.demands.intake import UploadedFile
    from tests.services.test_lifecycle import PNG

    centre = people["zhongxin"]
    other = editing.save_policy(actor=centre, form=form(title="另一项政策"), files_in=[UploadedFile("图.png", PNG)])
    policy_id = editing.save_policy(actor=centre, form=form(), files_in=[UploadedFile("示意图.png", PNG)])
    with session_scope() as session:
        (own,) = session.exec(select(Attachment.id).where(Attachment.policy_id == policy_id)).all()
        (foreign,) = session.exec(select(Attachment.id).where(Attachment.policy_id == other)).all()
    body = (
        "正文\n\n![像素](https://evil.example/p.gif)\n\n"
        f"![示意图](/api/policy-files/{own})\n\n![别的政策的图](/api/policy-files/{foreign})\n\n"
        "![引用][px]\n\n[px]: https://evil.example/ref.gif\n\n"
        "> ![引用块里\n> 跨行](https://evil.example/quote.gif)\n\n"
        "| 表 |\n|---|\n| ![表中](https://evil.example/cell.gif) |\n\n"
        "见注释[^1]。\n\n[^1]: ![脚注](https://evil.example/note.gif)\n\n"
        "![![套](https://evil.example/inner.gif)](https://evil.example/outer.gif)\n\n"
        "`![代码](https://evil.example/code.gif)`"
    )
    editing.save_policy(actor=centre, policy_id=policy_id, form=form(body=body, guide="![指南](//evil.example/g.gif)"))
    editing.publish(actor=centre, policy_id=policy_id)
    shown = library.policy_detail(policy_id=policy_id)
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(shown["body"] + shown["guide"])
    assert html.count("<img") == 1 and f'<img src="/api/policy-files/{own}" alt="示意图"' in html
    assert '<a href="https://evil.example/p.gif">像素</a>' in html  # the foreign image is a plain link
    assert f'<a href="/api/policy-files/{foreign}">别的政策的图</a>' in html
    # Whatever another Markdown parser makes of the text, no "![" is left but the policy's own image.
    assert (shown["body"] + shown["guide"]).count("![") == 1
    with session_scope() as session:
        assert session.get(Policy, policy_id).body == body  # stored as written; confined when shown
