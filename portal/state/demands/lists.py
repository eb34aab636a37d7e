"""The demand lists: the enterprise's own, the dispatch queues, the unit's orders and staff search.
Each handler: resolve the actor, validate the argument, fetch one page, keep only that page."""

from __future__ import annotations

import reflex as rx

from portal.core.dates import DATE_HINT, parse_day
from portal.models.enums import DemandStatus, Role
from portal.models.records.common import Page, UnitOption
from portal.models.records.demands import DemandRow, OrderRow
from portal.models.records.policies import PolicyLink
from portal.services.accounts.actor import Actor
from portal.services.base.paging import page_number
from portal.services.demands import form_options
from portal.services.demands import lists as demand_lists
from portal.services.policies import library
from portal.state.base import PageState, checked, text_of

SEARCH_FIELDS = ("code", "enterprise", "keyword", "status", "channel", "unit_id", "date_from", "date_to")


class PagedListMixin(rx.State, mixin=True):
    """A list paged on the server: only the current page of rows ever sits in the state (small deltas,
    DESIGN §9). Each list declares ``rows`` with its own record type."""

    page: int = 1
    pages: int = 1
    total: int = 0
    total_label: str = "0"
    loaded: bool = False  # the page shows 加载中, not "no rows", until the first answer

    def _allowed_roles(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _fetch(self, actor: Actor, page: int) -> Page:
        raise NotImplementedError

    def _reload(self) -> None:
        actor = self._actor_with_role(*self._allowed_roles())
        if actor is None:
            self._show(rows=[], total=0, total_label="0", page=1, pages=1, loaded=True)
            return
        result = self._fetch(actor, self.page)
        self._show(
            rows=result["rows"],
            total=result["total"],
            total_label=result["total_label"],
            pages=result["pages"],
            page=result["page"],
            loaded=True,
        )

    def _show(self, **values) -> None:
        """Set only the vars whose value changed: the delta sent after the event carries just those (a page
        turn: the rows and the page number, not the count, the number of pages nor ``loaded`` again)."""
        for name, value in values.items():
            if self.get_value(name) != value:
                setattr(self, name, value)

    @rx.event
    def goto_page(self, page: int):
        """上一页 / 下一页."""
        self.page = page_number(page)
        self._reload()


class MyDemandsState(PagedListMixin, PageState):
    """/my/demands: the enterprise's demands, newest first, and 为您推荐 (policies matching its profile)."""

    rows: list[DemandRow] = []
    status_filter: str = ""
    recommendations: list[PolicyLink] = []

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.ENTERPRISE,)

    def _fetch(self, actor: Actor, page: int) -> Page:
        return demand_lists.my_demands(actor=actor, status=self.status_filter, page=page)

    @rx.event
    def load(self):
        """on_load: the first page and the recommendations."""
        self.page = 1
        self._reload()
        actor = self._actor_with_role(Role.ENTERPRISE)
        self.recommendations = library.recommended_for(enterprise_id=actor.enterprise_id) if actor else []

    @rx.event
    def set_status_filter(self, status: str):
        """The status buttons above the list ("" = 全部)."""
        self.status_filter = status if status in {s.value for s in DemandStatus} else ""
        self.page = 1
        self._reload()


class DispatchQueueState(PagedListMixin, PageState):
    """/staff/dispatch: 待受理 and 退回待派, oldest first."""

    rows: list[DemandRow] = []
    tab: str = DemandStatus.SUBMITTED

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.DISPATCHER,)

    def _fetch(self, actor: Actor, page: int) -> Page:
        return demand_lists.dispatch_queue(actor=actor, status=self.tab, page=page)

    @rx.event
    def load(self):
        """on_load: the current tab's first page."""
        self._reload()

    @rx.event
    def set_tab(self, tab: str):
        """Switch between 待受理 and 退回待派."""
        self.tab = tab if tab in (DemandStatus.SUBMITTED, DemandStatus.RETURNED) else DemandStatus.SUBMITTED
        self.page = 1
        self._reload()


class OrdersState(PagedListMixin, PageState):
    """/staff/orders: the unit's work orders by tab, with the count of each tab."""

    rows: list[OrderRow] = []
    tab: str = "待签收"
    counts: dict[str, int] = {}

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.HANDLER,)

    def _fetch(self, actor: Actor, page: int) -> Page:
        self.counts = demand_lists.order_tab_counts(actor=actor)
        return demand_lists.unit_orders(actor=actor, tab=self.tab, page=page)

    @rx.event
    def load(self):
        """on_load: the current tab's first page."""
        self._reload()

    @rx.event
    def set_tab(self, tab: str):
        """Switch tab: 待签收 / 办理中 / 已反馈 / 已退回."""
        self.tab = tab if tab in demand_lists.ORDER_TABS else "待签收"
        self.page = 1
        self._reload()


class StaffSearchState(PagedListMixin, PageState):
    """/staff/demands: search with filters; the filters stay server-side between pages."""

    rows: list[DemandRow] = []
    units: list[UnitOption] = []
    _filters: dict = {}

    def _allowed_roles(self) -> tuple[str, ...]:
        return (Role.DISPATCHER, Role.HANDLER, Role.LEADER)

    def _fetch(self, actor: Actor, page: int) -> Page:
        return demand_lists.search_demands(actor=actor, filters=self._filters, page=page)

    @rx.event
    def load(self):
        """on_load: the unit filter's options and the newest demands."""
        self.units = form_options.form_options()["units"]
        self._filters = {}
        self.page = 1
        self._reload()

    @rx.event
    def search(self, form: dict):
        """搜索 with the form's filters. A date that cannot be read stops the search with a message beside
        its field, rather than being silently ignored."""
        filters = {key: text_of(form, key)[:100] for key in SEARCH_FIELDS}
        self.errors = {
            key: f"日期无法识别({DATE_HINT})"
            for key in ("date_from", "date_to")
            if filters[key].strip() and parse_day(filters[key]) is None
        }
        if self.errors:
            return rx.toast.error("请检查提交日期")
        self._filters = filters
        self._filters["overdue_only"] = checked(form, "overdue_only")
        self.page = 1
        self._reload()
