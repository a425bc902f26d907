"""Integration smoke test: every page of every role on a small demo data set.

On `loadref` + `demo --enterprises 60 --seed 1` and one user of each role, each role GETs the
navigation of base.html, every URL pattern without arguments, the per-enterprise pages of an
enterprise in its scope and one outside it, and one level of links found on those pages.
Nothing may answer 500; the pages a role may see answer 200; out-of-scope enterprise pages
answer 403/404; every 200 HTML page is in Chinese (site name present, no English headings).
Also: /api/docs and /api/openapi.json, Django's system checks, no missing migration.
"""

from __future__ import annotations

import io
import json
import os
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import URLResolver, get_resolver

ROLES = ["admin", "department", "region_officer", "commissioner", "enterprise", "partner"]
OFFICIAL = {"admin", "department", "region_officer", "commissioner"}

# base.html navigation: (path, roles that see the link)
NAV = [
    ("/", set(ROLES)),
    ("/cultivation/", OFFICIAL),
    ("/enterprises/", set(ROLES)),
    ("/policies/", set(ROLES)),
    ("/cultivation/pool/", OFFICIAL),
    ("/evaluation/whatif/", OFFICIAL),
    ("/io/import/", {"admin", "department", "region_officer"}),
    ("/audit/", {"admin"}),
    ("/admin/", {"admin"}),
    ("/inbox/", set(ROLES)),
    ("/api/docs", set(ROLES)),
]

# Per-enterprise pages ({uscc} replaced); the in-scope one must answer 200 for these roles
# (a partner's in-scope enterprise is one that shared its data with the partner).
ENTERPRISE_PAGES = [
    ("/enterprises/{uscc}/", set(ROLES)),
    ("/evaluation/{uscc}/", set(ROLES)),
    ("/diagnosis/{uscc}/", set(ROLES)),
    ("/policies/enterprise/{uscc}/", set(ROLES)),
    ("/api/enterprises/{uscc}", set(ROLES)),
    ("/api/diagnosis/{uscc}", set(ROLES)),
    ("/api/policies/enterprise/{uscc}", set(ROLES)),
]

# Paths that are not GET pages (logout is POST-only; downloads are checked for "no 500" only).
SKIP_PATTERNS = {"accounts/logout/"}

# Words that betray an untranslated heading / title / button / table header.
ALLOWED_ASCII = {
    "API",
    "OpenAPI",
    "USCC",
    "PDF",
    "Word",
    "Excel",
    "JSON",
    "JSONL",
    "JSON Lines",
    "ID",
    "CSV",
    "HTML",
    "DOCX",
    "XLSX",
    "R&D",
    "IP",
    "ISO",
    "GB/T",
    "No.",
}
ADMIN_UNTRANSLATED = {"<th>Model name", "<th>Add link", "<th>Change or view list link"}
CJK = re.compile(r"[\u4e00-\u9fff]")


class _TextOf(HTMLParser):
    """Collects the text of title/h1-h3/th/button/label/legend elements and all hrefs."""

    TAGS = {"title", "h1", "h2", "h3", "th", "button", "label", "legend"}

    def __init__(self):
        super().__init__()
        self.stack: list[list] = []
        self.texts: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if tag in self.TAGS:
            self.stack.append([tag, ""])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        if self.stack and self.stack[-1][0] == tag:
            t, text = self.stack.pop()
            self.texts.append((t, " ".join(text.split())))

    def handle_data(self, data):
        if self.skip:
            return
        for item in self.stack:
            item[1] += data


def english_headings(html: str) -> list[str]:
    """Headings/buttons/labels that contain Latin words and no Chinese at all."""
    p = _TextOf()
    p.feed(html)
    bad = []
    for tag, text in p.texts:
        if not text or CJK.search(text):
            continue
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z&./]+", text)]
        words = [w for w in words if w not in ALLOWED_ASCII and w.rstrip(".") not in ALLOWED_ASCII]
        if words:
            bad.append(f"<{tag}>{text}")
    return bad


def links_of(html: str) -> list[str]:
    p = _TextOf()
    p.feed(html)
    return p.links


