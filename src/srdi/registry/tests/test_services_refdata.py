"""srdi loadref: reference YAML into the tables, idempotent, administrator edits kept."""

import io

from django.core.management import call_command

from srdi import reference
from srdi.registry.models import Industry, ReferenceItem, Region


def _loadref(*args):
    out = io.StringIO()
    call_command("loadref", *args, stdout=out)
    return out.getvalue()


def test_loadref_loads_regions_with_status_and_source(db):
    out = _loadref()
    assert "板块：新增" in out
    names = [r["name"] for r in reference.load("regions")["items"]]
    assert list(Region.objects.order_by("sort_order").values_list("name", flat=True)) == names
    meili = Region.objects.get(name="梅李镇")
    assert meili.kind == "town" and meili.status == "verified" and "S10" in meili.source
    zone = Region.objects.get(name="常熟经济技术开发区")
    assert zone.kind == "zone" and zone.short_name == "常熟经开区"
    partial = Region.objects.get(name="常熟新材料产业园")
    assert partial.status == "partial" and partial.needs_verification
    sei = ReferenceItem.objects.get(scheme="sei2018", code="2.1")
    assert sei.parent.code == "2" and sei.name == "智能制造装备产业"
    assert ReferenceItem.objects.filter(scheme="foundation_fields").count() == 6
    if Industry.objects.exists():  # industries.yaml present
        c3451 = Industry.objects.get(code="C3451")
        assert c3451.level == "class" and c3451.parent.code == "C345"


def test_loadref_is_idempotent_and_keeps_admin_edits_unless_update(db):
    _loadref()
    counts = (Region.objects.count(), ReferenceItem.objects.count(), Industry.objects.count())
    r = Region.objects.get(name="梅李镇")
    r.short_name = "梅李"
    r.status = "unverified"
    r.save()
    out = _loadref()
    assert "新增 0" in out
    assert (
        Region.objects.count(),
        ReferenceItem.objects.count(),
        Industry.objects.count(),
    ) == counts
    r.refresh_from_db()
    assert (r.short_name, r.status) == ("梅李", "unverified")
    _loadref("--update")
    r.refresh_from_db()
    assert (r.short_name, r.status) == ("", "verified")


def test_template_command_writes_the_xlsx_template(tmp_path):
    from openpyxl import load_workbook

    out = io.StringIO()
    dest = tmp_path / "t.xlsx"
    call_command("template", "-o", str(dest), stdout=out)
    wb = load_workbook(dest)
    assert {"填写说明", "企业基本信息", "年度数据", "称号"} <= set(wb.sheetnames)
    assert wb["企业基本信息"]["A1"].value.startswith("统一社会信用代码")
