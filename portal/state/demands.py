"""States of the demand pages. Each handler: resolve the actor, validate arguments' types, call one
service, refresh only what changed."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.services import demand_queries as q
from portal.services.accounts import enterprise_profile
from portal.services import demands as svc
from portal.services.errors import ServiceError, ValidationFailed
from portal.state.base import PageState, text_of


class PagedListMixin(rx.State, mixin=True):
    """A list paged on the server: only the current page of rows ever sits in the state (small deltas,
    DESIGN §9). A mixin, so that every list gets vars of its own."""

    rows: list[dict] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    total_label: str = "0"

    def _allowed_roles(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _fetch(self, actor, page: int) -> q.Page:
        raise NotImplementedError

    def _reload(self) -> None:
        actor = self._actor_with_role(*self._allowed_roles())
        if actor is None:
            return
        result = self._fetch(actor, self.page)
        self.rows, self.total, self.total_label = result["rows"], result["total"], result["total_label"]
        self.pages, self.page = result["pages"], result["page"]

    @rx.event
    def goto_page(self, page: int):
        self.page = page if isinstance(page, int) and 0 < page < 100000 else 1
        self._reload()


class MyDemandsState(PagedListMixin, PageState):
    """/my/demands: the enterprise's demands, newest first."""

    status_filter: str = ""

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.ENTERPRISE,)

    def _fetch(self, actor, page: int) -> q.Page:
        return q.my_demands(actor=actor, status=self.status_filter, page=page)

    @rx.event
    def load(self):
        self.page = 1
        self._reload()

    @rx.event
    def set_status_filter(self, status: str):
        self.status_filter = status if isinstance(status, str) else ""
        self.page = 1
        self._reload()


class NewDemandState(PageState):
    """/my/demands/new: the submission form, with files checked and parked as soon as they are chosen."""

    topics: list[dict] = []
    units: list[dict] = []
    contact_name: str = ""
    contact_phone: str = ""

    @rx.event
    def load(self):
        actor = self._actor_with_role(Role.ENTERPRISE)
        if actor is None:
            return
        options = q.form_options()
        self.topics, self.units = options["topics"], options["units"]
        self.errors = {}
        self._clear_staged()
        profile = enterprise_profile(actor=actor)
        self.contact_name, self.contact_phone = profile["联系人"], profile["联系电话"]

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        if self._actor_with_role(Role.ENTERPRISE) is None:
            return rx.toast.error("无权执行此操作")
        await self._stage_uploads(files)
        return None

    @rx.event
    def submit(self, form: dict):
        actor = self._actor_with_role(Role.ENTERPRISE)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        try:
            demand_id = svc.submit_demand(actor=actor, form=svc.DemandForm(
                kind=text_of(form, "kind"), topic_id=text_of(form, "topic_id"), title=text_of(form, "title"),
                content=text_of(form, "content"), contact_name=text_of(form, "contact_name"),
                contact_phone=text_of(form, "contact_phone"), suggested_unit_id=text_of(form, "suggested_unit_id"),
                files=self._take_staged()))
        except ServiceError as exc:
            return self._fail(exc)
        self._clear_staged()
        self.errors = {}
        return [rx.toast.success("诉求已提交"), rx.redirect(f"/my/demands/{demand_id}")]


