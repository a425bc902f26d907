import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from srdi.core import measures
from srdi.cultivation import plans, selectors, services, shares, targets
from srdi.registry.models import AnnualFigures, Enterprise

D = dt.date
DAY = D(2025, 12, 31)
PLAN_TEXT = (
    Path(__file__).resolve().parents[4] / "docs" / "reference" / "plan-2023-2025.md"
).read_text(encoding="utf-8")


def row_of(tid, day=DAY, scope=selectors.CITY, plan_key=None):
    return next(r for r in targets.evaluate(day, scope, plan_key=plan_key) if r["id"] == tid)


def actual(tid, day=DAY, scope=selectors.CITY, plan_key=None):
    return row_of(tid, day, scope, plan_key)["actual"]


def test_every_numeric_target_of_the_plan_with_its_own_words(db):
    p = plans.get("2023-2025")
    defs = {d["id"]: d for d in p["targets"]}
    assert len(defs) >= 28
    flat = re.sub(r"\s+", "", PLAN_TEXT)
    for d in defs.values():
        # the wording is quoted from the plan ("……" marks an elision)
        for fragment in d["wording"].split("……"):
            assert re.sub(r"\s+", "", fragment) in flat, (d["id"], fragment)
        assert re.fullmatch(r"[一二三]\([一二三四五六七八]\)", d["section"]), d["id"]
        assert d["reading"], d["id"]  # the counting reading is written beside it
        assert d["measure"]["kind"] != "manual", d["id"]  # every domain is named
    expected = {
        "champions_giants": (">=", 50),
        "srdi_sme": (">=", 250),
        "innovative_sme": (">=", 1200),
        "rd_intensity": (">", 7),
        "smart_transformation": ("all", 100),
        "cnc_rate": (">", 65),
        "digital_management": (">", 80),
        "digital_rd_tools": (">=", 90),
        "revenue_share": (">", 50),
        "chain_coverage": ("all", 100),
        "public_service_platforms": (">=", 8),
        "startup_bases": (">=", 3),
        "innovation_platforms": (">=", 50),
        "clusters_provincial": (">=", 10),
        "clusters_national": (">=", 2),
        "iur_projects": (">=", 800),
        "tech_vice_presidents": (">=", 50),
        "mayor_quality_award": (">=", 6),
        "quality_excellence_award": (">=", 15),
        "certified_products": (">=", 12),
        "suzhou_made_system": (">=", 10),
        "free_diagnosis": ("all", 100),
        "integration_standard": ("all", 100),
        "smart_workshops": (">=", 30),
        "smart_factories": (">=", 5),
        "cloud_enterprises": (">=", 200),
        "listing_reserve": (">=", 30),
        "new_listings": (">=", 3),
        "commissioners": (">=", 50),
        "commissioner_ratio": ("<=", 2),
    }
    for tid, (op, figure) in expected.items():
        assert (defs[tid]["op"], defs[tid]["target"]) == (op, figure), tid
        assert defs[tid]["deadline"] == DAY
    assert "规上中小工业企业" in defs["revenue_share"]["wording"]
    names = {d["measure"].get("name") for d in defs.values()}
    assert {
        "support.commissioners",
        "support.commissioner_ratio",
        "chains.coverage",
        "chains.clusters_provincial",
        "chains.clusters_national",
        "finance.listing_reserve",
        "finance.listed_new",
        "innovation.projects_new",
        "innovation.tech_vps",
    } <= names


def test_title_counts_are_cumulative_as_the_plan_says(enterprises, make_title):
    a, b = enterprises
    make_title(a, "little_giant", level="national", granted=D(2024, 7, 1))
    make_title(a, "srdi_sme", granted=D(2022, 1, 1))  # expired 2024-12-31: still 累计培育
    make_title(b, "single_champion", level="national", granted=D(2023, 1, 1))
    make_title(b, "srdi_sme", granted=D(2025, 1, 1), status="revoked", revoked_at=D(2025, 6, 1))
    assert actual("champions_giants") == 2
    assert actual("srdi_sme") == 1  # the revoked one no longer counts
    assert actual("srdi_sme", D(2025, 5, 31)) == 2  # before the revocation


