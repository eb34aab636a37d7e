"""导入台账 (issue #13): a 镇街's filled 问题台账 (.xlsx, the template of ``template_bytes``) becomes demands.

``preview_import`` reads the file and says, row by row and column by column, what is wrong (in Chinese),
writing nothing. ``import_ledger`` writes only a file without a single error, all rows in one transaction
(all or nothing). Each row has a fingerprint (enterprise, code, description, date); a row whose
fingerprint is already on a demand is skipped, so importing the same file twice creates nothing new.

A row's enterprise is matched by 统一社会信用代码, else by exact name; an enterprise the portal does not
know is created as a record without an account (it needs a valid code). 建议解决部门 must name a unit (by
name or code). The topic is the catalogue's best keyword match (else 其他).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from portal.core import security
from portal.core.clock import now
from portal.core.dates import parse_day
from portal.core.db import session_scope
from portal.core.formatting import local_zone
from portal.models.enums import IMPORT_CHANNELS, Channel, DemandKind, Role
from portal.models.tables import Demand, DispatchRule, Enterprise, Topic, Unit
from portal.services.accounts.actor import Actor
from portal.services.accounts.enterprise_accounts import is_pilot_shaped, pilot_code_admitted
from portal.services.admin.catalogue import keyword_matches
from portal.services.base.access import require_role
from portal.services.base.audit import record_audit
from portal.services.base.errors import ValidationFailed
from portal.services.base.text import clean_text
from portal.services.demands.intake import NewDemand, open_demands
from portal.services.ledgers import xlsx_guard
from portal.services.ledgers.sheets import LEDGERS
from portal.services.ledgers.writers import write_xlsx

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
CELL_MAX = 5000  # a cell's text is cut one past this (``clean_text``); the row checks say what is too long
MAX_SHEET_ROWS = MAX_ROWS + 20  # the title, 提报 and header lines, the footnote
MAX_COLUMNS = 20  # the template has 9; room for a few of the filler's own
AUDIT_SECTION = "导入台账"
REQUIRED = ("企业名称", "存在问题、困难、诉求描述", "建议解决部门", "企业联系人及联系方式")
OPTIONAL = ("备注", "统一社会信用代码", "登记日期")
_PHONE = re.compile(r"(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})")
_CONTACT_TRIM = re.compile(r"^[\s,,、::]+|[\s,,、::]+$")
_TITLE_END = re.compile(r"[,,。;;!!??\n]")


@dataclass
class ImportRow:
    row: int  # the spreadsheet's row number
    enterprise: str = ""
    credit_code: str = ""
    description: str = ""
    unit: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    remark: str = ""
    day: date | None = None
    errors: list[str] = field(default_factory=list)
    duplicate: bool = False
    fingerprint: str = ""


@dataclass
class ImportPreview:
    reporter: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.errors and all(not r.errors for r in self.rows)


def template_bytes() -> bytes:
    """The empty 问题台账 to fill in: the export's layout with no rows."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_xlsx(path, LEDGERS["problems"], iter(()), reporter="", reported="", progress=lambda _: None)
        return path.read_bytes()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_sheet(content: bytes, filename: str, preview: ImportPreview):
    from openpyxl import load_workbook

    if not filename.lower().endswith(".xlsx") or not content.startswith(b"PK"):
        preview.errors.append("请上传 .xlsx 格式的问题台账(可先下载模板)")
        return None
    if len(content) > MAX_BYTES:
        preview.errors.append("文件超过5MB,请分批导入")
        return None
    try:  # before openpyxl: a small file must not unzip or pad into minutes of parsing
        xlsx_guard.check_workbook(content, max_rows=MAX_SHEET_ROWS, max_columns=MAX_COLUMNS)
    except xlsx_guard.Refused as refused:
        preview.errors.append(refused.message)
        return None
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False).worksheets[0]
    except Exception:  # noqa: BLE001 - whatever openpyxl trips on, the file is unreadable
        preview.errors.append(xlsx_guard.UNREADABLE)
        return None