class DemandDetailState(PageState):
    """/my/demands/[id] and /staff/demands/[id]: one demand and the actions its viewer may take."""

    demand: dict = {}
    timeline: list[dict] = []
    orders: list[dict] = []
    attachments: list[dict] = []
    ratings: list[dict] = []
    extensions: list[dict] = []
    verification: dict = {}
    actions: list[str] = []
    not_found: bool = False
    units: list[dict] = []
    suggestion: dict = {}
    _demand_id: int = 0
    _my_order_id: int = 0
    _pending_extension_id: int = 0
    _revisit_task_id: int = 0

    def _id_from_url(self) -> int:
        path = str(self.router.url.path or "").rstrip("/")
        last = path.rsplit("/", 1)[-1]
        return int(last) if last.isdigit() else 0

    def _refresh(self, actor) -> None:
        try:
            detail = q.demand_detail(actor=actor, demand_id=self._demand_id)
        except ServiceError:
            self.not_found = True
            self.demand, self.timeline, self.orders, self.attachments, self.actions = {}, [], [], [], []
            return
        self.not_found = False
        self.demand, self.timeline, self.orders = detail["demand"], detail["timeline"], detail["orders"]
        self.attachments, self.ratings, self.extensions = detail["attachments"], detail["ratings"], detail["extensions"]
        self.verification, self.actions = detail["verification"], detail["actions"]
        self._my_order_id, self._pending_extension_id = detail["my_order_id"], detail["pending_extension_id"]
        self._revisit_task_id = detail["revisit_task_id"]

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        self._demand_id = self._id_from_url()
        self.errors = {}
        self._clear_staged()
        self._refresh(actor)
        if "派单" in self.actions:
            options = q.form_options()
            topic = next((t for t in options["topics"] if t["id"] == self.demand.get("topic_id")), None)
            # The catalogue's suggestion is preselected; the dispatcher may change all of it.
            self.suggestion = {"lead": topic["lead"], "co": topic["co"], "level": topic["level"]} if topic else \
                {"lead": "", "co": "", "level": "一般"}
            suggested_co = set(self.suggestion["co"].split(","))
            self.units = [dict(u, suggested_co=u["id"] in suggested_co) for u in options["units"]]

    def _act(self, call, success: str):
        """Run one service call as the current actor; refresh the page on success."""
        actor = self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            call(actor)
        except ServiceError as exc:
            return self._fail(exc)
        self.errors = {}
        self._clear_staged()
        self._refresh(actor)
        return rx.toast.success(success)

    # enterprise
    @rx.event
    def withdraw(self):
        return self._act(lambda a: svc.withdraw(actor=a, demand_id=self._demand_id), "诉求已撤回")

    @rx.event
    def rate(self, form: dict):
        contacted = {"是": True, "否": False}.get(text_of(form, "contacted"))
        return self._act(lambda a: svc.rate(actor=a, demand_id=self._demand_id,
                                            satisfaction=text_of(form, "satisfaction"),
                                            contacted=contacted, comment=text_of(form, "comment")), "评价已提交")

    # dispatcher
    @rx.event
    def dispatch(self, form: dict):
        # One checkbox per unit, named co_<unit id>; checked ones arrive as "on".
        co_ids = [key[3:] for key, value in form.items() if isinstance(key, str) and key.startswith("co_")
                  and value in ("on", True, "true")] if isinstance(form, dict) else []
        return self._act(lambda a: svc.dispatch(actor=a, demand_id=self._demand_id,
                                                lead_unit_id=text_of(form, "lead_unit_id"), co_unit_ids=co_ids,
                                                level=text_of(form, "level")), "已派单")

    @rx.event
    def answer(self, form: dict):
        return self._act(lambda a: svc.instant_answer(actor=a, demand_id=self._demand_id,
                                                      answer=text_of(form, "answer")), "已即时答复")

    @rx.event
    def reject(self, form: dict):
        return self._act(lambda a: svc.reject(actor=a, demand_id=self._demand_id, reason=text_of(form, "reason")),
                         "已不予受理")

    @rx.event
    def decide_extension(self, form: dict):
        approve = text_of(form, "decision") == "approve"
        return self._act(lambda a: svc.decide_extension(actor=a, request_id=self._pending_extension_id,
                                                        approve=approve, note=text_of(form, "decision_note")),
                         "已同意延期" if approve else "已驳回延期")

    @rx.event
    def revisit(self, form: dict):
        contacted = {"是": True, "否": False}.get(text_of(form, "contacted"))
        return self._act(lambda a: svc.record_revisit(actor=a, task_id=self._revisit_task_id,
                                                      satisfaction=text_of(form, "satisfaction"), contacted=contacted,
                                                      comment=text_of(form, "comment")), "回访已登记")

    @rx.event
    def unreachable(self):
        return self._act(lambda a: svc.record_unreachable(actor=a, task_id=self._revisit_task_id, note="电话未接通"),
                         "已记录未接通")

    @rx.event
    def verify(self, form: dict):
        close = text_of(form, "decision") != "redo"
        return self._act(lambda a: svc.decide_verification(actor=a, demand_id=self._demand_id, close=close,
                                                           opinion=text_of(form, "opinion")),
                         "已核查办结" if close else "已要求重办")

    # handler
    @rx.event
    def sign(self):
        return self._act(lambda a: svc.sign(actor=a, order_id=self._my_order_id), "已签收")

    @rx.event
    def return_order(self, form: dict):
        return self._act(lambda a: svc.return_order(actor=a, order_id=self._my_order_id,
                                                    kind=text_of(form, "return_kind"),
                                                    reason=text_of(form, "return_reason")), "已退回")

    @rx.event
    def request_extension(self, form: dict):
        return self._act(lambda a: svc.request_extension(actor=a, order_id=self._my_order_id,
                                                         reason=text_of(form, "extension_reason"),
                                                         new_due_date=text_of(form, "extension_due")), "延期申请已提交")

    @rx.event
    def co_opinion(self, form: dict):
        return self._act(lambda a: svc.submit_co_opinion(actor=a, order_id=self._my_order_id,
                                                         opinion=text_of(form, "co_opinion")), "协办意见已提交")

    @rx.event
    def feedback(self, form: dict):
        solved = {"是": True, "否": False}.get(text_of(form, "solved"))
        return self._act(lambda a: svc.submit_feedback(actor=a, order_id=self._my_order_id,
                                                       reply=text_of(form, "reply"), method=text_of(form, "method"),
                                                       solved=solved, attachments_in=self._take_staged()),
                         "办理结果已提交")

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        if self._actor_with_role(Role.HANDLER) is None:
            return rx.toast.error("无权执行此操作")
        await self._stage_uploads(files)
        return None

    @rx.event
    def review_form(self, form: dict):
        def call(actor):
            staged = self._take_staged()
            if len(staged) != 1:
                raise ValidationFailed({"files": "请上传一份审核反馈表"})
            svc.upload_review_form(actor=actor, demand_id=self._demand_id, upload=staged[0],
                                   note=text_of(form, "unit_note"))
        return self._act(call, "审核反馈表已上传")


