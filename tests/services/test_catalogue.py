"""派单目录 (issue #12): topics with lead unit, co-units, level and keywords; every saved change is a new
catalogue version with its history; the keywords suggest a better-fitting topic to the dispatcher; a
dispatch records the version it was suggested from."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.core.db import session_scope
from portal.models.tables import AuditEntry, Demand, TimelineEvent
from portal.services.admin import catalogue
from portal.services.admin.catalogue import TopicForm
from portal.services.base.errors import Forbidden, ValidationFailed
from portal.services.demands import dispatching, form_options, intake
from tests.services.test_lifecycle import actor, form, topic_id, unit_id


def _topic_form(**over) -> TopicForm:
    values = dict(
        name="跨境电商",
        topic_class="要素保障类",
        lead_unit_id=str(unit_id("市司法局")),
        co_unit_ids=(str(unit_id("市市场监督管理局")),),
        level="一般",
        keywords="跨境 电商、海外仓,报关",
    )
    values.update(over)
    return TopicForm(**values)


def test_new_topic_is_a_version_with_history_and_audit(demo_accounts):
    admin = actor("admin")
    assert catalogue.catalogue_version(actor=admin) == 1  # the seeded catalogue
    with pytest.raises(Forbidden):
        catalogue.save_topic(actor=actor("zhongxin"), form=_topic_form())
    with pytest.raises(Forbidden):
        catalogue.save_topic(actor=actor("qiye1"), form=_topic_form())
    new_id = catalogue.save_topic(actor=admin, form=_topic_form())
    assert catalogue.catalogue_version(actor=admin) == 2
    row = next(t for t in catalogue.list_catalogue(actor=admin) if t["id"] == new_id)
    assert (row["lead"], row["co"], row["keywords"]) == ("市司法局", "市市场监督管理局", "跨境 电商 海外仓 报关")
    assert "跨境电商" in [t["name"] for t in form_options.form_options()["topics"]]

    catalogue.save_topic(
        actor=admin, topic_id=new_id, form=_topic_form(lead_unit_id=str(unit_id("市工业和信息化局")), co_unit_ids=())
    )
    catalogue.save_topic(actor=admin, topic_id=new_id, form=_topic_form(lead_unit_id=str(unit_id("市工业和信息化局"))))
    # Saving without a change is no new version.
    catalogue.save_topic(actor=admin, topic_id=new_id, form=_topic_form(lead_unit_id=str(unit_id("市工业和信息化局"))))
    assert catalogue.catalogue_version(actor=admin) == 4
    history = catalogue.topic_history(actor=admin, topic_id=new_id)
    assert [h["version"] for h in history] == [4, 3, 2]
    assert history[1]["changes"] == "承办单位 市司法局 → 市工业和信息化局;协办单位 市市场监督管理局 → —"
    assert history[2]["changes"].startswith("新建:事项 跨境电商")
    assert history[0]["who"].endswith("系统管理员")
    with session_scope() as session:
        audits = session.exec(select(AuditEntry.detail).where(AuditEntry.action == "派单目录")).all()
    assert len(audits) == 3 and audits[1].startswith("第3版:")


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"name": "融资信贷"}, "name"),
        ({"name": "x"}, "name"),
        ({"topic_class": "其他类"}, "topic_class"),
        ({"lead_unit_id": ""}, "lead_unit_id"),
        ({"lead_unit_id": "99999"}, "lead_unit_id"),
        ({"co_unit_ids": ("99999",)}, "co_unit_ids"),
        ({"level": "重办"}, "level"),
        ({"keywords": " ".join(f"词{i}" for i in range(31))}, "keywords"),
    ],
)
def test_bad_topic_names_the_field_and_writes_nothing(demo_accounts, over, field):
    admin = actor("admin")
    before = catalogue.list_catalogue(actor=admin)
    with pytest.raises(ValidationFailed) as refused:
        catalogue.save_topic(actor=admin, form=_topic_form(**over))
    assert field in refused.value.errors
    assert catalogue.list_catalogue(actor=admin) == before
    assert catalogue.catalogue_version(actor=admin) == 1


def test_the_centre_cannot_be_a_lead_unit(demo_accounts):
    with pytest.raises(ValidationFailed) as refused:
        catalogue.save_topic(actor=actor("admin"), form=_topic_form(lead_unit_id=str(unit_id("市政府事务推进中心"))))
    assert "lead_unit_id" in refused.value.errors


def test_keywords_suggest_a_better_topic_and_dispatch_records_the_version(demo_accounts):
    admin, centre, enterprise = actor("admin"), actor("zhongxin"), actor("qiye1")
    catalogue.save_topic(actor=admin, form=_topic_form())
    # The enterprise chose 项目建设, but the text is about cross-border e-commerce.
    demand_id = intake.submit_demand(
        actor=enterprise,
        form=form(title="跨境电商海外仓报关问题", content="我公司做跨境电商,海外仓货物报关遇到困难,请协调。"),
    )
    suggestion, keyword, version = catalogue.dispatch_suggestions(actor=centre, demand_id=demand_id)
    assert suggestion["lead"] == str(unit_id("市住房和城乡建设局"))  # the chosen topic's routing, preselected
    assert keyword["topic"] == "跨境电商" and keyword["lead"] == str(unit_id("市司法局"))
    assert keyword["matched"] == "跨境、电商、海外仓、报关" and version == 2
    with pytest.raises(Forbidden):
        catalogue.dispatch_suggestions(actor=enterprise, demand_id=demand_id)

    catalogue.save_topic(actor=admin, topic_id=topic_id("跨境电商"), form=_topic_form(level="复杂"))  # version 3
    dispatching.dispatch(
        actor=centre, demand_id=demand_id, lead_unit_id=keyword["lead"], level="一般", catalogue_version=str(version)
    )
    with session_scope() as session:
        assert session.get(Demand, demand_id).catalogue_version == 2
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.demand_id == demand_id, TimelineEvent.action == "派单")
        ).one()
        assert event.data["catalogue_version"] == 2


def test_no_keyword_suggestion_when_the_chosen_topic_fits(demo_accounts):
    demand_id = intake.submit_demand(actor=actor("qiye1"), form=form())  # 施工许可 in 项目建设
    _, keyword, _ = catalogue.dispatch_suggestions(actor=actor("zhongxin"), demand_id=demand_id)
    assert keyword == {}


def test_a_forged_version_falls_back_to_the_current_one(demo_accounts):
    demand_id = intake.submit_demand(actor=actor("qiye1"), form=form())
    dispatching.dispatch(
        actor=actor("zhongxin"),
        demand_id=demand_id,
        lead_unit_id=unit_id("市住房和城乡建设局"),
        level="一般",
        catalogue_version="999",
    )
    with session_scope() as session:
        assert session.get(Demand, demand_id).catalogue_version == 1