def _header(rows: list[tuple], preview: ImportPreview) -> tuple[int, dict[str, int]] | None:
    """The row holding the column names (within the first ten), and each known column's index."""
    for index, cells in enumerate(rows[:10]):
        names = [_cell_text(c.value) for c in cells]
        if "企业名称" in names:
            columns = {name: position for position, name in enumerate(names) if name in REQUIRED + OPTIONAL}
            missing = [name for name in REQUIRED if name not in columns]
            if missing:
                preview.errors.append("缺少列:" + "、".join(missing))
                return None
            for cells_before in rows[:index]:
                for cell in cells_before:
                    text = _cell_text(cell.value)
                    if text.startswith("提报单位"):
                        preview.reporter = clean_text(text.split(":", 1)[-1].split(":", 1)[-1], limit=100)
            return index, columns
    preview.errors.append("没有找到表头(应有“企业名称”等列),请使用模板")
    return None


def _read_row(number: int, cells: tuple, columns: dict[str, int]) -> ImportRow | None:
    row = ImportRow(row=number)
    values = {}
    for name, position in columns.items():
        cell = cells[position] if position < len(cells) else None
        if cell is not None and cell.data_type == "f":
            row.errors.append(f"「{name}」是公式,请改为填写内容")
            values[name] = ""
        else:
            values[name] = cell.value if cell is not None else None
    raw = {name: _cell_text(value) for name, value in values.items()}
    texts = {name: clean_text(text, limit=CELL_MAX) for name, text in raw.items()}
    if not any(texts.values()):
        return None
    row.enterprise, row.description = texts["企业名称"], texts["存在问题、困难、诉求描述"]
    row.unit, row.remark = texts["建议解决部门"], texts.get("备注", "")
    row.credit_code = security.normalise_credit_code(texts.get("统一社会信用代码", ""))
    contact = texts["企业联系人及联系方式"]
    phone = _PHONE.search(contact.replace(" ", ""))
    row.contact_phone = phone.group(0) if phone else ""
    row.contact_name = _CONTACT_TRIM.sub("", _PHONE.sub("", contact)) if phone else contact
    raw_day = values.get("登记日期")
    row.day = raw_day.date() if isinstance(raw_day, datetime) else parse_day(texts.get("登记日期", ""))
    if texts.get("登记日期") and row.day is None:
        row.errors.append("「登记日期」无法识别,应为 年-月-日")
    # The fingerprint is of the cells as typed (stripped only), as before text was cleaned: a file imported
    # earlier is still recognised when imported again.
    typed_code = security.normalise_credit_code(raw.get("统一社会信用代码", ""))
    typed = (raw["企业名称"], typed_code, raw["存在问题、困难、诉求描述"], row.day.isoformat() if row.day else "")
    key = "\x1f".join(typed)
    row.fingerprint = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return row


def _check_row(row: ImportRow, units: dict[str, int], today: date, directory: _Directory) -> None:
    if not 2 <= len(row.enterprise) <= 100:
        row.errors.append("「企业名称」须为2–100字")
    if not 10 <= len(row.description) <= 2000:
        row.errors.append("「存在问题、困难、诉求描述」须为10–2000字")
    if row.unit and row.unit not in units:
        row.errors.append(f"「建议解决部门」没有名为“{row.unit}”的单位")
    if not row.contact_phone or not row.contact_name or len(row.contact_name) > 50:
        row.errors.append("「企业联系人及联系方式」应为“姓名 电话”,如:王经理 13805380001")
    if row.day and row.day > today:
        row.errors.append("「登记日期」不能晚于今天")
    if row.credit_code and (error := security.credit_code_error(row.credit_code)):
        if not (is_pilot_shaped(row.credit_code) and pilot_code_admitted(row.credit_code)):
            row.errors.append(f"「统一社会信用代码」{error}")
    known = directory.enterprise_for(row)
    if known is None and not row.credit_code and not row.errors:
        row.errors.append("「统一社会信用代码」未注册的企业须填写统一社会信用代码")
    if known is not None and row.credit_code and known.credit_code != row.credit_code:
        row.errors.append("「统一社会信用代码」与该企业名称已登记的代码不一致")


