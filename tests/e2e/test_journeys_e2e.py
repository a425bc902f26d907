"""Issue 11 item 10: each role's main journey in a real browser (Debian chromium via Playwright)
against the live server — admin publishes a policy built with the condition form and sees who
was notified; a 板块 officer imports the template and fixes a rejected row; an enterprise
updates a figure, opens its diagnosis and applies for a policy (with a 申报材料 file); the
department reviews and pays it; a commissioner opens its home.
Run: .venv/bin/python -m pytest tests/e2e -m e2e
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

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
PASSWORD = "pw-Secret-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
Y1 = dt.date.today().year - 1  # the policies' 上年

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} 不存在：请先运行 make install-system 安装 Debian chromium",
    ),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        try:
            yield pg
        finally:
            context.close()
            browser.close()


@pytest.fixture
def plain_http(settings, tmp_path):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from django.db import connections

    conf = connections.settings["default"]
    old = conf.get("CONN_MAX_AGE", 0)
    conf["CONN_MAX_AGE"] = 0
    yield
    conf["CONN_MAX_AGE"] = old


def _db(fn):
    """Run ORM code from the test thread and close its connection at once (PostgreSQL)."""
    from django.db import connections

    try:
        return fn()
    finally:
        connections.close_all()


def login(page, base, username, next_url="/"):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


@pytest.fixture
def figures(enterprises):
    from srdi.registry.models import AnnualFigures

    a, b = enterprises
    AnnualFigures.objects.update_or_create(enterprise=a, year=Y1, defaults={"revenue": 5000})
    AnnualFigures.objects.update_or_create(enterprise=b, year=Y1, defaults={"revenue": 20})
    return a, b


RAW = {
    "key": "kj-rd-e2e",
    "title": "研发投入奖励",
    "category": "资金奖补",
    "department": "常熟市科学技术局",
    "status": "verified",
    "conditions": [
        {"id": "c1", "label": "上年营业收入不低于1000万元", "expr": "y1.revenue >= 1000"}
    ],
    "benefit": {"kind": "fixed", "amount": 30},
    "materials": ["营业执照"],
}


def test_admin_builds_publishes_and_sees_who_was_notified(
    live_server, plain_http, users, figures, page
):
    a, b = figures
    base = live_server.url
    login(page, base, "gxj", "/policies/new/")
    page.get_by_label("政策编号（英文、数字、连字符）").fill("e2e-revenue")
    page.get_by_label("政策名称").fill("营收达标企业奖励")
    page.get_by_label("定额金额（万元，空=待核定）").fill("20")
    # the condition is built with the form: no expression typed
    page.get_by_role("button", name="添加一条申报条件").click()
    page.get_by_label("指标", exact=True).select_option(label="上年营业收入")
    page.get_by_label("比较方式").select_option(label="不低于")
    page.get_by_label("数值").fill("1000")
    page.locator("#reading-0").filter(has_text="上年营业收入不低于 1,000 万元").wait_for()
    page.get_by_role("link", name="高级（规则表达式）").click()
    assert "y1.revenue >= 1000" in page.locator("#id_conditions").input_value()
    page.get_by_role("button", name="保存并预览匹配").click()
    # the preview runs as a job: progress page, then the result
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    page.get_by_role("link", name="查看结果").click()
    assert "该政策将匹配 1 家企业" in page.locator("#preview-count").inner_text()
    page.get_by_role("button", name="确认发布并定向推送").click()
    page.wait_for_url(re.compile(r"/policies/\d+/$"))
    assert "新匹配 1 家企业" in page.locator(".messages").inner_text()
    log = page.locator("#push-log").inner_text()
    assert a.name in log and "jinggong" in log and "zhuanyuan" in log and b.name not in log
    assert "上年营业收入不低于 1,000 万元" in page.locator("#policy-conditions").inner_text()
    assert not page.errors


def test_region_officer_imports_the_template_and_fixes_a_rejected_row(
    live_server, plain_http, users, enterprises, page, tmp_path
):
    from openpyxl import load_workbook

    from srdi.exchange import write_xlsx

    a, _b = enterprises

    def template(value):
        f = tmp_path / f"年度数据-{value}.xlsx"
        write_xlsx([], f, fill_declarations=False)
        wb = load_workbook(f)
        ws = wb["年度数据"]
        keys = [c.value for c in ws[2]]
        row = ws.max_row + 1
        ws.cell(row, 1, a.uscc)
        ws.cell(row, 2, 2030)
        ws.cell(row, keys.index("revenue") + 1, value)
        wb.save(f)
        return f, row

    base = live_server.url
    login(page, base, "meili", "/io/import/")
    bad, row = template("abc")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(re.compile(r"/io/imports/\d+/$"))
    report = page.locator("table.data").inner_text()
    assert "年度数据" in report and f"第{row}行" in report and "2030年营业收入" in report
    assert "abc" in report and "years.2030" not in report
    # the officer corrects the row and imports again: the figure of a registered enterprise
    # goes in without listing the enterprise in the basic sheet
    good, _row = template(4321)
    page.get_by_role("link", name="继续导入").click()
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(re.compile(r"/io/imports/\d+/$"))
    assert "全部导入" in page.locator("#status").locator("xpath=..").inner_text()

    def stored():
        from srdi.registry.models import AnnualFigures

        return AnnualFigures.objects.get(enterprise=a, year=2030).revenue

    assert _db(stored) == 4321


def test_enterprise_updates_a_figure_opens_diagnosis_and_applies(
    live_server, plain_http, users, figures, page, tmp_path
):
    from srdi.policies import services

    a, _b = figures
    p = services.save_policy(users["admin"], RAW)
    services.publish_policy(users["admin"], p)
    _db(lambda: None)
    base = live_server.url
    login(page, base, "jinggong", "/")
    # the enterprise's home shows its own work; its record is one click away
    page.goto(f"{base}/enterprises/{a.uscc}/")
    page.get_by_role("link", name=f"修改 {Y1} 年").click()
    page.get_by_label("营业收入（万元）", exact=True).fill("6000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/enterprises/{a.uscc}/#years$"))
    assert "6,000" in page.locator('#years-table tr[data-field="revenue"]').inner_text()
    # its diagnosis
    page.goto(f"{base}/diagnosis/{a.uscc}/")
    assert a.name in page.locator("h1").inner_text()
    # claimable policies → one-click application with a 申报材料 file
    page.goto(f"{base}/policies/mine/")
    page.get_by_role("button", name="一键申报").first.click()
    page.wait_for_url(re.compile(r"/policies/applications/\d+/$"))
    pdf = tmp_path / "营业执照.pdf"
    pdf.write_bytes(PDF)
    page.locator("#attach-form").get_by_label("材料名称").select_option(label="营业执照")
    page.set_input_files("#attach-form input[type=file]", str(pdf))
    page.get_by_role("button", name="上传").click()
    assert "营业执照.pdf" in page.locator("#attachments").inner_text()
    page.get_by_label("联系人").fill("张三")
    page.get_by_label("联系电话").fill("0512-5555")
    page.get_by_role("button", name="提交申报").click()
    assert "已通知市科技局审核" in page.locator(".messages").inner_text()
    assert page.locator("#app-status").inner_text() == "已提交"


def test_department_reviews_and_pays(live_server, plain_http, users, figures, page):
    from srdi.policies import services

    a, _b = figures
    u = users["enterprise"]
    p = services.save_policy(users["admin"], RAW)
    services.publish_policy(users["admin"], p)
    app = services.start_application(u, p, a)
    services.update_application(
        u, app, contact_person="张三", contact_phone="1", remarks="", amount_requested=None
    )
    services.submit_application(u, app)
    _db(lambda: None)
    base = live_server.url
    login(page, base, "kjj", "/policies/ledger/?tab=mine")
    assert "待我审核（1）" in page.locator("#ledger-tabs").inner_text()
    page.get_by_role("link", name=f"#{app.pk}").click()
    assert "满足" in page.locator("#conditions").inner_text()
    page.get_by_label("审核结论").select_option(label="批准")
    page.get_by_label("核定金额（万元）").fill("30")
    page.get_by_label("审核意见 / 驳回理由").fill("材料齐全，符合条件")
    page.get_by_role("button", name="保存审核结果").click()
    assert page.locator("#app-status").inner_text() == "已批准"
    page.get_by_label("兑付金额（万元）").fill("30")
    page.get_by_role("button", name="登记兑付").click()
    assert page.locator("#app-status").inner_text() == "已兑付"

    def notices():
        from srdi.core.models import Notification

        return set(Notification.objects.filter(user=u).values_list("title", flat=True))

    got = _db(notices)
    assert "申报结果：研发投入奖励" in got and "兑付到账：研发投入奖励" in got


def test_commissioner_opens_its_home(live_server, plain_http, users, enterprises, page):
    base = live_server.url
    login(page, base, "zhuanyuan", "/")
    assert "/accounts/login/" not in page.url
    assert page.locator("h1").first.is_visible()
    text = page.locator("main").inner_text()
    assert "错误" not in page.title() and "Traceback" not in text and "Page not found" not in text
    assert not page.errors
