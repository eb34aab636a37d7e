"""The Reflex app: pages (each behind ``AuthState.guard``), /api routes, theme."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from portal import routes as r
from portal.api.routes import build_api, limit_upload_size
from portal.core.settings import get_settings
from portal.pages import (
    admin,
    demand_detail,
    enterprise,
    enterprises,
    my_demands,
    policies,
    policy_admin,
    public,
    reports,
    staff,
    supervision,
    work,
)
from portal.pages.components.layout import SITE_NAME
from portal.state.account_forms import RegisterState
from portal.state.admin import AdminState
from portal.state.audit_log import AuditLogState
from portal.state.auth import AuthState
from portal.state.catalogue_admin import CatalogueAdminState
from portal.state.centre_queues import CentreQueuesState
from portal.state.demand_detail import DemandDetailState
from portal.state.demand_form import NewDemandState
from portal.state.demand_lists import DispatchQueueState, MyDemandsState, OrdersState, StaffSearchState
from portal.state.display import APPLY_ON_LOAD
from portal.state.enterprise_claims import EnterpriseClaimState
from portal.state.failures import on_backend_exception
from portal.state.home import HomeState
from portal.state.ledger_export import LedgerExportState
from portal.state.ledger_import import LedgerImportState
from portal.state.notifications import NotificationsState
from portal.state.policies import PolicyDetailState, PolicySearchState
from portal.state.policy_admin import PolicyAdminState
from portal.state.profile import ProfileState
from portal.state.reports import ReportsState
from portal.state.rules import RulesState
from portal.state.supervision import SupervisionState
from portal.state.units_admin import UnitsAdminState
from portal.state.user_admin import UserAdminState
from portal.state.workbench import WorkbenchState

if reason := get_settings().unsafe_demo_reason():
    raise SystemExit(reason)


@dataclass(frozen=True)
class PageEntry:
    route: str
    title: str
    component: Callable[[], rx.Component]
    on_load: tuple = ()


# Every page of the portal, once. The accessibility audit and the navigation read the same route constants.
PAGES: list[PageEntry] = [
    PageEntry(r.HOME, "首页", public.index, (HomeState.load,)),
    PageEntry(r.POLICIES, "惠企政策一站查", policies.policy_search_page, (PolicySearchState.load,)),
    PageEntry(r.POLICY_DETAIL, "政策详情", policies.policy_detail_page, (PolicyDetailState.load,)),
    PageEntry(r.LOGIN, "登录", public.login),
    PageEntry(r.REGISTER, "企业注册", public.register, (RegisterState.load,)),
    PageEntry(r.MY_DEMANDS, "我的诉求", my_demands.my_demands, (MyDemandsState.load,)),
    PageEntry(r.MY_DEMAND_NEW, "提交诉求", my_demands.new_demand, (NewDemandState.load,)),
    PageEntry(r.MY_DEMAND_DETAIL, "诉求详情", demand_detail.my_demand_detail, (DemandDetailState.load,)),
    PageEntry(r.MY_NOTIFICATIONS, "消息", work.my_notifications, (NotificationsState.load,)),
    PageEntry(r.MY_PROFILE, "企业信息", enterprise.profile, (ProfileState.load,)),
    PageEntry(r.STAFF, "工作台", staff.workbench, (WorkbenchState.load,)),
    PageEntry(r.STAFF_DISPATCH, "受理派单", work.dispatch_queue, (DispatchQueueState.load,)),
    PageEntry(r.STAFF_ORDERS, "部门工单", work.unit_orders, (OrdersState.load,)),
    PageEntry(r.STAFF_DEMANDS, "诉求查询", work.staff_search, (StaffSearchState.load,)),
    PageEntry(r.STAFF_DEMAND_DETAIL, "诉求详情", demand_detail.staff_demand_detail, (DemandDetailState.load,)),
    PageEntry(r.STAFF_EXTENSIONS, "延期审批", work.extensions, (CentreQueuesState.load_extensions,)),
    PageEntry(r.STAFF_REVISITS, "回访", work.revisits, (CentreQueuesState.load_revisits,)),
    PageEntry(r.STAFF_VERIFICATIONS, "办结核查", work.verifications, (CentreQueuesState.load_verifications,)),
    PageEntry(r.STAFF_NOTIFICATIONS, "消息", work.staff_notifications, (NotificationsState.load,)),
    PageEntry(r.STAFF_SUPERVISION, "督办", supervision.supervision_page, (SupervisionState.load,)),
    PageEntry(
        r.STAFF_REPORTS,
        "统计通报",
        reports.reports_page,
        (ReportsState.load, LedgerExportState.load, LedgerImportState.load),
    ),
    PageEntry(r.STAFF_POLICIES, "政策管理", policy_admin.policy_admin_page, (PolicyAdminState.load,)),
    PageEntry(r.STAFF_ENTERPRISES, "企业台账", enterprises.enterprises_page, (EnterpriseClaimState.load,)),
    PageEntry(r.STAFF_VISITS, "走访记录", staff.placeholder("走访记录")),
    PageEntry(
        r.ADMIN,
        "系统管理",
        admin.admin_page,
        (
            AdminState.load,
            UserAdminState.load,
            UnitsAdminState.load,
            CatalogueAdminState.load,
            RulesState.load,
            AuditLogState.load,
        ),
    ),
]

app = rx.App(
    html_lang="zh-CN",
    style={"font_family": "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"},
    head_components=[
        rx.el.meta(name="description", content=SITE_NAME),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        rx.script(APPLY_ON_LOAD),  # 长者模式 before the first paint (portal.state.display)
    ],
    stylesheets=["/a11y.css", "/print.css"],
    api_transformer=[build_api(), limit_upload_size],
    backend_exception_handler=on_backend_exception,
)

for entry in PAGES:
    app.add_page(
        entry.component,
        route=entry.route,
        title=f"{entry.title} - {SITE_NAME}",
        on_load=[AuthState.guard(entry.route), *entry.on_load],
    )
