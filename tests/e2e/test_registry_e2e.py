"""End-to-end: a real browser (Debian chromium via Playwright) against the live server.

Logs in through the real login form, searches and filters the enterprise list, opens a
detail page, edits a figure of the years table and sees it saved (with its source).
Run: .venv/bin/python -m pytest tests/e2e -m e2e
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, asserts) would otherwise be refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} 不存在：请先运行 make install-system 安装 Debian chromium",
    ),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def plain_http(settings):
    # the live server speaks plain HTTP: cookies must not be marked Secure for it
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    # the live server's thread must not keep a persistent connection open (PostgreSQL would
    # then refuse to drop the test database at the end of the session)
    from django.db import connections

    conf = connections.settings["default"]
    old = conf.get("CONN_MAX_AGE", 0)
    conf["CONN_MAX_AGE"] = 0
    yield
    conf["CONN_MAX_AGE"] = old


def revenue_2024(enterprise):
    """Read the stored figure. Under Playwright's running event loop the ORM gets a separate
    connection; close it at once so that it does not outlive the test (PostgreSQL would then
    refuse to drop the test database)."""
    from django.db import connections

    from srdi.registry.models import AnnualFigures

    try:
        return AnnualFigures.objects.get(enterprise=enterprise, year=2024).revenue
    finally:
        connections.close_all()


def test_login_search_filter_detail_edit(live_server, plain_http, users, enterprises, browser_page):
    a, b = enterprises
    page = browser_page
    base = live_server.url

    # log in through the real form (throttled login view)
    page.goto(f"{base}/accounts/login/?next=/enterprises/")
    page.get_by_label("用户名").fill("gxj")
    page.get_by_label("密码").fill("pw-Secret-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/enterprises/$"))
    table = page.locator("#enterprise-table")
    assert a.name in table.inner_text() and b.name in table.inner_text()

    # search by name
    page.get_by_label("企业名称或统一社会信用代码").fill("精工")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"q="))
    assert a.name in table.inner_text() and b.name not in table.inner_text()
    assert "共 1 家企业符合条件" in page.locator("#result-count").inner_text()

    # filter by 板块 (search cleared)
    page.get_by_label("企业名称或统一社会信用代码").fill("")
    page.get_by_label("板块").select_option(label="海虞镇")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"region="))
    assert b.name in table.inner_text() and a.name not in table.inner_text()

    # sort by revenue by clicking the column header, then back to all
    page.goto(f"{base}/enterprises/")
    page.locator("#enterprise-table thead").get_by_role(
        "link", name=re.compile("最新营业收入")
    ).click()
    page.wait_for_url(re.compile(r"sort=-revenue"))
    rows = page.locator("#enterprise-table tbody tr")
    assert a.name in rows.nth(0).inner_text() and b.name in rows.nth(1).inner_text()

    # open the detail page
    page.get_by_role("link", name=a.name).click()
    page.wait_for_url(re.compile(rf"/enterprises/{a.uscc}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == a.name
    revenue_row = page.locator('#years-table tr[data-field="revenue"]')
    assert "10,000" in revenue_row.inner_text()  # as officials write numbers (issue 11)

    # edit a figure: the first field has focus, labels are real labels
    page.get_by_role("link", name="修改 2024 年").click()
    page.wait_for_url(re.compile(r"/edit/years/2024/$"))
    field = page.get_by_label("营业收入（万元）", exact=True)
    field.fill("12500.5")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/enterprises/{a.uscc}/#years$"))
    assert "已保存" in page.locator(".messages").inner_text()
    assert "12,500.5" in page.locator('#years-table tr[data-field="revenue"]').inner_text()
    assert "网页填报" in page.locator("#sources").inner_text()
    assert revenue_2024(a) == 12500.5

    # a bad value is refused with a Chinese message next to the field
    page.get_by_role("link", name="修改 2024 年").click()
    page.get_by_label("营业收入（万元）", exact=True).fill("-3")
    page.get_by_role("button", name="保存").click()
    assert "营业收入不能小于 0" in page.locator("form.card").inner_text()
    assert revenue_2024(a) == 12500.5

    # emptying a known figure asks for a confirmation first, then sets it to unknown — done
    # with the keyboard only: the confirmation checkbox takes the focus, Space ticks it
    field = page.get_by_label("营业收入（万元）", exact=True)
    field.fill("")
    field.press("Enter")  # submits the form
    confirm = page.get_by_role("checkbox", name=re.compile("确认将以下数值改为“未知”"))
    assert "营业收入" in confirm.locator("xpath=..").inner_text()
    assert revenue_2024(a) == 12500.5  # nothing cleared without the confirmation
    assert confirm.evaluate("el => el === document.activeElement")
    page.keyboard.press("Space")
    assert confirm.is_checked()
    page.get_by_role("button", name="保存").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/enterprises/{a.uscc}/#years$"))
    assert revenue_2024(a) is None
