"""The evaluation pages: per-enterprise verdicts with trace, and what-if (officials only)."""

from __future__ import annotations

import pytest

from srdi.evaluation.models import EvaluationRecord

pytestmark = pytest.mark.django_db


def test_enterprise_page_shows_verdicts_and_trace(users, enterprises, login):
    a = enterprises[0]
    r = login(users["admin"]).get(f"/evaluation/{a.uscc}/?as_of=2025-06-30")
    assert r.status_code == 200
    html = r.content.decode()
    assert "中小企业划型标准规定" in html and "推理过程与依据" in html
    assert "待核实" in html  # the 2022 小巨人 链/品 items are unverified


def test_enterprise_page_is_scoped(users, enterprises, login):
    assert login(users["enterprise"]).get(f"/evaluation/{enterprises[1].uscc}/").status_code == 404


def test_saving_from_the_page(users, enterprises, login):
    a = enterprises[0]
    r = login(users["admin"]).post(f"/evaluation/{a.uscc}/?as_of=2025-06-30")
    assert r.status_code == 302
    assert EvaluationRecord.objects.filter(enterprise=a, run__as_of="2025-06-30").exists()


def test_whatif_form_runs_as_a_job_and_charts_gains_and_losses_by_region(users, enterprises, login):
    """Issue 11 item 7: pick a standard, a threshold and a new value (no rule paths typed);
    the what-if runs as a job with progress; the result charts gains/losses by 板块."""
    from datetime import date

    from srdi.core.models import Job
    from srdi.evaluation import whatif_form as W
    from srdi.registry.selectors import iter_profiles
    from srdi.rules.catalog import load_standard
    from srdi.rules.whatif import whatif

    client = login(users["admin"])
    page = client.get("/evaluation/whatif/?standard=srdi-sme@2026").content.decode()
    assert "上年营业收入 ≥ 1500" in page and "conditions." not in page and "score.pass" not in page
    key = "revenue|y1.revenue|1500"
    r = client.post(
        "/evaluation/whatif/",
        {"standard": "srdi-sme@2026", "key": key, "value": "abc", "as_of": "2026-06-30"},
    )
    assert r.status_code == 200 and "不是有效数字" in r.content.decode()
    r = client.post(
        "/evaluation/whatif/",
        {"standard": "srdi-sme@2026", "key": key, "value": "1", "as_of": "2026-06-30"},
    )
    job = Job.objects.get(kind="whatif")
    assert r.url == f"/jobs/{job.pk}/" and job.status == "done", job.message
    assert client.get(f"/jobs/{job.pk}.json").json()["next"] == f"/evaluation/whatif/jobs/{job.pk}/"
    html = client.get(f"/evaluation/whatif/jobs/{job.pk}/").content.decode()
    std = load_standard("srdi-sme@2026")
    direct = whatif(
        list(iter_profiles(enterprises[0].__class__.objects.all())),
        "srdi-sme@2026",
        W.changes_for(std, key, "1"),
        date(2026, 6, 30),
    )
    chart = W.by_region(direct["changed"])
    assert f"新增符合 {chart['total_gains']} 家，不再符合 {chart['total_losses']} 家" in html
    assert "上年营业收入 ≥ 1500" in html
    # another official cannot open someone else's result
    assert login(users["department"]).get(f"/evaluation/whatif/jobs/{job.pk}/").status_code == 404


def test_threshold_change_moves_every_comparison_of_the_same_input():
    from srdi.evaluation import whatif_form as W
    from srdi.rules.catalog import load_standard

    std = load_standard("srdi-sme@2026")
    ((path, rule),) = W.changes_for(std, "revenue|y1.revenue|1500", "1200")
    assert path == "conditions.revenue.rule"
    assert "1500" not in rule and rule.count("y1.revenue") == 2 and "1200" in rule
    with pytest.raises(ValueError, match="请选择"):
        W.changes_for(std, "nope|x|1", "1")


def test_gains_and_losses_by_region_use_names():
    from srdi.evaluation import whatif_form as W

    changed = [
        {"uscc": "x1", "verdict_changed": True, "before": {"outcome": "ineligible"}, "after": {"outcome": "eligible"}},
        {"uscc": "x2", "verdict_changed": True, "before": {"outcome": "eligible"}, "after": {"outcome": "ineligible"}},
        {"uscc": "x3", "verdict_changed": False, "before": {"outcome": "eligible"}, "after": {"outcome": "eligible"}},
    ]  # fmt: skip
    d = W.by_region(changed)
    assert d["regions"] == ["未填写板块"] and d["gains"] == [1] and d["losses"] == [-1]


def test_whatif_page_refused_to_enterprises(users, login):
    assert login(users["enterprise"]).get("/evaluation/whatif/").status_code == 403
