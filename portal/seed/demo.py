"""The demo world (UI.md § Demo data). Idempotent: every row is looked up by its natural key first, so
running it twice, or on a database that already has some of it, adds only what is missing.

Only loaded when demo mode is on (the embedded default); production sets PORTAL_DEMO_MODE=0.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from portal.core import security
from portal.core.db import session_scope
from portal.models.enums import LimitLevel, PolicyStatus, Role, TopicClass, UnitKind
from portal.models.tables import Demand, DispatchRule, Enterprise, Policy, PolicyTag, TimeLimitRule, Topic, Unit, User
from portal.services.calendar.store import seed_from_chinesecalendar
from portal.services.policies.library import policy_tokens

# fmt: off
DEMO_PASSWORD = "Demo@2026"

UNITS: list[tuple[str, str]] = [
    ("市政府事务推进中心", UnitKind.CENTER),
    ("办不成事窗口(兜底办)", UnitKind.FALLBACK),
    ("市自然资源和规划局", UnitKind.DEPARTMENT),
    ("市住房和城乡建设局", UnitKind.DEPARTMENT),
    ("市市场监督管理局", UnitKind.DEPARTMENT),
    ("市人力资源和社会保障局", UnitKind.DEPARTMENT),
    ("市发展和改革委员会", UnitKind.DEPARTMENT),
    ("市工业和信息化局", UnitKind.DEPARTMENT),
    ("市科学技术局", UnitKind.DEPARTMENT),
    ("市财政局", UnitKind.DEPARTMENT),
    ("市司法局", UnitKind.DEPARTMENT),
    ("市地方金融管理局", UnitKind.DEPARTMENT),
    ("市城市管理局", UnitKind.DEPARTMENT),
    ("东街街道", UnitKind.TOWN),
    ("西城街道", UnitKind.TOWN),
    ("南湖镇", UnitKind.TOWN),
    ("高新技术产业开发区", UnitKind.PARK),
]

# topic, class, lead unit, co-units, level, keywords
CATALOGUE: list[tuple[str, str, str, list[str], str, str]] = [
    ("惠企政策", TopicClass.POLICY, "市发展和改革委员会", [], LimitLevel.NORMAL, "政策 补贴 奖励 申报 兑现"),
    ("税费政策", TopicClass.POLICY, "市财政局", [], LimitLevel.NORMAL, "税 减免 退税 缓缴 社保费"),
    ("企业开办", TopicClass.BUSINESS, "市市场监督管理局", [], LimitLevel.INSTANT, "营业执照 登记 变更 注销 开办"),
    ("项目建设", TopicClass.BUSINESS, "市住房和城乡建设局", ["市自然资源和规划局"], LimitLevel.COMPLEX,
     "施工许可 竣工 验收 图审 消防"),
    ("用地规划", TopicClass.BUSINESS, "市自然资源和规划局", [], LimitLevel.COMPLEX, "土地 用地 规划 不动产 证"),
    ("招标采购", TopicClass.BUSINESS, "市财政局", [], LimitLevel.NORMAL, "招标 投标 采购 中标"),
    ("法律服务", TopicClass.BUSINESS, "市司法局", [], LimitLevel.NORMAL, "合同 纠纷 律师 法律"),
    ("融资信贷", TopicClass.FACTORS, "市地方金融管理局", [], LimitLevel.NORMAL, "贷款 融资 担保 银行 授信"),
    ("人才用工", TopicClass.FACTORS, "市人力资源和社会保障局", [], LimitLevel.NORMAL, "招聘 用工 人才 社保 技能"),
    ("科技创新", TopicClass.FACTORS, "市科学技术局", ["市工业和信息化局"], LimitLevel.NORMAL,
     "高新技术 研发 专利 科技 创新"),
    ("水电气网", TopicClass.FACTORS, "市城市管理局", [], LimitLevel.NORMAL, "供水 供电 燃气 网络 暖气"),
    ("其他", TopicClass.BUSINESS, "办不成事窗口(兜底办)", [], LimitLevel.NORMAL, ""),
]

TIME_LIMITS: list[tuple[str, int, str]] = [
    (LimitLevel.INSTANT, 0, "当日办结(非工作日受理的,下一个工作日办结)"),
    (LimitLevel.NORMAL, 5, "5个工作日内办结"),
    (LimitLevel.COMPLEX, 15, "15个工作日内办结"),
    (LimitLevel.HARD, 30, "疑难及历史遗留问题30个工作日内办结"),
    (LimitLevel.REDO, 3, "评价不满意的,3个工作日内重新办理"),
    (LimitLevel.SIGN, 1, "派单后1个工作日内签收"),
    (LimitLevel.RATE, 3, "反馈后3个工作日内未评价的转电话回访"),
    (LimitLevel.CO_OPINION, 3, "协办单位3个工作日内向主办单位提交协办意见"),
    (LimitLevel.WINDOW, 3, "办不成事窗口受理的诉求,派单后3个工作日内反馈"),
]

# username, role, display name, unit
STAFF: list[tuple[str, str, str, str | None]] = [
    ("admin", Role.ADMIN, "系统管理员", None),
    ("zhongxin", Role.DISPATCHER, "推进中心值班员", "市政府事务推进中心"),
    ("ziguiju", Role.HANDLER, "自规局经办人", "市自然资源和规划局"),
    ("zhujianju", Role.HANDLER, "住建局经办人", "市住房和城乡建设局"),
    ("dongjie", Role.HANDLER, "东街街道经办人", "东街街道"),
    ("lingdao", Role.LEADER, "分管领导", None),
]

# Where the demo staff get 邮件 and 短信 notices (issue #27; `make run` writes text messages to data/sms).
STAFF_CONTACTS: dict[str, tuple[str, str]] = {
    "zhongxin": ("zhongxin@example.gov.cn", "13905380001"),
    "ziguiju": ("ziguiju@example.gov.cn", "13905380002"),
    "zhujianju": ("zhujianju@example.gov.cn", "13905380003"),
    "dongjie": ("dongjie@example.gov.cn", "13905380004"),
}

# username, enterprise, credit code, industry, scale, town, contact, phone
ENTERPRISES: list[tuple[str, str, str, str, str, str, str, str]] = [
    ("qiye1", "泰安示例科技有限公司", "91370900MA3C7K2L07", "制造业", "小型", "东街街道", "王经理", "13805380001"),
    ("qiye2", "泰山示例建设工程有限公司", "91370902MA94R6T3XJ", "建筑业", "中型", "高新技术产业开发区", "李主任",
     "0538-8221234"),
]

# title, issuer, doc number prefix, topic tag, industries, scales, summary
POLICIES: list[tuple[str, str, str, str, str, str, str]] = [
    ("关于支持中小微企业纾困发展的若干措施", "市人民政府办公室", "政办发", "惠企政策", "", "小型 微型 中型",
     "从减税降费、金融支持、稳岗就业等方面帮助中小微企业渡过难关。"),
    ("市级工业企业技术改造专项资金管理办法", "市工业和信息化局", "工信发", "科技创新", "制造业", "",
     "对设备投资达到一定规模的技术改造项目按投资额给予补助。"),
    ("高新技术企业认定奖励实施细则", "市科学技术局", "科发", "科技创新", "", "",
     "首次认定为高新技术企业的给予一次性奖励,重新认定的给予适当奖励。"),
    ("企业研发费用后补助办法", "市科学技术局", "科发", "科技创新", "制造业 信息传输、软件和信息技术服务业", "",
     "按企业上年度研发费用增量的一定比例给予后补助。"),
    ("稳岗返还和一次性扩岗补助政策", "市人力资源和社会保障局", "人社发", "人才用工", "", "",
     "对不裁员或少裁员的参保企业返还部分失业保险费,对招用高校毕业生的给予扩岗补助。"),
    ("高层次人才引进和安居保障办法", "市人力资源和社会保障局", "人社发", "人才用工", "", "",
     "对引进的高层次人才给予安家补贴、租房补贴和子女入学保障。"),
    ("职业技能提升行动补贴办法", "市人力资源和社会保障局", "人社发", "人才用工", "", "",
     "企业组织职工参加职业技能培训并取得证书的,按规定给予培训补贴。"),
    ("普惠小微企业贷款贴息实施方案", "市地方金融管理局", "金融发", "融资信贷", "", "小型 微型",
     "对符合条件的小微企业普惠贷款按实际支付利息的一定比例给予贴息。"),
    ("政府性融资担保降费奖补办法", "市地方金融管理局", "金融发", "融资信贷", "", "",
     "政府性融资担保机构对小微企业担保费率不超过1%的给予奖补。"),
    ("应急转贷资金管理办法", "市地方金融管理局", "金融发", "融资信贷", "", "",
     "为贷款到期、续贷有困难的企业提供短期应急周转资金。"),
    ("工程建设项目审批制度改革实施方案", "市住房和城乡建设局", "建发", "项目建设", "建筑业", "",
     "压减审批环节和时限,推行并联审批、区域评估和告知承诺制。"),
    ("建筑业企业高质量发展扶持办法", "市住房和城乡建设局", "建发", "项目建设", "建筑业", "",
     "对资质升级、承揽市外工程的建筑业企业给予奖励。"),
    ("工业用地弹性出让和先租后让实施办法", "市自然资源和规划局", "自然资规", "用地规划", "制造业", "",
     "工业用地可采取长期租赁、先租后让、弹性年期出让等方式供应。"),
    ("不动产登记“交房即交证”工作方案", "市自然资源和规划局", "自然资发", "用地规划", "", "",
     "新建商品房项目在交付时同步办理不动产权证书。"),
    ("企业开办“一网通办”全流程服务规范", "市市场监督管理局", "市监发", "企业开办", "", "",
     "企业开办全流程一个环节、一日办结、零成本。"),
    ("市场主体登记告知承诺制实施办法", "市市场监督管理局", "市监发", "企业开办", "", "",
     "对住所等登记事项实行告知承诺,申请人承诺后即可办理。"),
    ("个体工商户转型升级为企业扶持措施", "市市场监督管理局", "市监发", "企业开办", "批发和零售业 住宿和餐饮业", "微型",
     "个转企的保留原名称字号,延续相关资质,并给予一次性奖励。"),
    ("政府采购支持中小企业发展实施细则", "市财政局", "财采", "招标采购", "", "小型 微型 中型",
     "预留采购份额专门面向中小企业,并给予价格评审优惠。"),
    ("增值税留抵退税政策操作指引", "市财政局", "财税", "税费政策", "", "",
     "符合条件的纳税人可申请退还增量和存量留抵税额。"),
    ("小微企业“六税两费”减征政策解读", "市财政局", "财税", "税费政策", "", "小型 微型",
     "对小规模纳税人、小型微利企业和个体工商户减半征收“六税两费”。"),
    ("企业法律服务“法治体检”行动方案", "市司法局", "司发", "法律服务", "", "",
     "组织律师为企业开展免费法治体检,防范合同和用工风险。"),
    ("涉企行政执法“首违不罚”清单", "市司法局", "司发", "法律服务", "", "",
     "对首次轻微违法并及时改正的涉企行为依法不予行政处罚。"),
    ("用水用电用气报装“零跑腿”服务办法", "市城市管理局", "城管发", "水电气网", "", "",
     "水电气网报装线上一次申请、并联办理,低压小微企业接电零投资。"),
    ("5G和千兆光网建设支持措施", "市工业和信息化局", "工信发", "水电气网", "信息传输、软件和信息技术服务业", "",
     "支持企业建设5G专网和千兆光网,给予建设费用补助。"),
    ("专精特新中小企业培育办法", "市工业和信息化局", "工信发", "科技创新", "制造业", "小型 中型",
     "对新认定的专精特新中小企业和“小巨人”企业给予奖励。"),
    ("数字化转型“智改数转”专项扶持政策", "市工业和信息化局", "工信发", "科技创新", "制造业", "",
     "对实施智能化改造和数字化转型的企业按软硬件投入给予补助。"),
    ("外贸企业稳订单拓市场支持措施", "市发展和改革委员会", "发改发", "惠企政策", "批发和零售业 制造业", "",
     "支持企业参加境外展会,对出口信用保险保费给予补贴。"),
    ("重点项目“拿地即开工”服务机制", "市发展和改革委员会", "发改发", "项目建设", "", "",
     "通过提前介入、容缺受理,实现重点项目取得土地后即可开工建设。"),
    ("民营经济高质量发展若干措施", "市发展和改革委员会", "发改发", "惠企政策", "", "",
     "从市场准入、要素保障、权益保护等方面支持民营经济发展壮大。"),
    ("企业诉求“接诉即办”工作规则", "市政府事务推进中心", "推进发", "惠企政策", "", "",
     "企业诉求统一受理、分类转办、限时办结、回访评价、督查问效。"),
]
# fmt: on


def _units(session: Session) -> dict[str, Unit]:
    units = {u.name: u for u in session.exec(select(Unit))}
    for order, (name, kind) in enumerate(UNITS):
        if name not in units:
            unit = Unit(
                name=name, code=f"U{order + 1:03d}", kind=kind, is_fallback=kind == UnitKind.FALLBACK, sort_order=order
            )
            session.add(unit)
            units[name] = unit
    session.flush()
    return units


def seed_reference_data(session: Session) -> dict[str, Unit]:
    """Units, catalogue, rules and the official calendar: what every installation needs to start."""
    seed_from_chinesecalendar(session)
    units = _units(session)
    levels = {r.level for r in session.exec(select(TimeLimitRule))}
    for level, days, description in TIME_LIMITS:
        if level not in levels:
            session.add(TimeLimitRule(level=level, working_days=days, description=description))
    topics = {t.name: t for t in session.exec(select(Topic))}
    ruled = set(session.exec(select(DispatchRule.topic_id)))
    for order, (name, cls, lead, co, level, keywords) in enumerate(CATALOGUE):
        topic = topics.get(name)
        if topic is None:
            topic = Topic(name=name, topic_class=cls, sort_order=order)
            session.add(topic)
            session.flush()
        if topic.id not in ruled:
            session.add(
                DispatchRule(
                    topic_id=topic.id,
                    lead_unit_id=units[lead].id,
                    co_unit_ids=[units[c].id for c in co],
                    level=level,
                    keywords=keywords,
                )
            )
    session.flush()
    return units


def _policies(session: Session, today: date) -> None:
    existing = set(session.exec(select(Policy.title)))
    for number, (title, issuer, prefix, topic, industries, scales, summary) in enumerate(POLICIES, start=1):
        if title in existing:
            continue
        published = today - timedelta(days=20 * number)
        policy = Policy(
            title=title,
            issuer=issuer,
            doc_number=f"{prefix}〔{published.year}〕{number}号",
            published_on=published,
            effective_from=published,
            effective_to=published.replace(year=published.year + 3),
            summary=summary,
            body=f"{summary}\n\n一、适用对象:在本市依法登记注册、具有独立法人资格的企业。\n"
            f"二、支持内容:{summary}\n三、申报程序:企业通过本平台或{issuer}窗口提交申请材料,"
            f"主管部门在规定时限内审核并公示。\n四、本政策由{issuer}负责解释。",
            interpretation=f"本政策的核心是:{summary}符合条件的企业可按申兑指南办理。",
            guide=f"1. 对照适用对象自查条件;2. 准备营业执照、申请表及相关证明材料;"
            f"3. 向{issuer}提交申请;4. 审核通过后按规定拨付或兑现。咨询可在本平台提交“咨询”类诉求。",
            status=PolicyStatus.PUBLISHED,
        )
        tags = [("主题", topic)] + [("行业", v) for v in industries.split()] + [("规模", v) for v in scales.split()]
        policy.search_tokens = policy_tokens(policy, [value for _, value in tags])
        session.add(policy)
        session.flush()
        for kind, value in tags:
            session.add(PolicyTag(policy_id=policy.id, kind=kind, value=value))


def _add_staff(session, units: dict, users: set[str]) -> None:
    for username, role, name, unit_name in STAFF:
        if username not in users:
            email, phone = STAFF_CONTACTS.get(username, ("", ""))
            session.add(
                User(
                    username=username,
                    role=role,
                    display_name=name,
                    password_hash=security.hash_password(DEMO_PASSWORD),
                    unit_id=units[unit_name].id if unit_name else None,
                    email=email,
                    phone=phone,
                )
            )


def _seed_demo_stories() -> None:
    """The demo demands, then the 一类问题 and 每月一题 drawn from them (issue #26)."""
    from portal.seed.demo_classes import seed_demo_classes
    from portal.seed.demo_demands import seed_demo_demands

    seed_demo_demands()
    seed_demo_classes()


def seed_demo_world(*, with_demands: bool = True) -> dict[str, int]:
    """Load (or complete) the demo world. Returns counts of what exists afterwards."""
    from portal.core.calendar import local_date
    from portal.core.clock import now

    with session_scope() as session:
        units = seed_reference_data(session)
        users = {u.username for u in session.exec(select(User))}
        _add_staff(session, units, users)
        enterprises = {e.name: e for e in session.exec(select(Enterprise))}
        for username, name, code, industry, scale, town, contact, phone in ENTERPRISES:
            enterprise = enterprises.get(name)
            if enterprise is None:
                enterprise = Enterprise(
                    name=name,
                    credit_code=code,
                    industry=industry,
                    scale=scale,
                    town_unit_id=units[town].id,
                    contact_name=contact,
                    contact_phone=phone,
                    address=f"{town}示例路88号",
                )
                session.add(enterprise)
                session.flush()
            if username not in users:
                session.add(
                    User(
                        username=username,
                        role=Role.ENTERPRISE,
                        display_name=contact,
                        phone=phone,
                        password_hash=security.hash_password(DEMO_PASSWORD),
                        enterprise_id=enterprise.id,
                    )
                )
        _policies(session, local_date(now()))
        session.flush()
        counts = {
            "units": len(units),
            "users": len(session.exec(select(User.id)).all()),
            "policies": len(session.exec(select(Policy.id)).all()),
        }
    if with_demands:
        _seed_demo_stories()
    with session_scope() as session:
        counts["demands"] = len(session.exec(select(Demand.id)).all())
    return counts


def database_is_empty() -> bool:
    with session_scope() as session:
        return session.exec(select(User.id).limit(1)).first() is None
