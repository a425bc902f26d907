"""Issue 11 item 3: the platform's own Chinese error pages, never Django's debug pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

ROOT = Path(__file__).resolve().parents[2]
DEBUG_PAGE_MARKS = ["URLconf", "Page not found", "Using the URLconf", "Traceback", "Django"]


@pytest.mark.django_db
def test_out_of_scope_enterprise_is_the_platforms_404(users, enterprises, login):
    client = login(users["region_officer"])  # 板块 A's officer; enterprise B is in 板块 B
    assert not settings.DEBUG
    resp = client.get(f"/enterprises/{enterprises[1].uscc}/")
    assert resp.status_code == 404
    html = resp.content.decode()
    assert "页面不存在" in html and settings.SRDI_SITE_NAME in html
    assert not [m for m in DEBUG_PAGE_MARKS if m in html], html[:500]
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404 and "页面不存在" in resp.content.decode()


@pytest.mark.django_db
def test_403_400_500_pages_are_chinese(users, login):
    client = login(users["commissioner"])
    resp = client.get("/io/import/")  # commissioners may not import
    assert resp.status_code == 403
    assert "无权访问" in resp.content.decode()
    for name in ("400.html", "403_csrf.html", "500.html"):
        html = render_to_string(name)
        assert re.search(r"[\u4e00-\u9fff]{4}", html), name
        assert not [m for m in DEBUG_PAGE_MARKS if m in html], name


@pytest.mark.django_db
def test_static_files_are_served_by_the_app(client):
    resp = client.get("/static/srdi/site.css")
    assert resp.status_code == 200


def test_make_run_serves_without_debug():
    """`make run` turns debug off (the Chinese error pages) and serves over local HTTP."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n## ", 1)[0]
    assert "SRDI_DEBUG=1" not in run
    assert "RUN_ENV" in run and "SRDI_DEBUG=0" in makefile


@pytest.mark.django_db
def test_region_filter_lists_only_regions_in_scope(users, regions, login):
    """Issue 11 item 4: a 板块 officer's 板块 filter offers its own 板块 only."""
    html = login(users["region_officer"]).get("/enterprises/").content.decode()
    assert f">{regions[0].name}<" in html
    assert f">{regions[1].name}<" not in html
    html = login(users["admin"]).get("/enterprises/").content.decode()
    assert f">{regions[1].name}<" in html
