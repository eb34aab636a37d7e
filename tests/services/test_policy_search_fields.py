"""What people type into 惠企政策一站查 (issue #21 item 3): a 行业 or 主题 tag (制造业, 税费), a year
(2026年), a 文号 or the issuing unit finds the policies it names, ranked title first, then tags, then the
rest; a policy saved or published later is found the same way; migration 0022 rebuilds stored rows."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlmodel import select

from portal.core.db import get_engine, session_scope
from portal.models.enums import PolicyStatus
from portal.models.tables import Policy, PolicyTag
from portal.services.policies import editing
from portal.services.policies import library as policies
from tests.services.test_lifecycle import actor
from tests.services.test_policy_admin import form


def everything(**search) -> list[dict]:
    first = policies.search_policies(**search)
    rows = list(first["rows"])
    for page in range(2, first["pages"] + 1):
        rows += policies.search_policies(**search, page=page)["rows"]
    return rows


def _tagged(kind: str, value: str) -> set[int]:
    with session_scope() as session:
        return set(
            session.exec(select(PolicyTag.policy_id).where(PolicyTag.kind == kind, PolicyTag.value == value)).all()
        )


def test_tags_find_what_the_filter_finds(demo_accounts):
    by_filter = {int(r["id"]) for r in everything(industry="制造业")}
    assert len(by_filter) >= 5
    by_word = {int(r["id"]) for r in everything(query="制造业")}
    assert by_filter <= by_word  # every 制造业 policy, and any whose text names 制造业
    taxes = {int(r["id"]) for r in everything(query="税费")}
    assert _tagged("主题", "税费政策") <= taxes and taxes


def test_a_year_and_a_reference_find_their_policies(demo_accounts):
    with session_scope() as session:
        visible = session.exec(select(Policy).where(Policy.status == PolicyStatus.PUBLISHED)).all()
        year = max(p.published_on.year for p in visible)
        of_year = {p.id for p in visible if p.published_on.year == year}
    found = {int(r["id"]) for r in everything(query=f"{year}年")}
    assert of_year and of_year <= found
    assert all(
        r["published_on"].startswith(str(year)) or str(year) in r["doc_number"] for r in everything(query=f"{year}年")
    )
    assert {r["issuer"] for r in everything(query="市财政局")} == {"市财政局"}


def test_title_outranks_tags_outranks_body(demo_accounts):
    zhongxin = actor("zhongxin")
    in_body = editing.save_policy(
        actor=zhongxin,
        form=form(title="企业上云奖励办法", summary="上云奖励。", body="面向软件园区的智造工厂。", industries=""),
    )
    in_tag = editing.save_policy(actor=zhongxin, form=form(title="企业用电补贴办法", summary="用电补贴。", body="无。"))
    in_title = editing.save_policy(
        actor=zhongxin, form=form(title="智造工厂认定办法", summary="认定。", body="无。", industries="")
    )
    for policy_id in (in_body, in_tag, in_title):
        editing.publish(actor=zhongxin, policy_id=policy_id)
    editing.save_policy(actor=zhongxin, policy_id=in_tag, form=form(title="企业用电补贴办法", summary="用电补贴。",
                                                                      body="无。", industries="智造工厂"))  # fmt: skip
    ranked = [int(r["id"]) for r in everything(query="智造工厂")]
    assert ranked[:3] == [in_title, in_tag, in_body]
    assert policies.WEIGHTS["title"] > policies.WEIGHTS["tag"] > policies.WEIGHTS["reference"] > 0


def test_tags_changed_later_change_what_finds_the_policy(demo_accounts):
    zhongxin = actor("zhongxin")
    policy_id = editing.save_policy(actor=zhongxin, form=form(title="园区标准厂房租金减免", industries="建筑业"))
    editing.publish(actor=zhongxin, policy_id=policy_id)
    assert policy_id in {int(r["id"]) for r in everything(query="建筑业")}
    editing.save_policy(
        actor=zhongxin, policy_id=policy_id, form=form(title="园区标准厂房租金减免", industries="住宿和餐饮业")
    )
    assert policy_id not in {int(r["id"]) for r in everything(query="建筑业")}
    assert policy_id in {int(r["id"]) for r in everything(query="餐饮")}


def _migration():
    path = Path(__file__).resolve().parents[2] / "alembic" / "versions" / "0022_policy_search_fields.py"
    spec = importlib.util.spec_from_file_location("migration_0022", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(step) -> None:
    with get_engine().begin() as connection, Operations.context(MigrationContext.configure(connection)):
        step()


def test_migration_rebuilds_stored_tokens(demo_accounts):
    """Rows stored with the former tokens (no tags, no year) are found by tag once 0022 has run."""
    module = _migration()
    _run(module.downgrade)
    assert everything(query="税费") == []
    _run(module.upgrade)
    assert {int(r["id"]) for r in everything(query="税费")} >= _tagged("主题", "税费政策")
