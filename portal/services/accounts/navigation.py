"""Which areas of the portal each role may open (UI.md § Routes). The staff sidebar is drawn from this
and every page guard checks it, so the menu and the server agree by construction."""

from __future__ import annotations

from portal import routes as r
from portal.models.enums import Role
from portal.models.records.common import NavItem

D, H, L, A, E = Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.ADMIN, Role.ENTERPRISE
STAFF = (D, H, L, A)


# route, label, icon, roles
_STAFF_NAV: list[tuple[str, str, str, tuple[str, ...]]] = [
    (r.STAFF, "工作台", "layout-dashboard", STAFF),
    (r.STAFF_DISPATCH, "受理派单", "inbox", (D,)),
    (r.STAFF_ORDERS, "部门工单", "clipboard-list", (H,)),
    (r.STAFF_DEMANDS, "诉求查询", "search", (D, H, L)),
    (r.STAFF_EXTENSIONS, "延期审批", "calendar-clock", (D,)),
    (r.STAFF_REVISITS, "回访", "phone-call", (D,)),
    (r.STAFF_VERIFICATIONS, "办结核查", "shield-check", (D,)),
    (r.STAFF_RECTIFICATIONS, "差评整改", "message-square-warning", (D, H, L)),
    (r.STAFF_SUPERVISION, "督办", "siren", (D, L)),
    (r.STAFF_REPORTS, "统计通报", "chart-bar", (D, L, H)),
    (r.STAFF_POLICIES, "政策管理", "book-open", (D, A)),
    (r.STAFF_INTAKE, "代企业登记", "phone-incoming", (D, H)),
    (r.STAFF_ENTERPRISES, "企业台账", "building-2", (D, H, L)),
    (r.STAFF_ENTERPRISE_CLAIMS, "账号认领", "key-round", (D, A)),
    (r.STAFF_VISITS, "走访记录", "footprints", (D, H, L)),
    (r.STAFF_MEETINGS, "座谈会", "messages-square", (D, H, L)),
    (r.STAFF_PLANS, "需求计划台账", "calendar-range", (D, H, L)),
    (r.STAFF_CLASSES, "一类问题", "layers", (D, H, L)),
    (r.STAFF_MONTHLY, "每月一题", "calendar-check", (D, H, L)),
    (r.STAFF_NOTIFICATIONS, "消息", "bell", STAFF),
    (r.STAFF_PROFILE, "通知设置", "bell-ring", STAFF),
    (r.ADMIN, "系统管理", "settings", (A,)),
    (r.ADMIN_API_KEYS, "接口密钥", "key-square", (A,)),
    (r.ADMIN_OUTBOX, "消息发送", "send", (A,)),
]

_ENTERPRISE_NAV: list[tuple[str, str, str]] = [
    (r.MY, "企业首页", "house"),
    (r.MY_DEMANDS, "我的诉求", "list"),
    (r.MY_DEMAND_NEW, "提交诉求", "square-pen"),
    (r.MY_NOTIFICATIONS, "消息", "bell"),
    (r.MY_PROFILE, "企业信息", "building"),
]


def staff_nav(role: str) -> list[NavItem]:
    return [NavItem(route=r, label=lbl, icon=i) for r, lbl, i, roles in _STAFF_NAV if role in roles]


def enterprise_nav() -> list[NavItem]:
    return [NavItem(route=r, label=lbl, icon=i) for r, lbl, i in _ENTERPRISE_NAV]


def may_open(role: str | None, route: str) -> bool:
    """Whether ``role`` may open ``route`` (a concrete path or a route pattern)."""
    if route.startswith("/my"):
        return role == E
    if route.startswith(r.STAFF_DEMANDS):
        return role in (D, H, L)
    for prefix, _label, _icon, roles in sorted(_STAFF_NAV, key=lambda item: -len(item[0])):
        if route == prefix or route.startswith(prefix + "/"):
            return role in roles
    return True  # public pages


def home_for(role: str) -> str:
    return r.MY if role == E else r.STAFF


def password_page_for(role: str) -> str:
    """Where ``role`` changes its password (修改密码)."""
    return r.MY_PASSWORD if role == E else r.STAFF_PASSWORD
