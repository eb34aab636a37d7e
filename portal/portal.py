"""The Reflex app: pages, guards, API routes, theme."""

from __future__ import annotations

import reflex as rx

from portal.api.routes import build_api
from portal.pages import admin, enterprise, public, staff
from portal.pages.components.layout import SITE_NAME
from portal.state.account_forms import RegisterState
from portal.state.admin import AdminState
from portal.state.auth import AuthState

app = rx.App(
    html_lang="zh-CN",
    theme=rx.theme(accent_color="red", gray_color="slate", radius="medium"),
    style={
        "font_family": "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif",
    },
    head_components=[rx.el.meta(name="description", content=SITE_NAME)],
    api_transformer=build_api(),
)


def _add(component, route: str, title: str, *extra_on_load) -> None:
    app.add_page(component, route=route, title=f"{title} - {SITE_NAME}",
                 on_load=[AuthState.guard(route), *extra_on_load])


_add(public.index, "/", "首页")
_add(public.policies, "/policies", "惠企政策一站查")
_add(public.login, "/login", "登录")
_add(public.register, "/register", "企业注册", RegisterState.load)

for route, title in [("/my/demands", "我的诉求"), ("/my/demands/new", "提交诉求"),
                     ("/my/notifications", "消息"), ("/my/profile", "企业信息")]:
    _add(enterprise.placeholder(title), route, title)

_add(staff.workbench, "/staff", "工作台")
for route, title in [("/staff/dispatch", "受理派单"), ("/staff/orders", "部门工单"), ("/staff/demands", "诉求查询"),
                     ("/staff/extensions", "延期审批"), ("/staff/revisits", "回访"),
                     ("/staff/verifications", "办结核查"), ("/staff/supervision", "督办"),
                     ("/staff/reports", "统计通报"), ("/staff/policies", "政策管理"),
                     ("/staff/enterprises", "企业台账"), ("/staff/visits", "走访记录")]:
    _add(staff.placeholder(title), route, title)

_add(admin.admin_page, "/admin", "系统管理", AdminState.load)
