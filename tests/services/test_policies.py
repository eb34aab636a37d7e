"""惠企政策一站查 (issue #11): the public search finds Chinese words on both databases the same way, ranks
title matches first, filters, pages, hides drafts and expired policies unless asked, and recommends by
the enterprise's profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.tables import Policy, User
from portal.services.base.errors import NotFound
from portal.services.policies import library as policies


@pytest.fixture
def library(demo_accounts):
    return demo_accounts


def titles(page) -> list[str]:
    return [row["title"] for row in page["rows"]]


def test_two_character_words_and_mixed_text(library):
    found = policies.search_policies(query="融资")
    assert found["total"] >= 1
    assert "政府性融资担保降费奖补办法" in titles(policies.search_policies(query="融资", page=1)) + titles(
        policies.search_policies(query="融资", page=2)
    )
    assert all(
        "融资" in row["title"] + "".join(p["text"] for p in row["summary_parts"]) or row["title"]
        for row in found["rows"]
    )
    # A title match ranks above a match in the body only.
    assert "融资" in found["rows"][0]["title"]
    assert [p for p in found["rows"][0]["title_parts"] if p["hit"]] == [{"text": "融资", "hit": True}]
    assert policies.search_policies(query="用地")["rows"][0]["title"] == "工业用地弹性出让和先租后让实施办法"
    assert policies.search_policies(query="人才 安居")["total"] == 1  # terms are ANDed
    # Mixed scripts: the demo 文号 read like “政办发〔2026〕1号”; a lone trailing character is a prefix.
    year = next(r["doc_number"] for r in policies.search_policies()["rows"])[4:8]
    assert policies.search_policies(query=f"{year}")["total"] >= 1
    assert policies.search_policies(query="人社发")["total"] == 3
    assert policies.search_policies(query="ISO")["total"] == 0


def test_no_match_gives_suggestions_and_filters_narrow(library):
    nothing = policies.search_policies(query="火星移民")
    assert nothing["total"] == 0 and "融资" in nothing["suggestions"]
    assert policies.search_policies(query="")["suggestions"] == []
    by_issuer = policies.search_policies(issuer="市财政局")
    assert by_issuer["total"] == 3 and all(r["issuer"] == "市财政局" for r in by_issuer["rows"])
    assert policies.search_policies(industry="建筑业")["total"] == 2
    assert policies.search_policies(topic="融资信贷", scale="微型")["total"] == 1
    assert policies.search_policies(query="补贴", topic="人才用工")["total"] >= 1
    every = policies.search_policies()
    assert every["pages"] == -(-every["total"] // policies.PAGE_SIZE)
    assert len(policies.search_policies(page=every["pages"])["rows"]) == every["total"] - (every["pages"] - 1) * 10
    assert policies.search_policies(page="junk")["page"] == 1


def test_drafts_never_and_expired_only_when_asked(library):
    with session_scope() as session:
        expired = session.exec(select(Policy).where(Policy.title == "应急转贷资金管理办法")).one()
        expired.effective_to = (now() - timedelta(days=3)).date()
        draft = session.exec(select(Policy).where(Policy.title == "政府性融资担保降费奖补办法")).one()
        draft.status = "草稿"
        session.add_all([expired, draft])
        expired_id, draft_id = expired.id, draft.id
    assert "应急转贷资金管理办法" not in titles(policies.search_policies(query="转贷"))
    shown = policies.search_policies(query="转贷", include_expired=True)
    assert shown["rows"][0]["status"] == "已失效"
    assert "政府性融资担保降费奖补办法" not in titles(policies.search_policies(query="担保", include_expired=True))
    assert policies.policy_detail(policy_id=expired_id)["status"] == "已失效"
    with pytest.raises(NotFound):
        policies.policy_detail(policy_id=draft_id)
    with pytest.raises(NotFound):
        policies.policy_detail(policy_id="1 OR 1=1")


def test_recommendations_match_the_profile_with_reasons(library):
    with session_scope() as session:
        enterprise_id = session.exec(select(User.enterprise_id).where(User.username == "qiye1")).one()
    picks = policies.recommended_for(enterprise_id=enterprise_id)
    assert picks, "qiye1 is 制造业, 小型"
    assert picks[0]["reason"].startswith("匹配:")
    assert all(("制造业" in p["reason"]) or ("小型" in p["reason"]) for p in picks)
    counts = [len(p["reason"].removeprefix("匹配:").split("、")) for p in picks]
    assert counts == sorted(counts, reverse=True)  # most matches first


def test_related_policies_share_tags(library):
    with session_scope() as session:
        policy_id = session.exec(select(Policy.id).where(Policy.title == "普惠小微企业贷款贴息实施方案")).one()
    related = policies.related_policies(policy_id=policy_id)
    assert related and all(r["id"] != policy_id for r in related)


def test_highlight_marks_every_occurrence():
    parts = policies.highlight("融资担保与融资贴息,ISO认证", ["融资", "iso"])
    assert [p["text"] for p in parts if p["hit"]] == ["融资", "融资", "ISO"]
    assert "".join(p["text"] for p in parts) == "融资担保与融资贴息,ISO认证"
