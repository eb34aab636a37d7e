"""The Reflex app: pages, guards, API routes, theme."""

from __future__ import annotations

import reflex as rx

from portal.api.routes import build_api, limit_upload_size
from portal.pages import admin, demands, enterprise, public, staff, work
from portal.pages.components.layout import SITE_NAME
from portal.state.account_forms import RegisterState
from portal.state.admin import AdminState
from portal.state.auth import AuthState
from portal.state.demands import (
    CentreQueuesState, DemandDetailState, DispatchQueueState, MyDemandsState, NewDemandState, NotificationsState,
    OrdersState, ProfileState, StaffSearchState, WorkbenchState,
)

app = rx.App(
    html_lang="zh-CN",
    style={
        "font_family": "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif",
    },
    head_components=[rx.el.meta(name="description", content=SITE_NAME)],
    api_transformer=[build_api(), limit_upload_size],
)


def _add(component, route: str, title: str, *extra_on_load) -> None:
    app.add_page(component, route=route, title=f"{title} - {SITE_NAME}",
                 on_load=[AuthState.guard(route), *extra_on_load])


_add(public.index, "/", "首页")
_add(public.policies, "/policies", "惠企政策一站查")
_add(public.login, "/login", "登录")
_add(public.register, "/register", "企业注册", RegisterState.load)

_add(demands.my_demands, "/my/demands", "我的诉求", MyDemandsState.load)
_add(demands.new_demand, "/my/demands/new", "提交诉求", NewDemandState.load)
_add(demands.my_demand_detail, "/my/demands/[demand_id]", "诉求详情", DemandDetailState.load)
_add(work.my_notifications, "/my/notifications", "消息", NotificationsState.load)
_add(enterprise.profile, "/my/profile", "企业信息", ProfileState.load)

_add(staff.workbench, "/staff", "工作台", WorkbenchState.load)
_add(work.dispatch_queue, "/staff/dispatch", "受理派单", DispatchQueueState.load)
_add(work.unit_orders, "/staff/orders", "部门工单", OrdersState.load)
_add(work.staff_search, "/staff/demands", "诉求查询", StaffSearchState.load)
_add(demands.staff_demand_detail, "/staff/demands/[demand_id]", "诉求详情", DemandDetailState.load)
_add(work.extensions, "/staff/extensions", "延期审批", CentreQueuesState.load_extensions)
_add(work.revisits, "/staff/revisits", "回访", CentreQueuesState.load_revisits)
_add(work.verifications, "/staff/verifications", "办结核查", CentreQueuesState.load_verifications)
_add(work.staff_notifications, "/staff/notifications", "消息", NotificationsState.load)
for route, title in [("/staff/supervision", "督办"), ("/staff/reports", "统计通报"), ("/staff/policies", "政策管理"),
                     ("/staff/enterprises", "企业台账"), ("/staff/visits", "走访记录")]:
    _add(staff.placeholder(title), route, title)

_add(admin.admin_page, "/admin", "系统管理", AdminState.load)