def no_arg_paths() -> list[str]:
    """Every URL pattern of the project without a required argument (admin: index only)."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    out = []
    for route in walk(get_resolver().url_patterns):
        if "<" in route or "(" in route or "^" in route or route in SKIP_PATTERNS:
            continue
        if route.startswith("admin/"):
            continue
        out.append("/" + route)
    out.append("/admin/")
    return sorted(set(out))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Demo data loaded once for the module inside a transaction rolled back at the end."""
    from srdi.accounts.models import User
    from srdi.accounts.roles import Department, PartnerKind, Role
    from srdi.registry.models import DataShare, Enterprise, Region

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("loadref", stdout=io.StringIO())
            call_command("demo", enterprises=60, seed=1, stdout=io.StringIO())
            # what the policies and cultivation pages show: the policy catalogue, the pool
            call_command("policycatalogue", publish=True, stdout=io.StringIO())
            call_command("alerts", refresh_pool=True, stdout=io.StringIO())
            regions = list(
                Region.objects.filter(enterprises__isnull=False).distinct().order_by("sort_order")
            )
            assert len(regions) >= 2, "demo data must cover at least two 板块"
            region, other_region = regions[0], regions[1]
            ent = Enterprise.objects.filter(region=region).order_by("uscc").first()
            other = Enterprise.objects.filter(region=other_region).order_by("uscc").first()
            pw = "pw-Secret-123"
            mk = User.objects.create_user
            users = {
                "admin": mk(
                    "qa_admin", password=pw, role=Role.ADMIN, is_staff=True, is_superuser=True
                ),
                "department": mk(
                    "qa_kjj", password=pw, role=Role.DEPARTMENT, department=Department.KJJ
                ),
                "region_officer": mk(
                    "qa_region", password=pw, role=Role.REGION_OFFICER, region=region
                ),
                "commissioner": mk("qa_comm", password=pw, role=Role.COMMISSIONER),
                "enterprise": mk("qa_ent", password=pw, role=Role.ENTERPRISE, enterprise=ent),
                "partner": mk(
                    "qa_bank",
                    password=pw,
                    role=Role.PARTNER,
                    organization="QA测试银行",
                    partner_kind=PartnerKind.BANK,
                ),
            }
            ent.commissioners.add(users["commissioner"])
            DataShare.objects.create(
                enterprise=ent,
                organization="QA测试银行",
                purpose="融资对接",
                sections=["basic", "years", "ip", "titles", "diagnosis", "financing"],
            )
            data = {"users": users, "ent": ent, "other": other}
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield data
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def is_html(resp) -> bool:
    return resp.get("Content-Type", "").startswith("text/html")


def check_chinese(path: str, resp, problems: list[str]) -> None:
    if resp.status_code != 200 or not is_html(resp):
        return
    html = resp.content.decode("utf-8", "replace")
    if path.startswith("/api/docs"):
        return  # the Swagger UI shell is third-party; its content is checked via openapi.json
    standalone = path.startswith("/admin/") or "/report." in path  # reports stand alone
    if settings.SRDI_SITE_NAME not in html and not standalone:
        problems.append(f"{path}: 页面缺少站点名称")
    bad = english_headings(html)
    if path.startswith("/admin/"):  # Django 5.2's own visually-hidden headers lack zh-hans
        bad = [b for b in bad if b not in ADMIN_UNTRANSLATED]
    if bad:
        problems.append(f"{path}: 未翻译的英文标题/按钮 {bad[:5]}")


def get(client, path, follow=False):
    try:
        return client.get(path, follow=follow)
    except Exception as exc:  # the test client re-raises view exceptions: that is a 500
        return exc


def status_of(resp) -> int:
    return 500 if isinstance(resp, Exception) else resp.status_code