def test_ratio_of_sums_exact_and_population(enterprises, make_title):
    a, b = enterprises
    make_title(a, "srdi_sme", granted=D(2024, 1, 1))
    AnnualFigures.objects.update_or_create(enterprise=a, year=2024, defaults=dict(
        revenue=3000, rd_expense=210, cnc_rate=70, digital_management=True, digital_rd_tools=False,
    ))  # fmt: skip
    # b is not in the population (no title): its figures must not count
    AnnualFigures.objects.update_or_create(
        enterprise=b, year=2024, defaults=dict(revenue=1000, rd_expense=0, cnc_rate=10)
    )
    row = row_of("rd_intensity", D(2025, 6, 30))
    assert row["actual"] == 7 and row["year"] == 2024
    assert row["achieved"] is False  # target is "> 7": exactly 7 is not above it
    assert actual("cnc_rate", D(2025, 6, 30)) == 70
    assert actual("digital_management", D(2025, 6, 30)) == 100
    assert actual("digital_rd_tools", D(2025, 6, 30)) == 0


def _unplug(monkeypatch, *names):
    """Take domains' measures out of the registry for one test (as before their app is merged
    or when it is switched off); restored afterwards."""
    from django.core.cache import cache

    for name in names or ("chains.coverage",):
        monkeypatch.delitem(measures._MEASURES, name, raising=False)
    cache.clear()  # the targets are cached per data version


def test_unregistered_domain_shows_not_connected_never_a_number(enterprises, monkeypatch):
    _unplug(monkeypatch, "chains.coverage", "finance.listing_reserve", "support.commissioners")
    for tid in ("chain_coverage", "listing_reserve", "commissioners"):
        r = row_of(tid)
        assert r["connected"] is False and r["actual"] is None
        assert r["status"] == "not_connected" and r["status_label"] == "未接入"
        assert "未接入" in r["measured_by_label"] and r["progress_pct"] is None
        assert targets.series(targets.definition(tid, "2023-2025"), DAY) == []

    @measures.register("chains.coverage", label="配套覆盖", unit="%")
    def _cov(day, scope, params):
        return measures.Measured(actual=measures_value, items=[], note="测试")

    measures_value = 100
    try:
        from django.core.cache import cache

        cache.clear()
        r = row_of("chain_coverage")
        assert r["connected"] is True and r["actual"] == 100 and r["status"] == "met"
    finally:
        cache.clear()


def test_after_the_deadline_the_status_is_the_value_on_the_deadline(enterprises, make_title):
    a, b = enterprises
    make_title(a, "little_giant", level="national", granted=D(2025, 3, 1))
    make_title(b, "little_giant", level="national", granted=D(2026, 3, 1))  # after the plan
    r = row_of("champions_giants", D(2026, 6, 30), plan_key="2023-2025")
    assert r["actual"] == 1 and r["as_of"] == "2025-12-31" and r["deadline_passed"]
    assert r["status"] == "missed" and r["status_label"] == "期末（2025-12-31）未达成"
    assert r["forecast"]["method"] == "deadline_passed" and "期限日" in r["forecast"]["label"]


def test_never_achieved_beside_a_risk(enterprises, make_title):
    a, _ = enterprises
    make_title(a, "srdi_sme", granted=D(2022, 6, 1), valid_until=D(2027, 1, 1))
    for year, rate in ((2022, 95), (2023, 85), (2024, 70)):
        AnnualFigures.objects.update_or_create(enterprise=a, year=year, defaults={"cnc_rate": rate})
    r = row_of("cnc_rate", D(2025, 3, 31))
    assert r["achieved"] is True  # 70 > 65 today
    assert r["forecast"]["likely"] is False and "最小二乘" in r["forecast"]["label"]
    assert r["status"] == "at_risk" and "已达成" not in r["status_label"]


