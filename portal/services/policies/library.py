"""惠企政策一站查 (DESIGN §6, seeds 001 and 003): public search, a policy's page, related policies and what
an enterprise is recommended.

Search uses the demands' bigram full text (``services.base.fulltext``): every term must occur as a phrase, so a
two-character word (融资, 人才, 用地) matches exactly and mixed text (“2026年”, “ISO”) works; the same
query returns the same set on SQLite and PostgreSQL. A policy is found by what a reader sees of it: its
title, tags (行业, 规模, 主题: “制造业”, “税费”), 文号, issuing unit, year (“2026年”) and every text of its
page. Ranking: ``WEIGHTS``, ties to the newest. A policy whose 有效期 has ended counts as 已失效 at
once, before the hourly job marks it, and is shown only when asked for."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, case, func, literal, literal_column, or_
from sqlalchemy import text as sql_text
from sqlmodel import Session, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.ids import parse_id
from portal.models.enums import PolicyStatus, Role
from portal.models.records.policies import (
    PolicyDetail,
    PolicyFacets,
    PolicyFile,
    PolicyLink,
    PolicyPage,
    PolicyRow,
    TextPart,
)
from portal.models.tables import Attachment, Enterprise, Policy, PolicyTag, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.errors import NotFound
from portal.services.base.fulltext import cjk_bigrams, fulltext_condition
from portal.services.base.paging import page_number
from portal.services.policies.markdown import confine_images

PAGE_SIZE = 10
SUGGESTED_WORDS = ["融资", "人才", "用地", "研发", "补贴", "稳岗", "技术改造", "高新技术企业"]
TAG_KINDS = {"industry": "行业", "scale": "规模", "topic": "主题"}


_DOC_YEAR = re.compile(r"[〔\[(（]((?:19|20)\d\d)[〕\])）]")


def policy_search_text(policy: Policy, tags: Iterable[str]) -> str:
    """Everything a policy is found by, the most telling first: title, tags, 文号, issuing unit, the years
    it belongs to (“2026年”: published, and the year in its 文号), then the texts of its page."""
    years = {f"{policy.published_on.year}年"} if policy.published_on else set()
    years.update(f"{year}年" for year in _DOC_YEAR.findall(policy.doc_number or ""))
    parts = (
        policy.title,
        " ".join(tags),
        policy.doc_number,
        policy.issuer,
        " ".join(sorted(years)),
        policy.summary,
        policy.body,
        policy.interpretation,
        policy.guide,
    )
    return " ".join(part or "" for part in parts)


def policy_tokens(policy: Policy, tags: Iterable[str] = ()) -> str:
    """The stored search tokens of ``policy`` with the values of its tags."""
    return cjk_bigrams(policy_search_text(policy, tags))


def refresh_policy_tokens(session: Session, policy: Policy) -> None:
    """Recompute a saved policy's tokens from its text and its stored tags (after either changed)."""
    tags = session.exec(select(PolicyTag.value).where(PolicyTag.policy_id == policy.id).order_by(PolicyTag.id)).all()
    policy.search_tokens = policy_tokens(policy, tags)
    session.add(policy)


def _today() -> date:
    return local_date(now())


def _visible(include_expired: bool):
    """已发布 and in force; with ``include_expired`` also 已失效 (by status or by date)."""
    in_force = and_(
        Policy.status == PolicyStatus.PUBLISHED, or_(Policy.effective_to.is_(None), Policy.effective_to >= _today())
    )
    if not include_expired:
        return in_force
    return Policy.status.in_((PolicyStatus.PUBLISHED, PolicyStatus.EXPIRED))  # in force, or ended by date or by status


def _has_tag(kind: str, value: str):
    return Policy.id.in_(select(PolicyTag.policy_id).where(PolicyTag.kind == kind, PolicyTag.value == value))


def _terms(query: str) -> list[str]:
    return [term for term in (query or "").split()[:8] if cjk_bigrams(term)]


