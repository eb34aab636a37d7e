"""Demo demands, at least one in every status, made through the same services people use, with the
clock moved back where a story needs time to have passed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.core.clock import fixed, now, use_clock
from portal.core.db import session_scope
from portal.models.tables import Demand, Topic, Unit, User, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.classes import follows
from portal.services.demands import dispatching, handling, intake, rating
from portal.services.supervision import timed_work


class _Stories:
    """The demo people, topics and units, and the small verbs the stories are told with."""

    def __init__(self) -> None:
        with session_scope() as session:
            self.people = {
                u.username: Actor(
                    user_id=u.id,
                    username=u.username,
                    role=u.role,
                    display_name=u.display_name,
                    unit_id=u.unit_id,
                    enterprise_id=u.enterprise_id,
                )
                for u in session.exec(select(User))
            }
            self.topics = {t.name: t.id for t in session.exec(select(Topic))}
            self.units = {u.name: u.id for u in session.exec(select(Unit))}
        p = self.people
        self.ent1, self.ent2, self.centre = p["qiye1"], p["qiye2"], p["zhongxin"]
        self.zj, self.zg, self.dj = p["zhujianju"], p["ziguiju"], p["dongjie"]
        self.base = now()

    def at(self, days_ago: float):
        return use_clock(fixed(self.base - timedelta(days=days_ago)))

    def submit(self, who: Actor, title: str, topic: str, kind: str = "求助") -> int:
        return intake.submit_demand(
            actor=who,
            form=intake.DemandForm(
                kind=kind,
                topic_id=self.topics[topic],
                title=title,
                content=f"{title}。企业已多次咨询办理,仍未解决,恳请相关部门协调处理。",
                contact_name="王经理" if who is self.ent1 else "李主任",
                contact_phone="13805380001" if who is self.ent1 else "0538-8221234",
            ),
        )

    def dispatch(self, demand_id: int, unit: str, level: str, co: tuple[str, ...] = ()) -> None:
        dispatching.dispatch(
            actor=self.centre,
            demand_id=demand_id,
            lead_unit_id=self.units[unit],
            co_unit_ids=[self.units[name] for name in co],
            level=level,
        )

    def order_of(self, demand_id: int, unit: str) -> int:
        with session_scope() as session:
            return session.exec(
                select(WorkOrder.id)
                .where(WorkOrder.demand_id == demand_id, WorkOrder.unit_id == self.units[unit])
                .order_by(WorkOrder.id.desc())
            ).first()

    def reply(self, who: Actor, demand_id: int, unit: str, text: str, method: str, solved: bool) -> None:
        handling.submit_feedback(
            actor=who, order_id=self.order_of(demand_id, unit), reply=text, method=method, solved=solved
        )

    def handled(self, row: tuple, days_ago: float, turn: int) -> None:
        """One finished demand of the history: submitted, dispatched within the hour, signed the same
        day, answered ``reply_days`` later (late when that passes the limit) and rated a day after."""
        title, topic, unit, level, reply_days, satisfaction = row
        who, handler = (self.ent1, self.ent2)[turn % 2], {"市住房和城乡建设局": self.zj, "东街街道": self.dj}
        with self.at(days_ago):
            d = self.submit(who, title, topic)
        with self.at(days_ago - 0.05):
            self.dispatch(d, unit, level)
        staff = handler.get(unit, self.zg)
        with self.at(days_ago - 0.3):
            handling.sign(actor=staff, order_id=self.order_of(d, unit))
        with self.at(days_ago - reply_days):
            self.reply(staff, d, unit, f"关于“{title}”,已办理完毕并电话告知企业。", "现场协调", True)
        with self.at(days_ago - reply_days - 1):
            rating.rate(actor=who, demand_id=d, satisfaction=satisfaction, contacted=True)

    def answered(self, title: str, topic: str, days_ago: float, turn: int) -> None:
        """One consultation of the history, answered at once from the policy library and rated next day."""
        who = (self.ent1, self.ent2)[turn % 2]
        with self.at(days_ago):
            d = self.submit(who, title, topic, kind="咨询")
        with self.at(days_ago - 0.1):
            dispatching.instant_answer(actor=self.centre, demand_id=d, answer=f"关于“{title}”,可按现行政策办理。")
        with self.at(days_ago - 1):
            rating.rate(actor=who, demand_id=d, satisfaction="非常满意", contacted=True)

    def history(self) -> None:
        """Five months of finished demands, one every three to four days, so the figures a visitor sees
        first are those of a running service: a few days to close, mostly satisfied, a few late."""
        for i in range(HISTORY_SIZE):
            days_ago = 4 + i * 3.5
            if i % 6 == 5:
                self.answered(*CONSULTATIONS[i % len(CONSULTATIONS)], days_ago, i)
                continue
            title, topic, unit, level = HISTORY[i % len(HISTORY)]
            reply_days = 11.5 if i % 9 == 4 else (1.5, 2.5, 3.5, 4.5)[i % 4]  # 一般 is 5 working days
            satisfaction = ("非常满意", "非常满意", "满意", "非常满意", "基本满意", "满意")[i % 6]
            self.handled((title, topic, unit, level, min(reply_days, days_ago - 1.5), satisfaction), days_ago, i)

    # ── the stories ──

    def waiting_and_running(self) -> None:
        """待受理, 退回待派, 待签收, 办理中 (with a co-opinion), 办理中 and overdue."""
        with self.at(0.1):
            self.submit(self.ent1, "申请高新技术企业认定辅导", "科技创新", kind="咨询")
            self.submit(self.ent2, "建筑工地临时用电报装进度慢", "水电气网")
        with self.at(2):
            d = self.submit(self.ent2, "园区道路破损影响车辆通行", "其他")
            self.dispatch(d, "东街街道", "一般")
            handling.return_order(
                actor=self.dj, order_id=self.order_of(d, "东街街道"), kind="非本单位职责", reason="该路段属高新区管辖"
            )
        with self.at(0.2):
            d = self.submit(self.ent1, "新建车间施工许可办理", "项目建设")
            # 关注 (issue #26): qiye2 was writing about the same delay, followed this one instead, and hears of
            # its 派单 (我关注的诉求 on its /my/demands, a 关注进展 notice).
            follows.follow_demand(actor=self.ent2, demand_id=d)
            self.dispatch(d, "市住房和城乡建设局", "一般", co=("市自然资源和规划局",))
        with self.at(3):
            d = self.submit(self.ent2, "项目用地规划条件调整", "用地规划")
            self.dispatch(d, "市自然资源和规划局", "复杂", co=("市住房和城乡建设局",))
            handling.sign(actor=self.zg, order_id=self.order_of(d, "市自然资源和规划局"))
            handling.sign(actor=self.zj, order_id=self.order_of(d, "市住房和城乡建设局"))
            handling.submit_co_opinion(
                actor=self.zj, order_id=self.order_of(d, "市住房和城乡建设局"), opinion="建设工程规划许可可同步办理。"
            )
        # 一般, dispatched 20 days ago and never fed back: overdue even across 春节.
        with self.at(20):
            d = self.submit(self.ent1, "厂房不动产权证办理", "用地规划")
            self.dispatch(d, "市自然资源和规划局", "一般")
            handling.sign(actor=self.zg, order_id=self.order_of(d, "市自然资源和规划局"))

    def awaiting_rating(self) -> None:
        """待评价 (a recent reply), and one past the rating window that becomes a 回访 task."""
        with self.at(0.5):
            d = self.submit(self.ent1, "社区周边停车位不足", "其他")
            self.dispatch(d, "东街街道", "即时")
            handling.sign(actor=self.dj, order_id=self.order_of(d, "东街街道"))
            self.reply(self.dj, d, "东街街道", "已协调在厂区东侧划定临时停车位30个。", "现场协调", True)
        with self.at(20):
            d = self.submit(self.ent2, "小微企业贷款贴息政策咨询", "融资信贷", kind="咨询")
            dispatching.instant_answer(
                actor=self.centre, demand_id=d, answer="可按《普惠小微企业贷款贴息实施方案》向市地方金融管理局申请。"
            )
        with self.at(0):
            timed_work.open_due_revisits()

    def redo_and_verification(self) -> None:
        """重办中 after one 不满意; 核查中 after two (the review form not yet uploaded)."""
        with self.at(8):
            d = self.submit(self.ent1, "施工图审查意见反复修改", "项目建设")
            self.dispatch(d, "市住房和城乡建设局", "一般")
            handling.sign(actor=self.zj, order_id=self.order_of(d, "市住房和城乡建设局"))
        with self.at(4):
            self.reply(self.zj, d, "市住房和城乡建设局", "已组织图审机构一次性告知修改意见。", "一次性告知", True)
        with self.at(3):
            rating.rate(actor=self.ent1, demand_id=d, satisfaction="不满意", contacted=True, comment="修改意见仍不明确")
        with self.at(16):
            d = self.submit(self.ent2, "历史遗留土地证办理", "用地规划")
            self.dispatch(d, "市自然资源和规划局", "疑难")
            handling.sign(actor=self.zg, order_id=self.order_of(d, "市自然资源和规划局"))
        with self.at(9):
            self.reply(self.zg, d, "市自然资源和规划局", "已梳理历史资料,需企业补充原始用地批文。", "书面答复", False)
        with self.at(7):
            rating.rate(actor=self.ent2, demand_id=d, satisfaction="不满意", contacted=True, comment="原始批文已遗失")
            self.reply(
                self.zg, d, "市自然资源和规划局", "经档案馆查询未找到原始批文,按政策无法补办。", "档案查询", False
            )
            rating.rate(actor=self.ent2, demand_id=d, satisfaction="不满意", contacted=False, comment="希望特事特办")

    def ended(self) -> None:
        """已办结 (an instant answer; a handled demand), 不予受理, 已撤回."""
        with self.at(6):
            d = self.submit(self.ent1, "企业开办全程网办咨询", "企业开办", kind="咨询")
            dispatching.instant_answer(
                actor=self.centre, demand_id=d, answer="可登录企业开办一网通办平台,一日内办结营业执照。"
            )
        with self.at(5.5):
            rating.rate(actor=self.ent1, demand_id=d, satisfaction="非常满意", contacted=True)
        with self.at(10):
            d = self.submit(self.ent2, "招聘技术工人补贴申请", "人才用工")
            self.dispatch(d, "东街街道", "一般")
            handling.sign(actor=self.dj, order_id=self.order_of(d, "东街街道"))
        with self.at(7):
            self.reply(self.dj, d, "东街街道", "已指导企业完成扩岗补助申报,补贴已拨付。", "上门指导", True)
        with self.at(6):
            rating.rate(actor=self.ent2, demand_id=d, satisfaction="满意", contacted=True, comment="效率很高")
        with self.at(5):
            d = self.submit(self.ent1, "请求撤销民事判决", "法律服务")
            dispatching.reject(
                actor=self.centre, demand_id=d, reason="属于司法审判事项,请通过上诉或申请再审等法定途径解决"
            )
            d = self.submit(self.ent2, "重复提交的用电诉求", "水电气网")
            intake.withdraw(actor=self.ent2, demand_id=d)


# title, topic, lead unit, level — finished demands of the history (none mentions 停车: tests search it)
HISTORY: list[tuple[str, str, str, str]] = [
    ("厂区雨污分流改造审批", "项目建设", "市住房和城乡建设局", "一般"),
    ("新增仓储用地规划咨询办理", "用地规划", "市自然资源和规划局", "一般"),
    ("员工子女入学协调", "人才用工", "东街街道", "一般"),
    ("厂房消防验收预约", "项目建设", "市住房和城乡建设局", "一般"),
    ("企业门前道路照明维修", "其他", "东街街道", "一般"),
    ("不动产登记资料补正", "用地规划", "市自然资源和规划局", "一般"),
    ("施工噪声夜间作业许可", "项目建设", "市住房和城乡建设局", "一般"),
    ("园区公交站点增设", "其他", "东街街道", "一般"),
    ("土地出让金分期缴纳", "用地规划", "市自然资源和规划局", "复杂"),
]
CONSULTATIONS: list[tuple[str, str]] = [
    ("研发费用加计扣除政策咨询", "科技创新"),
    ("稳岗返还申领条件咨询", "人才用工"),
    ("创业担保贷款申请咨询", "融资信贷"),
]
HISTORY_SIZE = 42


def seed_demo_demands() -> int:
    """Tell every story once, only when there are no demands yet. Returns how many demands it made."""
    with session_scope() as session:
        if session.exec(select(Demand.id).limit(1)).first() is not None:
            return 0
    stories = _Stories()
    stories.history()
    stories.waiting_and_running()
    stories.awaiting_rating()
    stories.redo_and_verification()
    stories.ended()
    with session_scope() as session:
        return len(session.exec(select(Demand.id)).all())
