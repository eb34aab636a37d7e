"""Reading the State Council's yearly holiday notice (国务院办公厅关于某年部分节假日安排的通知), so an admin
can paste it instead of marking some thirty days one by one (issue #12). Pure text work, no database.

Each item of the notice names a festival, its days off and the Saturdays or Sundays worked instead:
    七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
    一、元旦：1月1日（周三）放假1天，不调休。
    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
Parenthesised remarks (weekday, lunar date) are dropped, full-width punctuation is normalised, and every
line that mentions a date must be understood: otherwise the line is named and nothing is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from portal.services.base.text import clean_text

_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]\s*)?(?P<name>[^:：。]{1,20}?)\s*[:：]\s*(?P<rest>.+)$")
_SPAN = re.compile(
    r"(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日(?:\s*[至到\-—~～]\s*(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日)?\s*放假"
)
_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")
MAX_SPAN_DAYS = 15


@dataclass(frozen=True)
class NoticeDay:
    day: date
    is_workday: bool  # True: a 调休 working day; False: a day off
    name: str


@dataclass(frozen=True)
class ParsedNotice:
    days: list[NoticeDay]
    errors: list[str]  # one message per line that could not be read, naming the line


def _day(year: int, month: str, day: str) -> date:
    try:
        return date(year, int(month), int(day))
    except ValueError:
        raise ValueError(f"{year}年{int(month)}月{int(day)}日不是有效日期") from None


def _item_days(year: int, name: str, rest: str) -> list[NoticeDay]:
    """The days off and the working days of one festival, or ValueError."""
    found: list[NoticeDay] = []
    spans = list(_SPAN.finditer(rest))
    if not spans:
        raise ValueError("没有找到“某月某日(至某日)放假”")
    for span in spans:
        first = _day(year, span["m1"], span["d1"])
        last = _day(year, span["m2"] or span["m1"], span["d2"]) if span["d2"] else first
        if last < first:  # “12月31日至1月2日”: the end falls in the next year
            last = last.replace(year=year + 1)
        if (last - first).days >= MAX_SPAN_DAYS:
            raise ValueError("放假区间超过15天")
        found.extend(NoticeDay(first + timedelta(days=i), False, name) for i in range((last - first).days + 1))
    for sentence in re.split(r"[。;；]", rest):
        if "上班" in sentence:
            found.extend(NoticeDay(_day(year, m, d), True, f"{name}调休上班") for m, d in _DAY.findall(sentence))
    return found


def parse_notice(year: int, text: str) -> ParsedNotice:
    """Every day the notice names for ``year``; ``errors`` lists the lines that could not be read."""
    days: dict[date, NoticeDay] = {}
    errors: list[str] = []
    normalised = _BRACKETS.sub("", clean_text(text, limit=20000)).replace("\u3000", " ")
    for number, line in enumerate(normalised.splitlines(), start=1):
        line = line.strip()
        if not _DAY.search(line) or not ("放假" in line or "上班" in line):
            continue  # the title, the greeting, the closing paragraph and the signature date
        match = _ITEM.match(line)
        if not match:
            errors.append(f"第{number}行无法识别节日名称:“{line[:40]}”")
            continue
        name = match["name"].strip()
        try:
            for item in _item_days(year, name, match["rest"]):
                if item.day in days and days[item.day].is_workday != item.is_workday:
                    raise ValueError(f"{item.day.isoformat()}既是假日又是上班日")
                days[item.day] = item
        except ValueError as exc:
            errors.append(f"第{number}行({name}):{exc}")
    if not days and not errors:
        errors.append("没有找到任何节假日安排,请粘贴通知中“一、元旦:……”起的各条")
    return ParsedNotice(days=sorted(days.values(), key=lambda d: d.day), errors=errors)