def highlight(text: str, terms: list[str]) -> list[TextPart]:
    """``text`` cut into parts, the occurrences of any term marked (case-insensitive for Latin letters)."""
    if not terms or not text:
        return [TextPart(text=text, hit=False)]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            parts.append(TextPart(text=text[last : match.start()], hit=False))
        parts.append(TextPart(text=match.group(0), hit=True))
        last = match.end()
    if last < len(text):
        parts.append(TextPart(text=text[last:], hit=False))
    return parts


def _status_of(policy_status: str, effective_to: date | None) -> str:
    if policy_status == PolicyStatus.PUBLISHED and effective_to is not None and effective_to < _today():
        return PolicyStatus.EXPIRED
    return policy_status


def _tag_text(session: Session, policy_ids: list[int]) -> dict[int, str]:
    tags: dict[int, list[str]] = {}
    for policy_id, value in session.exec(
        select(PolicyTag.policy_id, PolicyTag.value).where(PolicyTag.policy_id.in_(policy_ids)).order_by(PolicyTag.id)
    ).all():
        tags.setdefault(policy_id, []).append(value)
    return {pid: "、".join(values) for pid, values in tags.items()}


def _search_conditions(session: Session, query: str, issuer, tags: dict[str, str]) -> list:
    """WHERE conditions for the keywords (full text), the issuer and the tag filters."""
    where = []
    if query:
        dialect = session.get_bind().dialect.name
        tsv_columns = ("policy.search_tsv", "policy.search_windows")  # windows: PostgreSQL, migration 0028
        condition = fulltext_condition(Policy.id, query, dialect, "policy_fts", *tsv_columns)
        where.append(condition if condition is not None else Policy.id.is_(None))
    if isinstance(issuer, str) and issuer:
        where.append(Policy.issuer == issuer[:100])
    for kind, value in tags.items():
        if isinstance(value, str) and value:
            where.append(_has_tag(kind, value[:50]))
    return where


# What a term found in each part of a policy weighs (the title and tags above the rest).
WEIGHTS = {"title": 8, "tag": 4, "reference": 2, "summary": 1}


def _relevance(terms: list[str]):
    """The weighted sum of where each term occurs: title, a tag, the 文号 or issuing unit, the summary."""
    relevance = literal(0)
    for term in terms:
        tagged = Policy.id.in_(select(PolicyTag.policy_id).where(PolicyTag.value.contains(term)))
        relevance = (
            relevance
            + case((Policy.title.contains(term), WEIGHTS["title"]), else_=0)
            + case((tagged, WEIGHTS["tag"]), else_=0)
            + case((or_(Policy.doc_number.contains(term), Policy.issuer.contains(term)), WEIGHTS["reference"]), else_=0)
            + case((Policy.summary.contains(term), WEIGHTS["summary"]), else_=0)
        )
    return relevance


