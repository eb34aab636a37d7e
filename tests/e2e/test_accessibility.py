"""WCAG 2.1 AA audit (issue #9): axe-core, pinned in tests/e2e/a11y, injected into every route of the app's
own page table (``portal.portal.PAGES``, so a new page is audited without editing this file), as each role
sees it with the demo data, at desktop and phone width and with 长者模式 on. Any serious or critical
violation fails the test, with the rule, the page and the offending elements named."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, path_is

pytestmark = pytest.mark.e2e

AXE_SCRIPT = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# Who is audited: anonymous, then one account of each role (README § Demo accounts).
ROLES = ["", "qiye1", "zhongxin", "ziguiju", "lingdao", "admin"]


def audited_routes(role: str, demand_ids: dict[str, int]) -> list[str]:
    """Every registered route the role may open (the others redirect to a page audited anyway); a dynamic
    segment gets a demo demand the role can see."""
    from portal import routes
    from portal.portal import PAGES
    from portal.services.accounts.navigation import may_open

    found = []
    for entry in PAGES:
        route = entry.route
        if route.startswith(routes.PRIVATE_PREFIXES) and not may_open(role or None, route):
            continue
        if role and route in (routes.LOGIN, routes.REGISTER):
            continue  # a logged-in user is sent home
        if route == routes.NOT_FOUND:
            route = "/no-such-page"  # any unknown address shows the 404 page
        if "[demand_id]" in route:
            route = route.replace("[demand_id]", str(demand_ids["my" if route.startswith("/my") else "staff"]))
        route = route.replace("[policy_id]", str(demand_ids["policy"]))
        route = route.replace("[enterprise_id]", str(demand_ids["enterprise"]))
        route = route.replace("[class_id]", str(demand_ids["class"]))
        found.append(route)
    return found


def role_of(username: str) -> str:
    from portal.models.enums import Role
    from portal.seed.demo import ENTERPRISES, STAFF

    roles = {row[0]: row[1] for row in STAFF} | {row[0]: Role.ENTERPRISE for row in ENTERPRISES}
    return roles[username] if username else ""


@pytest.fixture
def demand_ids(portal_server, on_portal_db) -> dict[str, int]:
    """A demand of qiye1's and one the handler's unit worked on, each with the longest timeline, so the
    detail pages show as many sections as the demo data holds."""
    from sqlalchemy import func
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Demand, Policy, ProblemClass, TimelineEvent, User, WorkOrder

    with on_portal_db(), session_scope() as session:
        enterprise_id = session.exec(select(User.enterprise_id).where(User.username == "qiye1")).one()
        unit_id = session.exec(select(User.unit_id).where(User.username == "ziguiju")).one()

        def richest(*where) -> int:
            query = (
                select(Demand.id)
                .join(TimelineEvent, TimelineEvent.demand_id == Demand.id)
                .where(*where)
                .group_by(Demand.id)
                .order_by(func.count().desc(), Demand.id)
            )
            return session.exec(query).first()

        return {
            "enterprise": enterprise_id,
            "policy": session.exec(select(Policy.id).where(Policy.status == "已发布").order_by(Policy.id)).first(),
            "my": richest(Demand.enterprise_id == enterprise_id),
            "staff": richest(Demand.id.in_(select(WorkOrder.demand_id).where(WorkOrder.unit_id == unit_id))),
            # the demo's candidate group (with the confirm form), or any group once a test confirmed it
            "class": session.exec(
                select(ProblemClass.id).order_by(ProblemClass.status != "候选", ProblemClass.id)
            ).first(),
        }


def wait_until_settled(page) -> None:
    """The page's heading is shown and no list or detail is still waiting for the server."""
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def axe_violations(page) -> list[dict]:
    """Serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(route: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:5])
        lines.append(f"{route}: {v['id']} ({v['impact']}, {len(v['nodes'])}×) {v['help']} — {targets}")
    return lines


def audit(page, routes: list[str]) -> list[str]:
    """Visit each route and collect the blocking violations."""
    problems = []
    for route in routes:
        page.goto(route)
        wait_until_settled(page)
        expect(page).to_have_url(path_is(route))  # audited what was asked for, not a redirect
        problems += describe(route, axe_violations(page))
    return problems


@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_page_passes_axe_for_each_role(new_page, demand_ids, username):
    assert AXE_SCRIPT.exists(), "axe-core missing: run scripts/ensure_axe.sh (make test does)"
    page = new_page()
    if username:
        login(page, username)
    problems = audit(page, audited_routes(role_of(username), demand_ids))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", ["", "qiye1", "zhongxin"], ids=["anonymous", "qiye1", "zhongxin"])
def test_phone_width_in_elder_mode_passes_axe(new_page, demand_ids, username):
    """长者模式 changes sizes and colours on every page: audit it too, at a phone's width."""
    page = new_page(width=390, height=844)
    page.goto("/")
    page.get_by_role("button", name="长者模式").click()
    expect(page.locator("html")).to_have_attribute("data-elder", "on")
    if username:
        login(page, username)
    problems = audit(page, audited_routes(role_of(username), demand_ids))
    assert not problems, "\n".join(problems)
