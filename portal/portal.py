"""The Reflex app: pages (each behind ``AuthState.guard``), /api routes, theme."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from portal import routes as r
from portal.api.observe import observe_requests
from portal.api.routes import build_api, limit_upload_size
from portal.core.logs import configure_logging
from portal.core.settings import get_settings
from portal.pages import public
from portal.pages.accounts import enterprises, password, profile
from portal.pages.admin import index
from portal.pages.classes import monthly as monthly_pages
from portal.pages.classes import problem_classes as class_pages
from portal.pages.components.layout import SITE_NAME
from portal.pages.delivery import outbox as outbox_pages
from portal.pages.delivery import preferences as preference_pages
from portal.pages.demands import detail, enterprise_home, my_demands, rectifications, work_lists, workbench
from portal.pages.enterprises import intake, ledger, track
from portal.pages.enterprises import meetings as meeting_pages
from portal.pages.enterprises import plans as plan_pages
from portal.pages.enterprises import visits as visit_pages
from portal.pages.open311 import keys as api_key_pages
from portal.pages.policies import editing, library
from portal.pages.supervision import board, reports
from portal.state.accounts.claims import EnterpriseClaimState
from portal.state.accounts.forms import RegisterState
from portal.state.accounts.password import PasswordState
from portal.state.accounts.profile import ProfileState
from portal.state.admin.account_actions import AccountActionsState
from portal.state.admin.audit_log import AuditLogState
from portal.state.admin.catalogue import CatalogueAdminState
from portal.state.admin.staff_accounts import StaffAccountsState
from portal.state.admin.units import UnitsAdminState
from portal.state.auth import AuthState
from portal.state.calendar.admin import CalendarAdminState
from portal.state.classes.follows import FollowedDemandsState
from portal.state.classes.monthly import MonthlyAdminState, MonthlyPublicState
from portal.state.classes.problem_classes import ClassCountsState, ClassDetailState, ClassesState
from portal.state.delivery.outbox import OutboxAdminState
from portal.state.delivery.preferences import DeliveryPreferencesState
from portal.state.demands.centre_queues import CentreQueuesState
from portal.state.demands.detail import DemandDetailState
from portal.state.demands.enterprise_home import EnterpriseHomeState
from portal.state.demands.form import NewDemandState
from portal.state.demands.lists import DispatchQueueState, MyDemandsState, OrdersState, StaffSearchState
from portal.state.demands.rectifications import RectificationsState
from portal.state.demands.workbench import WorkbenchState
from portal.state.display import APPLY_ON_LOAD
from portal.state.enterprises.intake import IntakeState
from portal.state.enterprises.ledger import EnterpriseFileState, EnterpriseListState
from portal.state.enterprises.meetings import MeetingsState
from portal.state.enterprises.plans import PlansState
from portal.state.enterprises.track import TrackState
from portal.state.enterprises.visits import VisitsState
from portal.state.failures import EventTiming, on_backend_exception
from portal.state.home import HomeState
from portal.state.ledgers.export import LedgerExportState
from portal.state.ledgers.imports import LedgerImportState
from portal.state.notifications import NotificationsState
from portal.state.open311.keys import ApiKeysState
from portal.state.policies.editing import PolicyAdminState
from portal.state.policies.library import PolicyDetailState, PolicySearchState
from portal.state.supervision.board import SupervisionState
from portal.state.supervision.reports import ReportsState
from portal.state.supervision.rules import RulesState

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
    PageEntry(r.POLICIES, "惠企政策一站查", library.policy_search_page, (PolicySearchState.load,)),
    PageEntry(r.POLICY_DETAIL, "政策详情", library.policy_detail_page, (PolicyDetailState.load,)),
    PageEntry(r.LOGIN, "登录", public.login),
    PageEntry(r.REGISTER, "企业注册", public.register, (RegisterState.load,)),
    PageEntry(r.MY, "企业首页", enterprise_home.enterprise_home, (EnterpriseHomeState.load,)),
    PageEntry(r.TRACK, "进度查询", track.track_page, (TrackState.load,)),
    PageEntry(r.MY_DEMANDS, "我的诉求", my_demands.my_demands, (MyDemandsState.load, FollowedDemandsState.load)),
    PageEntry(r.MY_DEMAND_NEW, "提交诉求", my_demands.new_demand, (NewDemandState.load,)),
    PageEntry(r.MY_DEMAND_DETAIL, "诉求详情", detail.my_demand_detail, (DemandDetailState.load,)),
    PageEntry(r.MY_NOTIFICATIONS, "消息", work_lists.my_notifications, (NotificationsState.load,)),
    PageEntry(r.MY_PROFILE, "企业信息", profile.profile, (ProfileState.load, DeliveryPreferencesState.load)),
    PageEntry(r.MY_PASSWORD, "修改密码", password.my_password, (PasswordState.load,)),
    PageEntry(r.STAFF, "工作台", workbench.workbench, (WorkbenchState.load,)),
    PageEntry(r.STAFF_DISPATCH, "受理派单", work_lists.dispatch_queue, (DispatchQueueState.load,)),
    PageEntry(r.STAFF_ORDERS, "部门工单", work_lists.unit_orders, (OrdersState.load,)),
    PageEntry(r.STAFF_DEMANDS, "诉求查询", work_lists.staff_search, (StaffSearchState.load,)),
    PageEntry(r.STAFF_DEMAND_DETAIL, "诉求详情", detail.staff_demand_detail, (DemandDetailState.load,)),
    PageEntry(r.STAFF_EXTENSIONS, "延期审批", work_lists.extensions, (CentreQueuesState.load_extensions,)),
    PageEntry(r.STAFF_REVISITS, "回访", work_lists.revisits, (CentreQueuesState.load_revisits,)),
    PageEntry(r.STAFF_VERIFICATIONS, "办结核查", work_lists.verifications, (CentreQueuesState.load_verifications,)),
    PageEntry(r.STAFF_RECTIFICATIONS, "差评整改", rectifications.rectifications_page, (RectificationsState.load,)),
    PageEntry(r.STAFF_NOTIFICATIONS, "消息", work_lists.staff_notifications, (NotificationsState.load,)),
    PageEntry(r.STAFF_SUPERVISION, "督办", board.supervision_page, (SupervisionState.load,)),
    PageEntry(
        r.STAFF_REPORTS,
        "统计通报",
        reports.reports_page,
        (ReportsState.load, LedgerExportState.load, LedgerImportState.load, ClassCountsState.load),
    ),
    PageEntry(r.STAFF_POLICIES, "政策管理", editing.policy_admin_page, (PolicyAdminState.load,)),
    PageEntry(r.STAFF_ENTERPRISES, "企业台账", ledger.enterprises_page, (EnterpriseListState.load,)),
    PageEntry(r.STAFF_ENTERPRISE_DETAIL, "企业档案", ledger.enterprise_file_page, (EnterpriseFileState.load,)),
    PageEntry(r.STAFF_ENTERPRISE_CLAIMS, "账号认领", enterprises.claims_page, (EnterpriseClaimState.load,)),
    PageEntry(r.STAFF_INTAKE, "代企业登记诉求", intake.intake_page, (IntakeState.load,)),
    PageEntry(r.STAFF_VISITS, "走访记录", visit_pages.visits_page, (VisitsState.load,)),
    PageEntry(r.STAFF_CLASSES, "一类问题", class_pages.classes_page, (ClassesState.load,)),
    PageEntry(r.STAFF_CLASS_DETAIL, "一类问题详情", class_pages.class_detail_page, (ClassDetailState.load,)),
    PageEntry(r.STAFF_MONTHLY, "每月一题", monthly_pages.monthly_admin_page, (MonthlyAdminState.load,)),
    PageEntry(r.MONTHLY, "每月一题", monthly_pages.monthly_page, (MonthlyPublicState.load,)),
    PageEntry(r.STAFF_MEETINGS, "座谈会", meeting_pages.meetings_page, (MeetingsState.load,)),
    PageEntry(r.STAFF_PLANS, "需求计划台账", plan_pages.plans_page, (PlansState.load,)),
    PageEntry(r.STAFF_PASSWORD, "修改密码", password.staff_password, (PasswordState.load,)),
    PageEntry(r.STAFF_PROFILE, "通知设置", preference_pages.staff_profile, (DeliveryPreferencesState.load,)),
    PageEntry(r.ADMIN_OUTBOX, "消息发送", outbox_pages.outbox_page, (OutboxAdminState.load,)),
    PageEntry(r.NOT_FOUND, "页面不存在", public.not_found),  # Reflex shows it for every unknown address
    PageEntry(
        r.ADMIN,
        "系统管理",
        index.admin_page,
        (
            StaffAccountsState.load,
            AccountActionsState.load,
            CalendarAdminState.load,
            UnitsAdminState.load,
            CatalogueAdminState.load,
            RulesState.load,
            AuditLogState.load,
        ),
    ),
    PageEntry(r.ADMIN_API_KEYS, "接口密钥", api_key_pages.api_keys_page, (ApiKeysState.load,)),
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
    api_transformer=[build_api(), limit_upload_size, observe_requests],
    backend_exception_handler=on_backend_exception,
    # Sonner names its region “{containerAriaLabel} {hotkey}”, by default “Notifications alt+T”: in Chinese,
    # without the English shortcut (the toasts are announced as they come; nothing needs the jump).
    toaster=rx.toast.provider(
        custom_attrs={"containerAriaLabel": "通知", "aria-label": "通知", "hotkey": rx.Var.create([])}
    ),
)
# JSON log lines (PORTAL_LOG_FORMAT=text for the old form) and every event timed (issue #24).
configure_logging()
app.add_middleware(EventTiming())

for entry in PAGES:
    app.add_page(
        entry.component,
        route=entry.route,
        title=f"{entry.title} - {SITE_NAME}",
        on_load=[AuthState.guard(entry.route), *entry.on_load],
    )
