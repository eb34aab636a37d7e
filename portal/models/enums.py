"""Closed vocabularies of the domain. Values are the Chinese words shown in the UI (UI.md), so that
what is stored, what is filtered on and what a person reads are one and the same."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    LEADER = "leader"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.ENTERPRISE: "企业用户",
    Role.DISPATCHER: "推进中心",
    Role.HANDLER: "承办单位",
    Role.LEADER: "领导",
    Role.ADMIN: "系统管理员",
}


def role_word(code: str) -> str:
    """The Chinese name of a role (推进中心, 承办单位 …) for anything a person reads; an unknown code as is."""
    return ROLE_LABELS.get(code, code)


STAFF_ROLES = (Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.ADMIN)


class UnitKind(StrEnum):
    CENTER = "推进中心"
    DEPARTMENT = "市直部门"
    TOWN = "镇街"
    PARK = "园区"
    FALLBACK = "兜底办"


class DemandStatus(StrEnum):
    SUBMITTED = "待受理"
    RETURNED = "退回待派"
    DISPATCHED = "待签收"
    HANDLING = "办理中"
    REDO = "重办中"
    FEEDBACK = "待评价"
    VERIFYING = "核查中"
    CLOSED = "已办结"
    REJECTED = "不予受理"
    WITHDRAWN = "已撤回"


class ClassStatus(StrEnum):
    """A group of similar demands (一类问题, issue #26)."""

    CANDIDATE = "候选"
    CONFIRMED = "已确认"
    DISMISSED = "已忽略"


class WorkOrderStatus(StrEnum):
    PENDING_SIGN = "待签收"
    HANDLING = "办理中"
    FED_BACK = "已反馈"
    RETURNED = "已退回"
    CANCELLED = "已撤销"


class OrderRole(StrEnum):
    LEAD = "主办"
    CO = "协办"


class DemandKind(StrEnum):
    CONSULT = "咨询"
    HELP = "求助"
    SUGGEST = "建议"
    COMPLAIN = "投诉"


class Channel(StrEnum):
    ONLINE = "线上提交"
    VISIT = "走访征询"
    HOTLINE = "服务热线"
    MEETING = "座谈会"
    FALLBACK_WINDOW = "办不成事窗口"
    TEA_PARTY = "政企茶话会"
    LEDGER_IMPORT = "台账导入"
    API = "接口"  # another system (the 12345 hotline …) through the Open311-style API (services/open311)


# Channels staff may choose on 代企业登记诉求 (/staff/intake); visits and meetings use theirs.
STAFF_INTAKE_CHANNELS = (Channel.HOTLINE, Channel.FALLBACK_WINDOW, Channel.VISIT, Channel.MEETING, Channel.TEA_PARTY)


class MeetingKind(StrEnum):
    TEA_PARTY = "政企茶话会"
    BREAKFAST = "早餐汇"
    FORUM = "座谈会"
    FACE_TO_FACE = "营商环境面对面"


class PlanHorizon(StrEnum):
    """计划周期 of the 需求计划台账 (seed 000)."""

    NEAR = "近期开展"
    MID = "中期计划"
    LONG = "长期谋划"


# The channels a 镇街's filled 问题台账 may say its rows came from (导入台账 asks which).
IMPORT_CHANNELS = tuple(c.value for c in Channel if c not in (Channel.ONLINE, Channel.API))


class TopicClass(StrEnum):
    POLICY = "政策咨询类"
    BUSINESS = "业务办理类"
    FACTORS = "要素保障类"


class LimitLevel(StrEnum):
    INSTANT = "即时"
    NORMAL = "一般"
    COMPLEX = "复杂"
    HARD = "疑难"
    REDO = "重办"
    SIGN = "签收"
    RATE = "评价"
    CO_OPINION = "协办意见"
    APPEAL = "差评申诉"
    WINDOW = "窗口反馈"  # a 办不成事窗口 demand's reply: seed 002 要求在3日内进行反馈


DISPATCH_LEVELS = (LimitLevel.INSTANT, LimitLevel.NORMAL, LimitLevel.COMPLEX, LimitLevel.HARD)


class Satisfaction(StrEnum):
    """The national 好差评 scale (国办发〔2019〕51号, GB/T 39734/39735-2020): five levels."""

    VERY = "非常满意"
    SATISFIED = "满意"
    BASIC = "基本满意"
    NOT = "不满意"
    VERY_NOT = "非常不满意"


SATISFIED = (Satisfaction.VERY, Satisfaction.SATISFIED, Satisfaction.BASIC)
BAD_RATINGS = (Satisfaction.NOT, Satisfaction.VERY_NOT)  # 差评
SUB_SCORES = {"score_time": "办理时效", "score_result": "办理结果", "score_attitude": "服务态度"}  # optional, 1–5


class RatingSource(StrEnum):
    ONLINE = "线上评价"
    PHONE = "电话回访"
    DEFAULT = "默认好评"


class RectificationStatus(StrEnum):
    """差评整改: 整改中 (the 重办 round is open) → 待回访 (整改情况 fed back) → 已办结, or 核查中 when the
    enterprise is still not satisfied (seed 001's second round)."""

    RECTIFYING = "整改中"
    REVISIT = "待回访"
    VERIFYING = "核查中"
    CLOSED = "已办结"


class AppealStatus(StrEnum):
    PENDING = "待复核"
    UPHELD = "申诉成立"
    REJECTED = "申诉不成立"


class ExtensionStatus(StrEnum):
    PENDING = "待审批"
    APPROVED = "已同意"
    DENIED = "已驳回"


class RevisitStatus(StrEnum):
    OPEN = "待回访"
    DONE = "已回访"
    UNREACHABLE = "无法联系"


class CardColor(StrEnum):
    GREEN = "绿牌"
    YELLOW = "黄牌"
    RED = "红牌"


class PolicyStatus(StrEnum):
    DRAFT = "草稿"
    PUBLISHED = "已发布"
    EXPIRED = "已失效"


class EnterpriseScale(StrEnum):
    LARGE = "大型"
    MEDIUM = "中型"
    SMALL = "小型"
    MICRO = "微型"


INDUSTRIES = (
    "制造业",
    "批发和零售业",
    "建筑业",
    "信息传输、软件和信息技术服务业",
    "交通运输、仓储和邮政业",
    "住宿和餐饮业",
    "科学研究和技术服务业",
    "农、林、牧、渔业",
    "租赁和商务服务业",
    "其他",
)


class DemandAction(StrEnum):
    """What a viewer may do to a demand now; the detail page shows a panel per action."""

    WITHDRAW = "撤回"
    RATE = "评价"
    DISPATCH = "派单"
    INSTANT_ANSWER = "即时答复"
    REJECT = "不予受理"
    DECIDE_EXTENSION = "延期审批"
    REVISIT = "回访"
    VERIFY = "核查"
    SIGN = "签收"
    RETURN = "退回"
    FEEDBACK = "提交办理结果"
    REQUEST_EXTENSION = "申请延期"
    CO_OPINION = "提交协办意见"
    REVIEW_FORM = "上传审核反馈表"


class DeliveryChannel(StrEnum):
    """Where a notice goes besides the in-app inbox (站内信, always on) (issue #27)."""

    EMAIL = "邮件"
    SMS = "短信"


class DeliveryStatus(StrEnum):
    """An outbox message: waiting (also between retries), claimed by a sender, sent, or given up."""

    PENDING = "待发送"
    SENDING = "发送中"
    SENT = "已发送"
    FAILED = "失败"
