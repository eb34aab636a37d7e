"""End-to-end fixtures: the production build served by `reflex run --env prod --single-port` on a free
port with a fresh SQLite database holding the demo world, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "Demo@2026"


@dataclass
class PortalServer:
    url: str
    database_url: str
    log_path: Path
    pgid: int = 0  # the server's process group (bench/bench_ui.py reads its CPU time and memory)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"portal exited early:\n{log_path.read_text()[-4000:]}")
        try:
            if (
                httpx.get(f"{url}/api/health", timeout=2).status_code == 200
                and httpx.get(f"{url}/login", timeout=5, follow_redirects=True).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"portal did not come up in {timeout}s:\n{log_path.read_text()[-4000:]}")


def start_portal(workdir: Path, extra_env: dict[str, str] | None = None):
    """Migrate a fresh SQLite database with the demo world and serve the production build on a free
    port. A generator: yields the running PortalServer, stops the process group afterwards."""
    database_url = f"sqlite:///{workdir / 'e2e.db'}"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATABASE_URL=database_url,
        PORTAL_DEMO_MODE="1",
        PORT=str(port),
        REFLEX_USE_NPM="1",
        PORTAL_PRIVATE_UPLOAD_DIR=str(workdir / "uploads"),
        PATH=f"{VENV_BIN}:{env.get('PATH', '')}",
    )
    env.update(extra_env or {})
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "portal.cli", *command], cwd=ROOT, env=env, check=True)
    log_path = workdir / "reflex.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "reflex"),
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log_path)
        yield PortalServer(url=url, database_url=database_url, log_path=log_path, pgid=process.pid)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory) -> PortalServer:
    yield from start_portal(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Two cores shared by the server, Chromium and the tests: give assertions room before failing.
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, portal_server):
    """Factory: a page in its own browser context (its own cookies), i.e. one person."""
    contexts = []

    def make(width: int = 1280, height: int = 860):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": height}, base_url=portal_server.url
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def on_portal_db(portal_server):
    """Run service calls in this test process against the served portal's database."""
    from contextlib import contextmanager

    from portal.core.settings import get_settings
    from portal.services.calendar.store import invalidate_calendar_cache

    @contextmanager
    def use():
        previous = os.environ.get("PORTAL_DATABASE_URL")
        os.environ["PORTAL_DATABASE_URL"] = portal_server.database_url
        os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = str(
            Path(portal_server.database_url.split("///", 1)[1]).parent / "uploads"
        )
        get_settings.cache_clear()
        invalidate_calendar_cache()
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("PORTAL_DATABASE_URL", None)
            else:
                os.environ["PORTAL_DATABASE_URL"] = previous
            os.environ.pop("PORTAL_PRIVATE_UPLOAD_DIR", None)
            get_settings.cache_clear()
            invalidate_calendar_cache()

    return use


def workday_after(days: int):
    """The first working day at least ``days`` from today, by the official calendar where it has data
    and Mon–Fri beyond it (as the portal counts)."""
    from datetime import date, timedelta

    from chinese_calendar import is_workday

    day = date.today() + timedelta(days=days)
    while True:
        try:
            if is_workday(day):
                return day
        except NotImplementedError:
            if day.weekday() < 5:
                return day
        day += timedelta(days=1)


def path_is(path: str) -> re.Pattern:
    """A URL matcher for ``expect(page).to_have_url``: this path, with or without a trailing slash."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}/?(\?.*)?$")


def login(page, username: str, password: str = DEMO_PASSWORD, *, expect_success: bool = True) -> None:
    """Log in through the form; by default wait until the portal has moved on to the user's home."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if expect_success:
        expect(page).to_have_url(re.compile(r"/(staff|my)/?$"))
