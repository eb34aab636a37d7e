"""导出台账 in the browser (issue #13): a dispatcher exports 问题转办清单 and the downloaded file opens with
the seed's header; the download link works only for the person who asked; a handler exports only its
own unit's ledger."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _export(page, ledger: str, file_format: str = "xlsx"):
    page.goto("/staff/reports")
    page.get_by_label("台账", exact=True).select_option(label=ledger)
    page.get_by_label("文件格式").select_option(file_format)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="导出", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="已完成")).to_be_visible()
    return download.value


def test_dispatcher_exports_the_transfer_list_and_only_they_can_download_it(new_page, tmp_path):
    disp = new_page()
    login(disp, "zhongxin")
    download = _export(disp, "企业发展、项目建设问题转办清单")
    assert download.suggested_filename.startswith("企业发展、项目建设问题转办清单_")
    path = tmp_path / "transfers.xlsx"
    download.save_as(path)
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "企业发展、项目建设问题转办清单"
    assert [c.value for c in sheet[2]][:5] == ["序号", "企业名称", "诉求描述", "企业联系人及联系方式", "承办单位"]
    mine = disp.get_by_role("region", name="我的导出")
    expect(mine.get_by_text("企业发展、项目建设问题转办清单").first).to_be_visible()
    link = mine.get_by_role("link", name="下载").first.get_attribute("href")

    leader = new_page()
    login(leader, "lingdao")
    response = leader.request.get(link)
    assert response.status == 404  # someone else's export
    assert disp.request.get(link).status == 200


def test_handler_exports_its_own_units_csv(new_page, tmp_path):
    handler = new_page()
    login(handler, "dongjie")
    handler.goto("/staff/reports")
    expect(handler.get_by_role("heading", name="导出台账")).to_be_visible()
    expect(handler.get_by_text("各单位办理情况")).to_have_count(0)  # the figures are for the centre and leaders
    download = _export(handler, "企业发展、项目建设问题台账", "csv")
    path = tmp_path / "problems.csv"
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "企业发展、项目建设问题台账" and lines[1].startswith("提报单位:东街街道")


def _ledger_file(path, rows: list[list]) -> None:
    """The template downloaded from the page, filled with ``rows`` (企业名称 … 统一社会信用代码)."""
    book = load_workbook(path)
    sheet = book.active
    sheet["A2"] = "提报单位:南湖镇"
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate([index, *values], start=1):
            sheet.cell(row=3 + index, column=column, value=value)
    book.save(path)


def test_dispatcher_imports_a_ledger_sees_the_bad_row_then_imports_the_fixed_file(new_page, tmp_path):
    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/reports")
    with disp.expect_download() as download:
        disp.get_by_role("button", name="下载模板", exact=True).click()
    template = tmp_path / "问题台账.xlsx"
    download.value.save_as(template)
    good = ["泰山示例建设工程有限公司", "园区污水管网接入手续办理缓慢,影响新厂房投产。", "市住房和城乡建设局",
            "李主任 13805381111", "", ""]  # fmt: skip
    bad = ["泰山示例建设工程有限公司", "供电增容申请迟迟没有答复,请协调。", "不存在的局", "李主任 13805381111", "", ""]
    _ledger_file(template, [good, bad])
    disp.locator("#ledger_file input[type=file]").set_input_files(str(template))
    expect(disp.get_by_text("问题台账.xlsx")).to_be_visible()
    disp.get_by_role("button", name="预览").click()
    preview = disp.get_by_role("region", name="导入预览")
    expect(
        preview.get_by_role("row").filter(has_text="不存在的局").get_by_text("没有名为“不存在的局”的单位", exact=False)
    ).to_be_visible()
    expect(disp.get_by_role("button", name="确认导入")).to_have_count(0)

    fixed = tmp_path / "问题台账-改.xlsx"
    download.value.save_as(fixed)
    _ledger_file(fixed, [good, [*bad[:2], "东街街道", *bad[3:]]])
    disp.get_by_role("button", name="移除").click()
    disp.locator("#ledger_file input[type=file]").set_input_files(str(fixed))
    disp.get_by_role("button", name="预览").click()
    expect(disp.get_by_role("region", name="导入预览").get_by_text("可导入")).to_have_count(2)
    disp.get_by_role("button", name="确认导入").click()
    expect(disp.get_by_text("已导入2条诉求")).to_be_visible()
    disp.goto("/staff/demands")
    disp.get_by_label("关键词").fill("污水管网")
    disp.get_by_role("button", name="搜索").click()
    expect(disp.get_by_text("园区污水管网接入手续办理缓慢")).to_be_visible()