def search_policies(
    *,
    query: str = "",
    issuer: str = "",
    industry: str = "",
    scale: str = "",
    topic: str = "",
    include_expired: bool = False,
    page: int = 1,
) -> PolicyPage:
    """The public search: keywords, filters, server-side paging, matched words marked."""
    query = (query or "").strip()[:100]
    terms = _terms(query)
    page = page_number(page)
    with session_scope() as session:
        where = _search_conditions(session, query, issuer, {"行业": industry, "规模": scale, "主题": topic})
        where.append(_visible(include_expired is True))
        relevance = _relevance(terms)
        total = session.exec(select(func.count()).select_from(Policy).where(*where)).one()
        rows = session.exec(
            select(
                Policy.id,
                Policy.title,
                Policy.summary,
                Policy.issuer,
                Policy.doc_number,
                Policy.published_on,
                Policy.status,
                Policy.effective_to,
            )
            .where(*where)
            .order_by(*([relevance.desc()] if terms else []), Policy.published_on.desc(), Policy.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        tags = _tag_text(session, [r[0] for r in rows])
    records = [
        PolicyRow(
            id=r[0],
            title=r[1],
            title_parts=highlight(r[1], terms),
            summary_parts=highlight(r[2], terms),
            issuer=r[3],
            doc_number=r[4],
            published_on=r[5].isoformat() if r[5] else "",
            status=_status_of(r[6], r[7]),
            tags=tags.get(r[0], ""),
        )
        for r in rows
    ]
    return PolicyPage(
        rows=records,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        suggestions=[w for w in SUGGESTED_WORDS if w not in query] if query and not total else [],
    )


def facets() -> PolicyFacets:
    """The filter choices: issuers and tag values of the policies the public can see."""
    with session_scope() as session:
        visible = _visible(True)
        issuers = session.exec(select(Policy.issuer).where(visible).distinct().order_by(Policy.issuer)).all()

        def values(kind: str) -> list[str]:
            return list(
                session.exec(
                    select(PolicyTag.value)
                    .join(Policy, Policy.id == PolicyTag.policy_id)
                    .where(PolicyTag.kind == kind, visible)
                    .distinct()
                    .order_by(PolicyTag.value)
                ).all()
            )

        return PolicyFacets(
            issuers=[i for i in issuers if i], industries=values("行业"), scales=values("规模"), topics=values("主题")
        )


def policy_detail(*, policy_id) -> PolicyDetail:
    """A published (or expired) policy's page; drafts are not public. Its Markdown shows images only of
    the policy's own files (``confine_images``)."""
    with session_scope() as session:
        policy = session.get(Policy, parse_id(policy_id) or -1)
        if policy is None or policy.status == PolicyStatus.DRAFT:
            raise NotFound("政策不存在或尚未发布")
        tags = _tag_text(session, [policy.id]).get(policy.id, "")
        own = set(session.exec(select(Attachment.id).where(Attachment.policy_id == policy.id)).all())
        span = "至".join(d.isoformat() for d in (policy.effective_from, policy.effective_to) if d)
        return PolicyDetail(
            id=policy.id,
            title=policy.title,
            doc_number=policy.doc_number,
            issuer=policy.issuer,
            published_on=policy.published_on.isoformat() if policy.published_on else "",
            effective=span or "长期有效",
            status=_status_of(policy.status, policy.effective_to),
            summary=policy.summary,
            body=confine_images(policy.body, own),
            interpretation=confine_images(policy.interpretation, own),
            guide=confine_images(policy.guide, own),
            tags=tags,
        )


def related_policies(*, policy_id, limit: int = 5) -> list[PolicyLink]:
    """Other visible policies sharing the most tags with this one."""
    policy_id = parse_id(policy_id) or -1
    with session_scope() as session:
        mine = select(PolicyTag.kind, PolicyTag.value).where(PolicyTag.policy_id == policy_id).subquery()
        shared = func.count()
        rows = session.exec(
            select(Policy.id, Policy.title, shared)
            .join(PolicyTag, PolicyTag.policy_id == Policy.id)
            .join(mine, and_(mine.c.kind == PolicyTag.kind, mine.c.value == PolicyTag.value))
            .where(Policy.id != policy_id, _visible(False))
            .group_by(Policy.id, Policy.title)
            .order_by(shared.desc(), Policy.id.desc())
            .limit(limit)
        ).all()
    return [PolicyLink(id=r[0], title=r[1], reason=f"{r[2]}项标签相同") for r in rows]


def enterprise_profile_tags(session: Session, enterprise_id: int) -> list[tuple[str, str]]:
    """(kind, value) of the enterprise's profile as policy tags: 行业, 规模 and its 镇街 as 区域."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return []
    tags = [("行业", enterprise.industry), ("规模", enterprise.scale)]
    if enterprise.town_unit_id and (town := session.get(Unit, enterprise.town_unit_id)):
        tags.append(("区域", town.name))
    return [(kind, value) for kind, value in tags if value]


def recommended_for(*, enterprise_id: int, limit: int = 5) -> list[PolicyLink]:
    """为您推荐: visible policies whose 行业 / 规模 / 区域 tags match the enterprise's profile, the most
    matches first, then the newest, each with the words it matched on."""
    with session_scope() as session:
        profile = enterprise_profile_tags(session, enterprise_id)
        if not profile:
            return []
        matches = or_(*[and_(PolicyTag.kind == k, PolicyTag.value == v) for k, v in profile])
        rows = session.exec(
            select(Policy.id, Policy.title, func.count())
            .join(PolicyTag, PolicyTag.policy_id == Policy.id)
            .where(matches, _visible(False))
            .group_by(Policy.id, Policy.title, Policy.published_on)
            .order_by(func.count().desc(), Policy.published_on.desc(), Policy.id.desc())
            .limit(limit)
        ).all()
        matched: dict[int, list[str]] = {}
        for policy_id, value in session.exec(
            select(PolicyTag.policy_id, PolicyTag.value).where(PolicyTag.policy_id.in_([r[0] for r in rows]), matches)
        ).all():
            matched.setdefault(policy_id, []).append(value)
    return [PolicyLink(id=r[0], title=r[1], reason="匹配:" + "、".join(matched.get(r[0], []))) for r in rows]


# Words too common in demands to say anything about which policy fits.
_STOP_BIGRAMS = {
    "如何",
    "申请",
    "企业",
    "公司",
    "我们",
    "我公司",
    "问题",
    "办理",
    "了解",
    "想了",
    "请问",
    "需要",
    "什么",
    "怎么",
}


def suggest_for_text(*, text: str, limit: int = 3) -> list[PolicyLink]:
    """Policies in force that share the most words with what an enterprise is typing (any word, best
    first by the database's own full-text ranking: bm25 on SQLite, ts_rank on PostgreSQL)."""
    tokens = [t for t in dict.fromkeys(cjk_bigrams((text or "")[:200]).split()) if t not in _STOP_BIGRAMS][:30]
    if not tokens:
        return []
    with session_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            query = func.to_tsquery("simple", " | ".join(tokens))
            score = func.ts_rank(literal_column("policy.search_tsv"), query)
            matches = literal_column("policy.search_tsv").op("@@")(query)
            rows = session.exec(
                select(Policy.id, Policy.title)
                .where(matches, _visible(False))
                .order_by(score.desc(), Policy.id)
                .limit(limit)
            ).all()
        else:
            expression = " OR ".join(f'"{t}"' for t in tokens)
            ranked = sql_text(
                "SELECT rowid, bm25(policy_fts) AS score FROM policy_fts WHERE policy_fts MATCH :q "
                "ORDER BY score LIMIT 50"
            ).bindparams(q=expression)
            candidates = [row[0] for row in session.exec(ranked).all()]
            visible = set(session.exec(select(Policy.id).where(Policy.id.in_(candidates), _visible(False))).all())
            ids = [pid for pid in candidates if pid in visible][:limit]
            titles = dict(session.exec(select(Policy.id, Policy.title).where(Policy.id.in_(ids))).all())
            rows = [(pid, titles[pid]) for pid in ids]
    return [PolicyLink(id=pid, title=title, reason="与您的诉求相关") for pid, title in rows]


def policy_files(*, policy_id) -> list[PolicyFile]:
    """A public policy's original documents (links to the public download)."""
    with session_scope() as session:
        rows = session.exec(
            select(Attachment.id, Attachment.filename, Attachment.size)
            .join(Policy, Policy.id == Attachment.policy_id)
            .where(Attachment.policy_id == (parse_id(policy_id) or -1), Policy.status != PolicyStatus.DRAFT)
            .order_by(Attachment.id)
        ).all()
    return [PolicyFile(id=i, name=name, size_kb=max(1, size // 1024)) for i, name, size in rows]


def policy_file_for_download(*, attachment_id, actor: Actor | None) -> Attachment:
    """An original document: anyone may download it once its policy is public; the 推进中心 and admins
    also while it is a draft. Anything else (a demand's file, a bad id) is NotFound."""
    with session_scope() as session:
        row = session.get(Attachment, parse_id(attachment_id) or -1)
        policy = session.get(Policy, row.policy_id) if row is not None and row.policy_id else None
        editor = actor is not None and actor.role in (Role.DISPATCHER, Role.ADMIN)
        if policy is None or (policy.status == PolicyStatus.DRAFT and not editor):
            raise NotFound("文件不存在或政策尚未发布")
        return row
