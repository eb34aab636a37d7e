"""Bulk personal data leaves a trace (issue #20): every 导出台账 request and every 导入台账 preview and import
(refused ones included) is an entry of /admin's 审计日志: who, which ledger or file, the filters, how
many rows."""

from __future__ import annotations

from portal.services.base import audit
from portal.services.ledgers import exports as ledger_exports
from portal.services.ledgers import imports
from portal.services.ledgers.sheets import ExportFilters
from tests.services.test_ledger_import import _filled, _good_rows
from tests.services.test_lifecycle import actor


def _entries(section: str) -> list[dict]:
    return audit.list_entries(actor=actor("admin"), section=section)


def test_an_export_request_is_audited_with_its_filters_and_row_count(demo_accounts):
    handler = actor("zhujianju")
    ledger_exports.request_export(
        actor=handler,
        ledger="feedback",
        file_format="csv",
        filters=ExportFilters(date_from="2026-01-01", date_to="2026-12-31", status="待受理"),
    )
    (entry,) = _entries("导出台账")
    assert entry["who"].endswith("·" + handler.display_name) and entry["target"] == "企业发展、项目建设问题解决反馈表"
    for words in ("CSV", "共0行", "登记日期 2026-01-01 至 2026-12-31", "承办单位 市住房和城乡建设局", "状态 待受理"):
        assert words in entry["detail"], entry["detail"]
    assert "导出台账" in audit.audit_sections()  # the admin's filter offers it


def test_import_previews_and_imports_are_audited_refused_ones_too(demo_accounts):
    centre = actor("zhongxin")
    content = _filled(_good_rows())
    imports.preview_import(actor=centre, content=content, filename="东街周报.xlsx")
    imports.preview_import(actor=centre, content=b"PK\x03\x04junk", filename="坏文件.xlsx")
    assert imports.import_ledger(actor=centre, content=content, filename="东街周报.xlsx") == (2, 0)
    entries = _entries("导入台账")
    assert [(e["target"], e["detail"]) for e in reversed(entries)] == [
        ("东街周报.xlsx", "预览:共2行,0行有误;提报单位 东街街道"),
        ("坏文件.xlsx", "预览:文件被拒,文件无法读取,请用模板重新填写后上传"),
        ("东街周报.xlsx", "导入:新建2条,跳过已导入过的0条;来源渠道 台账导入;提报单位 东街街道"),
    ]
    assert all(e["who"].endswith("·" + centre.display_name) for e in entries)
