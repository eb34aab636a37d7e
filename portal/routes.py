"""The portal's route table: every path the app registers, the menus link to, the pages point at and
the services write into notifications. Depends on nothing, so every layer may import it."""

from __future__ import annotations

HOME = "/"
POLICIES = "/policies"
POLICY_DETAIL = "/policies/[policy_id]"
TRACK = "/track"  # 进度查询 without an account
LOGIN = "/login"
REGISTER = "/register"
TRACK = "/track"  # 进度查询 without an account

MY = "/my"  # the enterprise's home
MY_DEMANDS = "/my/demands"
MY_DEMAND_NEW = "/my/demands/new"
MY_DEMAND_DETAIL = "/my/demands/[demand_id]"
MY_NOTIFICATIONS = "/my/notifications"
MY_PROFILE = "/my/profile"
MY_PASSWORD = "/my/password"  # 修改密码 (enterprises)

STAFF = "/staff"
STAFF_DISPATCH = "/staff/dispatch"
STAFF_ORDERS = "/staff/orders"
STAFF_DEMANDS = "/staff/demands"
STAFF_DEMAND_DETAIL = "/staff/demands/[demand_id]"
STAFF_EXTENSIONS = "/staff/extensions"
STAFF_REVISITS = "/staff/revisits"
STAFF_VERIFICATIONS = "/staff/verifications"
STAFF_RECTIFICATIONS = "/staff/rectifications"  # 差评整改 and 申诉复核
STAFF_SUPERVISION = "/staff/supervision"
STAFF_REPORTS = "/staff/reports"
STAFF_POLICIES = "/staff/policies"
STAFF_ENTERPRISES = "/staff/enterprises"  # 企业台账
STAFF_ENTERPRISE_DETAIL = "/staff/enterprises/[enterprise_id]"  # 企业档案
STAFF_ENTERPRISE_CLAIMS = "/staff/enterprises/claims"  # 企业账号认领
STAFF_INTAKE = "/staff/intake"  # 代企业登记诉求
STAFF_VISITS = "/staff/visits"
STAFF_MEETINGS = "/staff/meetings"
STAFF_PLANS = "/staff/plans"  # 需求计划台账
STAFF_CLASSES = "/staff/classes"  # 一类问题: candidate groups and confirmed classes
STAFF_CLASS_DETAIL = "/staff/classes/[class_id]"
STAFF_MONTHLY = "/staff/monthly"  # 每月一题: themes, tasks, progress (staff side)
MONTHLY = "/monthly"  # 每月一题 in public
STAFF_NOTIFICATIONS = "/staff/notifications"
STAFF_PASSWORD = "/staff/password"  # 修改密码 (every staff role)
ADMIN = "/admin"
ADMIN_API_KEYS = "/admin/api-keys"  # 接口密钥 of the systems using the Open311-style API
STAFF_PROFILE = "/staff/profile"  # 通知设置: e-mail, mobile, which notices reach a staff member where (issue #27)
ADMIN_OUTBOX = "/admin/outbox"  # 消息发送: the outbox by channel and status, failures, 重新发送 (issue #27)
NOT_FOUND = "404"  # Reflex's slug for the page every unknown address shows

HEALTH_API = "/api/health"
METRICS_API = "/api/metrics"
FILES_API = "/api/files"
LEDGER_TEMPLATE_API = "/api/ledger-template"  # the empty 问题台账 to fill in (staff)
BULLETINS_API = "/api/bulletins"  # a stored 一月一通报 as .xlsx (dispatchers and leaders)
EXPORTS_API = "/api/exports"  # a finished 导出台账 file, for the person who asked only
OPEN311_API = "/api/open311/v2"  # the Open311 GeoReport v2-style API (docs/open311.yaml)
POLICY_FILES_API = "/api/policy-files"  # a policy's original documents (public once the policy is)
# Plain HTTP, so the session cookie can be HttpOnly (README § 安全): a login ticket is exchanged for the
# cookie, and 退出 clears it.
SESSION_START_API = "/api/session/start"
SESSION_END_API = "/api/session/end"
SESSION_COOKIE = "qs_session"

# Areas that need a session (the page guard sends anyone else to LOGIN).
PRIVATE_PREFIXES = ("/my", "/staff", "/admin")


def my_demand(demand_id: int) -> str:
    """The enterprise's page of one demand."""
    return f"{MY_DEMANDS}/{demand_id}"


def staff_demand(demand_id: int) -> str:
    """The staff page of one demand."""
    return f"{STAFF_DEMANDS}/{demand_id}"


def staff_class(class_id: int) -> str:
    """A 一类问题 (or candidate group) on the staff side."""
    return f"{STAFF_CLASSES}/{class_id}"


def staff_enterprise(enterprise_id: int) -> str:
    """The 企业档案 of one enterprise."""
    return f"{STAFF_ENTERPRISES}/{enterprise_id}"


def session_start(ticket: str) -> str:
    """Where the browser goes after a successful login to receive its HttpOnly session cookie."""
    return f"{SESSION_START_API}?ticket={ticket}"


def policy(policy_id: int) -> str:
    """The public page of one policy (stable and shareable)."""
    return f"{POLICIES}/{policy_id}"


def attachment_file(attachment_id: int) -> str:
    """The authorised download of one private attachment."""
    return f"{FILES_API}/{attachment_id}"