@dataclass
class _Directory:
    """The enterprises and already imported fingerprints a file's rows refer to, read in a few queries."""

    by_code: dict[str, Enterprise] = field(default_factory=dict)
    by_name: dict[str, Enterprise] = field(default_factory=dict)
    imported: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, session: Session, rows: list[ImportRow]) -> _Directory:
        directory = cls()
        codes = sorted({r.credit_code for r in rows if r.credit_code})
        names = sorted({r.enterprise for r in rows if r.enterprise})
        prints = sorted({r.fingerprint for r in rows})
        for start in range(0, max(len(codes), len(names), len(prints)), 500):
            for enterprise in session.exec(
                select(Enterprise).where(
                    or_(
                        Enterprise.credit_code.in_(codes[start : start + 500]),
                        Enterprise.name.in_(names[start : start + 500]),
                    )
                )
            ):
                directory.add(enterprise)
            directory.imported |= set(
                session.exec(
                    select(Demand.import_fingerprint).where(Demand.import_fingerprint.in_(prints[start : start + 500]))
                )
            )
        return directory

    def add(self, enterprise: Enterprise) -> None:
        self.by_code[enterprise.credit_code] = enterprise
        self.by_name[enterprise.name] = enterprise

    def enterprise_for(self, row: ImportRow) -> Enterprise | None:
        """By credit code, else by exact name."""
        return (self.by_code.get(row.credit_code) if row.credit_code else None) or self.by_name.get(row.enterprise)


def preview_import(*, actor: Actor, content: bytes, filename: str) -> ImportPreview:
    """Every row with its errors (row and column named); nothing is written but the audit entry (who
    read which file, how many rows: bulk personal data leaves a trace)."""
    require_role(actor, Role.DISPATCHER)
    preview = _preview(content, filename or "")
    with session_scope() as session:
        record_audit(session, actor, AUDIT_SECTION, filename or "", "预览:" + _outcome(preview))
    return preview


def _outcome(preview: ImportPreview) -> str:
    if preview.errors:
        return "文件被拒," + ";".join(preview.errors)
    bad = sum(1 for row in preview.rows if row.errors)
    return f"共{len(preview.rows)}行,{bad}行有误;提报单位 {preview.reporter or '—'}"


def _is_footnote(cells: tuple) -> bool:
    """The template's “备注:…” line: that text in the first cell and nothing else in the row."""
    texts = [_cell_text(c.value) for c in cells]
    return bool(texts) and texts[0].startswith("备注") and not any(texts[1:])


def _preview(content: bytes, filename: str) -> ImportPreview:
    preview = ImportPreview()
    sheet = _open_sheet(content, filename or "", preview)
    if sheet is None:
        return preview
    try:
        rows = list(sheet.iter_rows(max_row=MAX_SHEET_ROWS))
    except Exception:  # noqa: BLE001 - a sheet openpyxl cannot parse
        preview.errors.append(xlsx_guard.UNREADABLE)
        return preview
    found = _header(rows, preview)
    if found is None:
        return preview
    header_index, columns = found
    today = now().astimezone(local_zone()).date()
    for number, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if _is_footnote(cells):
            continue  # the template's footnote: rows typed below it (under a blank row) are still read
        if (row := _read_row(number, cells, columns)) is not None:
            preview.rows.append(row)
    seen: set[str] = set()
    with session_scope() as session:
        active = session.exec(select(Unit).where(Unit.active == True)).all()  # noqa: E712
        units = {u.name: u.id for u in active} | {u.code: u.id for u in active if u.code}
        directory = _Directory.read(session, preview.rows)
        session.expunge_all()
    for row in preview.rows:
        _check_row(row, units, today, directory)
        row.duplicate = row.fingerprint in seen or row.fingerprint in directory.imported
        seen.add(row.fingerprint)
    if len(preview.rows) > MAX_ROWS:
        preview.errors.append(f"一次最多导入{MAX_ROWS}行,请分批导入")
    if not preview.rows and not preview.errors:
        preview.errors.append("文件中没有填写任何问题")
    return preview