def describe(resp) -> str:
    if isinstance(resp, Exception):
        return f"500 ({type(resp).__name__}: {str(resp)[:200]})"
    return str(resp.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_pages_of_role(role, demo, client):
    user = demo["users"][role]
    client.force_login(user)
    ent, other = demo["ent"], demo["other"]
    sees_all = role in {"admin", "department"}
    problems: list[str] = []
    seen: dict[str, int] = {}

    def visit(path, expect=None, follow=False):
        resp = get(client, path, follow=follow)
        code = status_of(resp)
        seen[path] = code
        if code >= 500:
            problems.append(f"{path}: {describe(resp)}")
        elif expect and code not in expect:
            problems.append(f"{path}: 期望 {sorted(expect)}，实际 {code}")
        if not isinstance(resp, Exception):
            check_chinese(path, resp, problems)
        return resp

    # 1. navigation of base.html
    nav_pages = {}
    for path, roles in NAV:
        # a partner's 企业库 is the consent-filtered list of the finance pages (a redirect)
        follow = path == "/" or (role == "partner" and path == "/enterprises/")
        resp = visit(path, {200} if role in roles else None, follow=follow)
        if role not in roles and not isinstance(resp, Exception):
            # hidden from the menu: must not be readable as a page either (redirect/403/404 ok)
            if path in {"/audit/", "/cultivation/pool/", "/evaluation/whatif/", "/io/import/"}:
                if resp.status_code == 200:
                    problems.append(f"{path}: 角色 {role} 不应看到此页，实际 200")
        if not isinstance(resp, Exception) and resp.status_code == 200 and is_html(resp):
            nav_pages[path] = resp.content.decode("utf-8", "replace")

    # the menu shows exactly the links of the role
    home = nav_pages.get("/enterprises/", "")  # a page every role may see
    for path, roles in NAV:
        shown = f'href="{path}"' in home
        if shown != (role in roles):
            problems.append(f"菜单 {path}: 角色 {role} {'不应' if shown else '应'}显示")

    # 2. every URL pattern without arguments: no 500
    for path in no_arg_paths():
        if path not in seen:
            visit(path)

    # 3. per-enterprise pages: in scope 200, out of scope 403/404
    for tmpl, roles in ENTERPRISE_PAGES:
        visit(
            tmpl.format(uscc=ent.uscc),
            {200} if role in roles else {403, 404},
            follow=role == "partner",  # partners: the registry page sends to the filtered one
        )
        visit(tmpl.format(uscc=other.uscc), {200} if sees_all else {403, 404})
    for fmt in ("html",):
        visit(f"/diagnosis/{ent.uscc}/report.{fmt}")

    # 4. two levels of links from the navigation pages and the in-scope enterprise page
    sources = dict(nav_pages)
    detail = get(client, f"/enterprises/{ent.uscc}/")
    if not isinstance(detail, Exception) and detail.status_code == 200:
        sources[f"/enterprises/{ent.uscc}/"] = detail.content.decode("utf-8", "replace")
    per_shape: dict[str, int] = {}
    for _level in range(2):
        found: dict[str, str] = {}
        for html in sources.values():
            for href in links_of(html):
                href = urldefrag(href)[0]
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or not href.startswith("/"):
                    continue
                if href.startswith(("/admin/", "/static/", "/accounts/logout")):
                    continue
                if href in seen or href in found:
                    continue
                # at most 3 links per shape of path (numbers and USCCs collapsed)
                shape = re.sub(r"[0-9A-Z]{18}|\d+", "#", parts.path)
                if per_shape.get(shape, 0) >= 3:
                    continue
                per_shape[shape] = per_shape.get(shape, 0) + 1
                resp = visit(href)
                if not isinstance(resp, Exception) and resp.status_code == 200 and is_html(resp):
                    found[href] = resp.content.decode("utf-8", "replace")
        sources = found

    if os.environ.get("SRDI_QA_DUMP"):
        print("\n".join(f"{c} {p}" for p, c in sorted(seen.items())))
    assert len(seen) >= 60, f"只访问了 {len(seen)} 个地址"
    assert not problems, f"角色 {role}：\n" + "\n".join(problems)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(demo, client):
    """Every page without arguments either answers publicly or redirects to the login page."""
    problems = []
    public = {"/accounts/login/", "/healthz", "/jsi18n/", "/api/openapi.json", "/api/docs"}
    for path in no_arg_paths():
        resp = get(client, path)
        code = status_of(resp)
        if code >= 500:
            problems.append(f"{path}: {describe(resp)}")
        elif path not in public and code == 200 and is_html(resp):
            problems.append(f"{path}: 未登录即可访问 (200)")
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    assert settings.SRDI_SITE_NAME in login.content.decode()
    assert not english_headings(login.content.decode())
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_api_docs_and_openapi(demo, client):
    client.force_login(demo["users"]["admin"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    spec = json.loads(resp.content)
    assert spec.get("openapi", "").startswith("3.")
    assert CJK.search(spec["info"]["title"]), spec["info"]
    missing = []
    count = 0
    for route, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            count += 1
            if not (op.get("summary") or op.get("description")):
                missing.append(f"{method.upper()} {route}")
    assert count >= 10
    assert not missing, "接口缺少 summary/description: " + ", ".join(missing)


@pytest.mark.django_db
def test_api_operations_documented_in_chinese(demo, client):
    """Every operation's summary or description contains Chinese."""
    client.force_login(demo["users"]["admin"])
    spec = client.get("/api/openapi.json").json()
    english = []
    for route, item in spec["paths"].items():
        for method, op in item.items():
            text = (op.get("summary") or "") + (op.get("description") or "")
            if method in {"get", "post", "put", "patch", "delete"} and not CJK.search(text):
                english.append(f"{method.upper()} {route}: {text[:60]!r}")
    assert not english, "接口说明不是中文: " + "; ".join(english)


def test_system_checks_pass():
    out = io.StringIO()
    call_command("check", deploy=False, stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"缺少迁移（makemigrations --check 退出码 {exc.code}）:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_menu_links_lead_to_pages(demo, client):
    """An administrator without Django staff rights sees no 管理后台 link (it would bounce to
    the admin login); a commissioner sees no 数据导入 link (the import page refuses them)."""
    from srdi.accounts.models import User
    from srdi.accounts.roles import Role

    plain_admin = User.objects.create_user("qa_admin_nostaff", password="x", role=Role.ADMIN)
    client.force_login(plain_admin)
    html = client.get("/cultivation/").content.decode()
    assert 'href="/audit/"' in html and 'href="/admin/"' not in html
    assert client.get("/admin/").status_code == 302

    client.force_login(demo["users"]["commissioner"])
    html = client.get("/cultivation/").content.decode()
    assert 'href="/io/import/"' not in html
    assert client.get("/io/import/").status_code == 403