NEXT_PLAN = {
    "key": "2026-2028",
    "title": "常熟市专精特新企业培育三年行动计划（2026-2028年）（测试用）",
    "period": {"start": "2026-01-01", "end": "2028-12-31"},
    "targets": [
        {"id": "giants_next", "section": "一(三)", "name": "专精特新“小巨人”企业",
         "wording": "累计培育专精特新“小巨人”企业80家以上", "unit": "家", "op": ">=",
         "target": 80, "deadline": "2028-12-31", "reading": "持有有效称号的企业数",
         "measure": {"kind": "title_count", "tiers": ["little_giant"]}},
        {"id": "fairs", "section": "二(九)", "name": "参加展会企业",
         "wording": "组织企业参加展会300家次", "unit": "家次", "op": ">=", "target": 300,
         "measure": {"kind": "manual"}},
    ],
}  # fmt: skip


def test_load_the_next_plan_without_code(users, enterprises, make_title, regions):
    content = yaml.safe_dump(NEXT_PLAN, allow_unicode=True).encode()
    with pytest.raises(PermissionDenied):
        services.load_plan(users["region_officer"], content, "next.yaml")
    obj = services.load_plan(users["admin"], content, "next.yaml")
    assert obj.key == "2026-2028"
    assert set(plans.all_plans()) >= {"2023-2025", "2026-2028"}
    assert plans.plan_for(D(2027, 5, 1))["key"] == "2026-2028"
    assert plans.plan_for(D(2025, 5, 1))["key"] == "2023-2025"
    assert plans.plan_for(D(2030, 1, 1))["key"] == "2026-2028"  # the last finished plan
    make_title(enterprises[0], "little_giant", level="national", granted=D(2026, 4, 1))
    rows = targets.evaluate(D(2026, 11, 30))
    assert [r["id"] for r in rows] == ["giants_next", "fairs"]
    assert rows[0]["actual"] == 1 and rows[0]["plan"] == "2026-2028"
    # a manual target (its domain does not exist) is typed in, by 板块 or for the city
    services.record_manual_figure(users["admin"], target_id="fairs", value="120",
                                  as_of=D(2026, 9, 30), source="市商务局", region=regions[0])  # fmt: skip
    services.record_manual_figure(users["region_officer"], target_id="fairs", value=30,
                                  as_of=D(2026, 10, 31), source="镇统计", region=regions[0])  # fmt: skip
    from django.core.cache import cache

    cache.clear()
    assert actual("fairs", D(2026, 11, 30)) == 30
    with pytest.raises(ValidationError, match="自动计算"):
        services.record_manual_figure(users["admin"], target_id="giants_next", value=1,
                                      as_of=D(2026, 1, 1), source="x")  # fmt: skip
    # the 2023–2025 plan is still there, finished
    assert row_of("champions_giants", D(2027, 5, 1), plan_key="2023-2025")["deadline_passed"]


def test_plan_files_are_checked_row_by_row(users):
    bad = dict(NEXT_PLAN, targets=[dict(NEXT_PLAN["targets"][0], op="≈", target="八十")])
    with pytest.raises(ValidationError) as exc:
        services.load_plan(
            users["admin"], yaml.safe_dump(bad, allow_unicode=True).encode(), "x.yaml"
        )
    text = "；".join(exc.value.messages)
    assert "第1项目标（giants_next）" in text and "比较方式" in text and "目标值应为数字" in text
    with pytest.raises(ValidationError, match="无法解析"):
        services.load_plan(users["admin"], b"key: [unclosed", "x.yaml")
    with pytest.raises(ValidationError, match=".yaml 或 .xlsx"):
        services.load_plan(users["admin"], b"", "x.txt")
    from srdi.cultivation.models import LoadedPlan

    assert not LoadedPlan.objects.exists()


def test_xlsx_template_round_trips_the_plan(users):
    content = plans.template_xlsx()
    parsed = plans.parse_xlsx(content)
    shipped = plans.get("2023-2025")
    assert [t["id"] for t in parsed["targets"]] == [t["id"] for t in shipped["targets"]]
    for a, b in zip(parsed["targets"], shipped["targets"], strict=True):
        assert (a["op"], str(a["target"]), a["wording"], a["measure"]) == (
            b["op"], str(b["target"]), b["wording"], b["measure"]
        )  # fmt: skip
    services.load_plan(users["admin"], content, "计划.xlsx")
    assert plans.all_plans()["2023-2025"]["origin"] == "loaded"