class DispatchQueueState(PagedListMixin, PageState):
    """/staff/dispatch: 待受理 and 退回待派, oldest first."""

    tab: str = "待受理"

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.DISPATCHER,)

    def _fetch(self, actor, page: int) -> q.Page:
        return q.dispatch_queue(actor=actor, status=self.tab, page=page)

    @rx.event
    def load(self):
        self._reload()

    @rx.event
    def set_tab(self, tab: str):
        self.tab = tab if tab in ("待受理", "退回待派") else "待受理"
        self.page = 1
        self._reload()


class OrdersState(PagedListMixin, PageState):
    """/staff/orders: the unit's work orders by tab, with the count of each tab."""

    tab: str = "待签收"
    counts: dict[str, int] = {}

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.HANDLER,)

    def _fetch(self, actor, page: int) -> q.Page:
        self.counts = q.order_tab_counts(actor=actor)
        return q.unit_orders(actor=actor, tab=self.tab, page=page)

    @rx.event
    def load(self):
        self._reload()

    @rx.event
    def set_tab(self, tab: str):
        self.tab = tab if tab in q.ORDER_TABS else "待签收"
        self.page = 1
        self._reload()


class CentreQueuesState(PageState):
    """/staff/extensions, /staff/revisits, /staff/verifications."""

    extensions: list[dict] = []
    revisits: list[dict] = []
    verifications: list[dict] = []

    @rx.event
    def load_extensions(self):
        if actor := self._actor_with_role(Role.DISPATCHER):
            self.extensions = [dict(r) for r in q.pending_extensions(actor=actor)]

    @rx.event
    def load_revisits(self):
        if actor := self._actor_with_role(Role.DISPATCHER):
            self.revisits = [dict(r) for r in q.open_revisits(actor=actor)]

    @rx.event
    def load_verifications(self):
        if actor := self._actor_with_role(Role.DISPATCHER):
            self.verifications = [dict(r) for r in q.open_verifications(actor=actor)]


class NotificationsState(PageState):
    items: list[dict] = []

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        self.items = q.notifications(actor=actor)

    @rx.event
    def mark_all_read(self):
        actor = self._actor()
        if actor is None:
            return
        q.mark_all_read(actor=actor)
        self.items = q.notifications(actor=actor)
        self.unread = 0


class StaffSearchState(PagedListMixin, PageState):
    """/staff/demands: search with filters; the filters stay server-side between pages."""

    units: list[dict] = []
    _filters: dict = {}

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.DISPATCHER, Role.HANDLER, Role.LEADER)

    def _fetch(self, actor, page: int) -> q.Page:
        return q.search_demands(actor=actor, filters=self._filters, page=page)

    @rx.event
    def load(self):
        self.units = q.form_options()["units"]
        self._filters = {}
        self.page = 1
        self._reload()

    @rx.event
    def search(self, form: dict):
        keys = ("code", "enterprise", "keyword", "status", "unit_id", "date_from", "date_to")
        self._filters = {k: text_of(form, k)[:100] for k in keys}
        self._filters["overdue_only"] = form.get("overdue_only") in ("on", True, "true") if isinstance(form, dict) \
            else False
        self.page = 1
        self._reload()


class WorkbenchState(PageState):
    counters: list[dict] = []

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None or actor.role == Role.ENTERPRISE:
            return
        self.counters = [dict(c) for c in q.workbench_counters(actor=actor)]


class ProfileState(PageState):
    profile: list[dict[str, str]] = []

    @rx.event
    def load(self):
        actor = self._actor_with_role(Role.ENTERPRISE)
        if actor is None:
            return
        self.profile = [{"label": k, "value": v} for k, v in enterprise_profile(actor=actor).items()]
