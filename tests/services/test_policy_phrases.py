"""Policy phrase search (issue #25 item 4): on PostgreSQL a phrase of up to three tokens is answered by the
token-windows index (migration 0028), longer ones and a lone character inside a phrase also by positions;
either way each term must occur as a phrase, with the same matches as SQLite's FTS5."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

from portal.services.base.fulltext import term_token_lists, window_prefixes
from portal.services.policies import editing
from tests.services.test_lifecycle import actor
from tests.services.test_policy_admin import form
from tests.services.test_policy_search_fields import _run, everything

# Every policy holds "2026年" (the year it is published), so the bodies name 2031.
BODIES = {
    "together": "申请贷款贴息须提交合同。推进数字化转型。获得2031年ISO认证。",
    "apart": "银行贷款,存款贴现,补贴息票。数字化转,字化转型。",  # every bigram, none adjacent
    "across": "贷款,贴息。数字化,转型。2031年 和 ISO。",  # punctuation between: still adjacent tokens
    "yearly": "2031年度ISO审核。ISO9001体系。",
    "model": "通过ISO9001体系认证。",
}


def _publish_bodies() -> dict[str, int]:
    zhongxin = actor("zhongxin")
    ids = {}
    for name, body in BODIES.items():
        ids[name] = editing.save_policy(actor=zhongxin, form=form(title=f"测试政策{name}", body=body))
        editing.publish(actor=zhongxin, policy_id=ids[name])
    return ids


def _found(query: str, ids: dict[str, int]) -> set[str]:
    hits = {int(r["id"]) for r in everything(query=query)}
    return {name for name, policy_id in ids.items() if policy_id in hits}


def test_window_prefixes_cut_a_phrase_at_its_prefix_tokens():
    def prefixes(term: str) -> list[str]:
        return window_prefixes(term_token_lists(term)[0])

    assert prefixes("融资") == ["融资 "]
    assert prefixes("贷款贴息") == ["贷款 款贴 贴息 "]
    assert prefixes("数字化转型") == ["数字 字化 化转 ", "字化 化转 转型 "]
    assert prefixes("高新技术企业认定") == ["高新 新技 技术 ", "术企 企业 业认 ", "企业 业认 认定 "]
    assert prefixes("2026年") == ["2026 年"]
    assert prefixes("2026年ISO") == ["2026 年", "iso "]


def test_every_term_must_occur_as_a_phrase(demo_accounts):
    ids = _publish_bodies()
    assert _found("贷款贴息", ids) == {"together"}
    assert _found("贷款 贴息", ids) == {"together", "apart", "across"}  # two terms, each anywhere
    assert _found("贷款,贴息", ids) == {"across"}  # one term: 贷款 then 贴息, as the tokens of "across" run
    assert _found("数字化转型", ids) == {"together"}  # both halves of "apart" are there, not the whole
    assert _found("化转型", ids) == {"together", "apart"}
    assert _found("2031年", ids) == {"together", "across", "yearly"}
    assert _found("2031年ISO", ids) == {"together", "yearly"}  # 年 inside a phrase is a prefix (年度)
    assert _found("ISO", ids) == {"together", "across", "yearly"}  # not "model": ISO9001 is one word
    assert _found("ISO9001", ids) == {"yearly", "model"}
    assert _found("贷款贴息 ISO", ids) == {"together"}


def test_a_policy_at_the_length_limit_saves_and_is_found(demo_accounts):
    """50 000 characters of varied Chinese and a token no query can reach: PostgreSQL keeps its windows
    within the 1 MiB a tsvector holds, and the words at either end are found on both databases."""
    rng = random.Random(25)
    text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(49_000))
    body = "开头贷款贴息。" + text + " " + "x" * 300 + " 结尾稳岗返还"
    zhongxin = actor("zhongxin")
    policy_id = editing.save_policy(actor=zhongxin, form=form(title="超长政策全文", body=body))
    editing.publish(actor=zhongxin, policy_id=policy_id)
    for query in ("开头贷款贴息", "稳岗", "返还"):
        assert policy_id in {int(r["id"]) for r in everything(query=query)}, query


def _migration_0028():
    path = Path(__file__).resolve().parents[2] / "alembic" / "versions" / "0028_policy_token_windows.py"
    spec = importlib.util.spec_from_file_location("migration_0028", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_builds_windows_for_stored_policies(demo_accounts):
    """0028 on a library that already holds policies: the windows are computed for every stored row."""
    ids = _publish_bodies()
    module = _migration_0028()
    _run(module.downgrade)
    _run(module.upgrade)
    assert _found("贷款贴息", ids) == {"together"}
    assert _found("数字化转型", ids) == {"together"}
