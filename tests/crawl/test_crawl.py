"""Issue 11 "Done when": every page every role can reach speaks the user's language.

On the demo data (`loadref`, `demo`, the policy catalogue, the pool, `demo_users`) each demo
account is crawled from its home page, the menu and every URL pattern without arguments
(tests/crawl/crawler.py). The crawl fails on any answer >= 500, any link or button shown to the
user that answers 403, any forbidden token or English sentence on a page or in a download
(tests/crawl/screen_rules.yaml). Failure messages name the role, the page and the text.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from .crawler import Crawl, Rules, no_arg_paths

# demo account → the role it stands for (both kinds of partner are crawled)
ACCOUNTS = {
    "admin": "市工信局",
    "kjj": "部门",
    "region": "板块",
    "commissioner": "服务专员",
    "enterprise": "企业",
    "bank": "银行",
    "university": "高校",
}


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    from srdi.accounts.models import User

    tmp = tempfile.TemporaryDirectory()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("loadref", stdout=out)
            call_command(
                "demo",
                enterprises=int(os.environ.get("SRDI_CRAWL_ENTERPRISES", "40")),
                seed=1,
                stdout=out,
            )
            call_command("policycatalogue", publish=True, stdout=out)
            call_command("alerts", refresh_pool=True, stdout=out)
            with override_settings(VAR_DIR=Path(tmp.name)):  # its password file
                call_command("demo_users", stdout=out)
            users = {name: User.objects.get(username=name) for name in ACCOUNTS}
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            tmp.cleanup()
            raise
        yield users
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    tmp.cleanup()


def start_paths(user) -> list[str]:
    paths = ["/", *no_arg_paths()]
    if user.enterprise_id:
        paths.append(f"/enterprises/{user.enterprise.uscc}/")
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_crawl_role(account, demo_site, client):
    user = demo_site[account]
    client.force_login(user)
    crawl = Crawl(client, ACCOUNTS[account], Rules.load()).run(start_paths(user))
    if os.environ.get("SRDI_CRAWL_DUMP"):
        print("\n".join(f"{c} {p}" for p, c in sorted(crawl.seen.items())))
        slow = sorted(crawl.timings.items(), key=lambda x: -x[1])[:20]
        print(
            "\n".join(f"{t:.2f}s {p}" for p, t in slow), f"total {sum(crawl.timings.values()):.1f}s"
        )
    assert len(crawl.seen) >= 30, f"{ACCOUNTS[account]}：只访问了 {len(crawl.seen)} 个地址"
    problems = sorted(set(map(str, crawl.problems)))
    assert not problems, f"{len(problems)} 处问题：\n" + "\n".join(problems[:150])


def test_rules_catch_what_issue_11_lists():
    """The detector itself: each kind of machinery named in issue 11 is caught."""
    rules = Rules.load()
    samples = {
        "main_revenue": "字段键名",
        "所属板块 None": "空值字面量",
        "ip.class1 >= 1 or rd.ratio >= 3": "规则表达式",
        "Application object (1)": "Python 对象表示",
        "policy.application.review": "动作代码",
        "见 context.md §6.1": "内部文件路径",
        "部分导入 部分导入": "重复词语",
        "金额 999.0000": "多余小数位（金额最多 2 位小数）",
        "营业收入 37988.38 万元": "未加千位分隔符的数字",
        "规则文件 3f9a0c1d2e4b5a6978": "规则文件摘要（应放入技术信息附录）",
        "Page not found at this address": "英文句子",
    }
    for text, label in samples.items():
        found = [k for k, _ in rules.check_text(text)]
        assert label in found, (text, found)
    for fine in [
        "营业收入 37,988.38 万元",
        "占比 12.5%",
        "2026年12月6日",
        "导出 Excel",
        "API 文档",
    ]:
        assert rules.check_text(fine) == [], fine
