"""Which areas of the portal each role may open (UI.md § Routes). The staff sidebar is drawn from this
and every page guard checks it, so the menu and the server agree by construction."""

from __future__ import annotations

from typing import TypedDict

from portal.models.enums import Role

D, H, L, A, E = Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.ADMIN, Role.ENTERPRISE
STAFF = (D, H, L, A)


class NavItem(TypedDict):
    route: str
    label: str
    icon: str


# route, label, icon, roles
_STAFF_NAV: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("/staff", "工作台", "layout-dashboard", STAFF),
    ("/staff/dispatch", "受理派单", "inbox", (D,)),
    ("/staff/orders", "部门工单", "clipboard-list", (H,)),
    ("/staff/demands", "诉求查询", "search", (D, H, L)),
    ("/staff/extensions", "延期审批", "calendar-clock", (D,)),
    ("/staff/revisits", "回访", "phone-call", (D,)),
    ("/staff/verifications", "办结核查", "shield-check", (D,)),
    ("/staff/supervision", "督办", "siren", (D, L)),
    ("/staff/reports", "统计通报", "chart-bar", (D, L)),
    ("/staff/policies", "政策管理", "book-open", (D, A)),
    ("/staff/enterprises", "企业台账", "building-2", (D, H)),
    ("/staff/visits", "走访记录", "footprints", (D, H)),
    ("/staff/notifications", "消息", "bell", STAFF),
    ("/admin", "系统管理", "settings", (A,)),
]

_ENTERPRISE_NAV: list[tuple[str, str, str]] = [
    ("/my/demands", "我的诉求", "list"),
    ("/my/demands/new", "提交诉求", "square-pen"),
    ("/my/notifications", "消息", "bell"),
    ("/my/profile", "企业信息", "building"),
]


def staff_nav(role: str) -> list[NavItem]:
    return [NavItem(route=r, label=lbl, icon=i) for r, lbl, i, roles in _STAFF_NAV if role in roles]


def enterprise_nav() -> list[NavItem]:
    return [NavItem(route=r, label=lbl, icon=i) for r, lbl, i in _ENTERPRISE_NAV]


def may_open(role: str | None, route: str) -> bool:
    """Whether ``role`` may open ``route`` (a concrete path or a route pattern)."""
    if route.startswith("/my"):
        return role == E
    if route.startswith("/staff/demands"):
        return role in (D, H, L)
    for prefix, _label, _icon, roles in sorted(_STAFF_NAV, key=lambda item: -len(item[0])):
        if route == prefix or route.startswith(prefix + "/"):
            return role in roles
    return True  # public pages


def home_for(role: str) -> str:
    return "/my/demands" if role == E else "/staff"