def test_region_parts_follow_the_population_share(enterprises, regions, make_title):
    r1, r2 = regions
    for i in range(2):  # 板块 A has 3 of 4 enterprises
        Enterprise.objects.create(uscc=f"Y{i:017d}", name=f"g{i}", region=r1)
    p = plans.get("2023-2025")
    defn = targets.definition("innovative_sme", "2023-2025")
    split = shares.split_target(p, defn)
    assert split[r1.pk] == 900 and split[r2.pk] == 300  # 1200 × 3/4, 1200 × 1/4
    rate = shares.split_target(p, targets.definition("cnc_rate", "2023-2025"))
    assert rate[r1.pk] == 65  # a rate applies to every 板块 unchanged
    sc = selectors.Scope(f"r{r1.pk}", region_id=r1.pk, label=r1.name)
    make_title(enterprises[0], "innovative_sme", granted=D(2024, 1, 1))
    r = row_of("innovative_sme", scope=sc)
    assert r["target"] == 900 and r["city_target"] == 1200 and r["actual"] == 1
    assert r["target_is_citywide"] is False
    ranking = targets.region_ranking(DAY, "2023-2025")
    assert ranking[0]["region"] == r1.name or ranking[0]["score"] >= ranking[-1]["score"]


def test_cli_json_lists_every_target_and_writes_the_final_assessment(
    enterprises, make_title, tmp_path, monkeypatch
):
    _unplug(monkeypatch)
    make_title(enterprises[0], "little_giant", level="national", granted=D(2025, 1, 1))
    out = StringIO()
    call_command("targets", "--format", "json", "--as-of", "2025-12-31", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["plan"] == "2023-2025" and len(doc["targets"]) >= 27
    for r in doc["targets"]:
        assert {"section", "wording", "target", "actual", "measure"} <= set(r)
        assert r["measured_by"] != "manual"
    row = next(r for r in doc["targets"] if r["id"] == "champions_giants")
    assert row["actual"] == 1 and row["target"] == 50 and row["measure"] == "title_count"
    out = StringIO()
    call_command("targets", "--as-of", "2025-12-31", stdout=out)
    assert "未接入" in out.getvalue() and "制造业单项冠军" in out.getvalue()
    target = tmp_path / "总结.docx"
    call_command("targets", "--plan", "2023-2025", "--final", "-o", str(target), stdout=StringIO())
    from docx import Document

    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    cells = "\n".join(c.text for t in Document(str(target)).tables for r in t.rows for c in r.cells)
    assert "完成情况总结" in text and "未达成" in cells and "制造业单项冠军" in cells
    assert "2023年末" in cells


def test_snapshot_feeds_the_final_assessment_trend(
    users, regions, enterprises, make_title, monkeypatch
):
    _unplug(monkeypatch)
    from srdi.cultivation import assessment
    from srdi.cultivation.models import TargetSnapshot

    make_title(enterprises[0], "srdi_sme", granted=D(2023, 5, 1))
    n = targets.snapshot(D(2023, 12, 31), "2023-2025")
    connected = sum(1 for d in plans.get("2023-2025")["targets"] if targets.connected(d))
    assert n == connected * (1 + len(regions))
    TargetSnapshot.objects.filter(target_id="srdi_sme", region=None).update(actual=7)
    d = assessment.data("2023-2025")
    r = next(x for x in d["rows"] if x["id"] == "srdi_sme")
    assert r["years"][0] == {"year": 2023, "value": 7, "source": "快照"}  # stored value wins
    assert r["years"][2] == {"year": 2025, "value": 1, "source": "按记录回算"}
    assert d["counts"]["not_connected"] >= 1 and "未接入" in assessment.summary(d)
    assert assessment.to_pdf(d)[:4] == b"%PDF"


def test_plan_pages_final_assessment_and_upload(users, enterprises, regions, login, monkeypatch):
    _unplug(monkeypatch)
    c = login(users["admin"])
    html = c.get("/cultivation/plans/").content.decode()
    assert "常熟市专精特新企业培育三年行动计划（2023-2025年）" in html and "已结束" in html
    html = c.get("/cultivation/plans/2023-2025/final/").content.decode()
    assert "完成情况总结" in html and "期末（2025-12-31）" in html and "2024年末" in html
    assert "未接入" in html and "chains.coverage" not in html and "registered" not in html
    pdf = c.get("/cultivation/plans/2023-2025/final/?format=pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    docx = c.get("/cultivation/plans/2023-2025/final/?format=docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert c.get("/cultivation/plans/1999-2000/final/").status_code == 404
    tpl = c.get("/cultivation/plans/template.xlsx")
    assert tpl.status_code == 200 and plans.parse_xlsx(tpl.content)["key"] == "2023-2025"
    from django.core.files.uploadedfile import SimpleUploadedFile

    up = SimpleUploadedFile("next.yaml", yaml.safe_dump(NEXT_PLAN, allow_unicode=True).encode())
    assert c.post("/cultivation/plans/", {"file": up}).status_code == 302
    assert "2026-2028" in plans.all_plans()
    html = c.get("/cultivation/?as_of=2026-11-30").content.decode()
    assert "giants_next" in html and "2026-2028" in html
    # a 板块 officer sees its own part, not the city's summary, and may not load plans
    c = login(users["region_officer"])
    assert c.get("/cultivation/plans/2023-2025/final/").status_code == 403
    bad = SimpleUploadedFile("next.yaml", b"key: x")
    assert c.post("/cultivation/plans/", {"file": bad}).status_code == 403
    html = c.get("/cultivation/?as_of=2025-12-31").content.decode()
    assert "本板块分解任务" in html


def test_plan_dates_are_refused_in_chinese_naming_the_field_and_the_value():
    doc = yaml.safe_load((plans.PLANS_DIR / "2023-2025.yaml").read_text(encoding="utf-8"))
    ok = plans.validate(
        {**doc, "period": {"start": dt.datetime(2023, 1, 1, 8), "end": "2025-12-31"}}
    )
    assert ok["period"]["start"] == dt.date(2023, 1, 1)  # an Excel date cell keeps only its day
    with pytest.raises(ValidationError) as e:
        plans.validate({**doc, "period": {"start": "2023-01-01", "end": None}})
    assert e.value.messages == ["请填写“计划期止”。"]
    with pytest.raises(ValidationError) as e:
        plans.validate({**doc, "period": {"start": "2023/01/01", "end": "2025-12-31"}})
    assert e.value.messages == ["“计划期起”不是有效日期（应如 2026-06-30）：2023/01/01"]
    first = {**doc["targets"][0], "deadline": "明年年底"}
    with pytest.raises(ValidationError) as e:
        plans.validate({**doc, "targets": [first, *doc["targets"][1:]]})
    assert e.value.messages == [
        f"“第1项目标（{first['id']}）期限”不是有效日期（应如 2026-06-30）：明年年底"
    ]


def test_plan_messages_go_through_translation(monkeypatch, db):
    """Every message of a plan check is a gettext msgid (Chinese), not a bare f-string."""
    marked = lambda s: f"⟦{s}⟧"  # noqa: E731 - a stand-in catalogue that marks what it translated
    monkeypatch.setattr(plans, "_", marked)
    bad = dict(NEXT_PLAN, targets=[{"id": "x", "op": "≈", "target": "八十", "split": "y",
                                    "measure": {"kind": "registered"}}, "not a dict"])  # fmt: skip
    with pytest.raises(ValidationError) as e:
        plans.validate(bad)
    assert len(e.value.messages) == 9
    assert all(m.startswith("⟦") and m.endswith("⟧") for m in e.value.messages)
    for doc in ([], {"key": "k" * 21, "title": "t", "period": {"start": "2026-01-01"}}):
        with pytest.raises(ValidationError) as e:
            plans.validate(doc)
        assert e.value.messages[0].startswith("⟦")
    with pytest.raises(ValidationError) as e:
        plans.parse_xlsx(b"not an xlsx file")
    assert e.value.messages == ["⟦无法读取该 Excel 文件（应为 .xlsx）。⟧"]
    with pytest.raises(KeyError) as e:
        plans.get("no-such-plan")
    assert e.value.args[0] == "⟦没有编号为“no-such-plan”的计划。⟧"
