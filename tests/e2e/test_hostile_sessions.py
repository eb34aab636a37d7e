"""Issue #20 items 4 and 5 against the running portal: another site can neither log a user out of the
portal (a link, an image or a form of its own aimed at /api/session/end) nor log a visitor into the
attacker's account (a ticket sent to /api/session/start from another origin). Raw HTTP with the headers
a hostile page would make a browser send, and one real browser on a foreign page."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from portal.core import security
from tests.e2e.conftest import DEMO_PASSWORD, login, path_is

pytestmark = pytest.mark.e2e
EVIL = "https://evil.example"


def _revoked(database_url: str, token: str) -> bool:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        revoked = connection.execute(
            text("SELECT revoked_at FROM user_session WHERE token_hash=:h"), {"h": security.hash_token(token)}
        ).scalar()
    engine.dispose()
    return revoked is not None


def _tickets(on_portal_db, count: int) -> list:
    from portal.services.accounts import sessions

    with on_portal_db():
        return [sessions.login(username="qiye1", password=DEMO_PASSWORD) for _ in range(count)]


def test_another_site_cannot_log_a_user_out(portal_server, on_portal_db):
    (victim,) = _tickets(on_portal_db, 1)
    end = f"{portal_server.url}/api/session/end"
    cookie = {"Cookie": f"qs_session={victim.token}"}
    # A link or an <img> anywhere: a GET does nothing at all.
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {}):
        response = httpx.get(end, headers={**cookie, **headers})
        assert response.status_code == 405 and "set-cookie" not in response.headers
    # Another site's form posting here (a browser sends Origin with a POST; Sec-Fetch-Site where it can).
    for headers in (
        {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
        {"Origin": EVIL},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": portal_server.url.replace("127.0.0.1", "localhost")},
        {"Origin": "null"},
        {"Referer": f"{EVIL}/prize.html"},
    ):
        response = httpx.post(end, headers={**cookie, **headers})
        assert response.status_code == 403 and "set-cookie" not in response.headers, headers
        assert not _revoked(portal_server.database_url, victim.token), headers
    # The portal's own 退出 (a same-origin form POST) still works.
    own = httpx.post(
        end,
        headers={
            **cookie,
            "Origin": portal_server.url,
            "Sec-Fetch-Site": "same-origin",
            "Referer": portal_server.url + "/staff",
        },
    )
    assert own.status_code == 303 and own.headers["location"] == "/login"
    assert 'qs_session=""' in own.headers["set-cookie"] and _revoked(portal_server.database_url, victim.token)


def test_a_ticket_sent_from_another_origin_is_refused(portal_server, on_portal_db):
    start = f"{portal_server.url}/api/session/start"
    foreign = [
        {"Referer": f"{EVIL}/"},  # an older browser (no Sec-Fetch-*) sent by the attacker's page
        {"Sec-Fetch-Site": "none", "Origin": EVIL},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Sec-Fetch-Site": "same-origin", "Referer": "http://127.0.0.1.evil.example/login"},
    ]
    tickets = _tickets(on_portal_db, len(foreign) + 3)
    for headers, attacker in zip(foreign, tickets, strict=False):
        refused = httpx.get(start, params={"ticket": attacker.ticket}, headers=headers)
        assert refused.status_code == 303 and refused.headers["location"] == "/login", headers
        assert "set-cookie" not in refused.headers, headers
    honest = [
        {"Sec-Fetch-Site": "same-origin", "Referer": f"{portal_server.url}/login"},  # the login page's navigation
        {"Sec-Fetch-Site": "none"},  # typed or pasted
        {},  # a client that sends none of these headers
    ]
    for headers, own in zip(honest, tickets[len(foreign) :], strict=True):
        granted = httpx.get(start, params={"ticket": own.ticket}, headers=headers)
        assert granted.headers["location"] == "/my" and "qs_session=" in granted.headers["set-cookie"], headers


def test_a_foreign_page_in_a_real_browser_does_not_log_the_user_out(new_page):
    page = new_page()
    login(page, "lingdao")
    expect(page).to_have_url(path_is("/staff"))
    end = page.url.split("/staff")[0] + "/api/session/end"
    # The attacker's pages, served by the test at a foreign https origin: an image and a link (GET,
    # which the old route obeyed by clearing the cookie), then a form posting to the route.
    pages = {
        "link.html": f'''<!doctype html><img src="{end}">
            <script>setTimeout(() => location.assign("{end}"), 300)</script>''',
        "form.html": f'''<!doctype html><form id="f" method="post" action="{end}"></form>
            <script>document.getElementById("f").submit()</script>''',
    }
    page.context.route(
        f"{EVIL}/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=pages[route.request.url.rsplit("/", 1)[1]]
        ),
    )
    for name, answer in (("link.html", "请使用页面上的“退出”按钮退出登录"), ("form.html", "请从本平台页面退出登录")):
        page.goto(f"{EVIL}/{name}")
        page.wait_for_url(end)
        expect(page.locator("body")).to_contain_text(answer)
        assert any(c["name"] == "qs_session" for c in page.context.cookies()), name
    page.goto("/staff")
    expect(page).to_have_url(path_is("/staff"))
    page.get_by_role("button", name="退出").click()  # the portal's own button still logs out
    expect(page).to_have_url(path_is("/login"))
    assert not any(c["name"] == "qs_session" for c in page.context.cookies())