def _topic_chooser(session: Session):
    """A function giving the active topic whose keywords a text matches most, else 其他 (rules read once)."""
    rules = [
        (rule.keywords, topic.id)
        for rule, topic in session.exec(
            select(DispatchRule, Topic).join(Topic, Topic.id == DispatchRule.topic_id).where(Topic.active == True)  # noqa: E712
        )
    ]
    fallback = session.exec(select(Topic.id).where(Topic.name == "其他")).first()

    def choose(text: str) -> int | None:
        score, topic_id = max(((len(keyword_matches(text, words)), topic) for words, topic in rules), default=(0, None))
        return topic_id if score else fallback

    return choose


def import_ledger(
    *, actor: Actor, content: bytes, filename: str, channel: str = Channel.LEDGER_IMPORT
) -> tuple[int, int]:
    """Write every new row of an error-free file as a 待受理 demand, all in one transaction.
    Returns (created, skipped as already imported)."""
    require_role(actor, Role.DISPATCHER)
    if channel not in IMPORT_CHANNELS:
        raise ValidationFailed({"channel": "请选择来源渠道"})
    preview = _preview(content, filename or "")
    if not preview.ok:
        with session_scope() as session:
            record_audit(session, actor, AUDIT_SECTION, filename or "", "导入被拒:" + _outcome(preview))
        raise ValidationFailed({"file": "台账有错误,未导入任何一行;请按预览中的提示修改后重新上传"})
    new_rows = [row for row in preview.rows if not row.duplicate]
    with session_scope() as session:
        units = {u.name: u.id for u in session.exec(select(Unit))} | {
            u.code: u.id for u in session.exec(select(Unit)) if u.code
        }
        topic_for, directory = _topic_chooser(session), _Directory.read(session, new_rows)
        new = []
        for row in new_rows:
            enterprise = directory.enterprise_for(row) or _new_enterprise(session, row, directory)
            new.append(
                _new_demand(
                    row, enterprise.id, topic_for(row.description), units.get(row.unit), preview.reporter, channel
                )
            )
        open_demands(
            session,
            new,
            channel=channel,
            registered_by=actor,
            action=Channel.LEDGER_IMPORT,
            batch_note=f"提报单位:{preview.reporter or '—'}",
        )
        detail = f"导入:新建{len(new_rows)}条,跳过已导入过的{len(preview.rows) - len(new_rows)}条;来源渠道 {channel}"
        record_audit(session, actor, AUDIT_SECTION, filename or "", f"{detail};提报单位 {preview.reporter or '—'}")
    return len(new_rows), len(preview.rows) - len(new_rows)


def _new_demand(row: ImportRow, enterprise_id: int, topic_id, unit_id, reporter: str, channel: str) -> NewDemand:
    title = _TITLE_END.split(row.description, 1)[0][:50] or row.description[:50]
    return NewDemand(
        enterprise_id=enterprise_id,
        kind=DemandKind.HELP,
        topic_id=topic_id,
        title=title,
        content=row.description,
        contact_name=row.contact_name,
        contact_phone=row.contact_phone,
        suggested_unit_id=unit_id,
        import_fingerprint=row.fingerprint,
        event_detail=f"{channel}·提报单位:{reporter or '—'};提报时间:{row.day or '—'}",
        event_data={"row": row.row},
    )


def _new_enterprise(session: Session, row: ImportRow, directory: _Directory) -> Enterprise:
    """An enterprise known only from a ledger: a record without any account (it may register later)."""
    enterprise = Enterprise(
        name=row.enterprise,
        credit_code=row.credit_code,
        credit_code_override=security.credit_code_error(row.credit_code) is not None,
        contact_name=row.contact_name,
        contact_phone=row.contact_phone,
    )
    session.add(enterprise)
    session.flush()
    directory.add(enterprise)  # a second row of the same new enterprise finds it
    return enterprise
