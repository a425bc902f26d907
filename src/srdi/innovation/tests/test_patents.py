"""Patents: xlsx import (all or nothing), ip.* counts from records with provenance, catalogue."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srdi.innovation import patents
from srdi.registry.models import DataSource, IPAsset


def _xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "知识产权"
    ws.append(patents.HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_computes_profile_counts_with_provenance(users, enterprises):
    a, _b = enterprises
    a.ip_class1, a.ip_class2 = 9, 9  # typed before
    a.save()
    rows = [
        [a.uscc, "ZL1", "装置", "发明专利", "已授权", "2023-01-01", "2024-01-01", "轴承", "是", "是", "战略性新兴产业的发明专利"],
        [a.uscc, "ZL2", "方法", "发明专利", "申请中", "2025-01-01", None, "", "是", "否", ""],
        [a.uscc, "ZL3", "结构", "实用新型专利", "已授权", "2023-01-01", "2023-08-01", "", "否", "否", ""],
        [a.uscc, "SR4", "软件", "软件著作权", "已授权", None, "2022-01-01", "", "是", "是", ""],
    ]  # fmt: skip
    res = patents.import_xlsx(users["admin"], _xlsx(rows))
    assert res == {"rows": 4, "enterprises": 1}
    a.refresh_from_db()
    assert (a.ip_class1, a.ip_class1_high_value, a.ip_class1_applied, a.ip_class2) == (1, 1, 1, 2)
    src = DataSource.objects.get(pk=a.field_sources["ip.class1"])
    assert "知识产权明细" in src.label
    # the same file again changes nothing and adds nothing
    patents.import_xlsx(users["admin"], _xlsx(rows))
    assert IPAsset.objects.filter(enterprise=a).count() == 4
    cands = patents.priority_exam_candidates(a)
    assert cands == [] or all(c["asset"].number == "ZL2" for c in cands)
    a.priority_field = True
    a.save()
    assert [c["asset"].number for c in patents.priority_exam_candidates(a)] == ["ZL2"]


def test_bad_file_imports_nothing_and_says_where(users, enterprises):
    a, b = enterprises
    rows = [
        [a.uscc, "ZL9", "x", "发明专利", "已授权", "2024-13-01", None, "", "是", "否", ""],
        [a.uscc, "", "x", "专利", "有效", None, None, "", "也许", "否", "很贵"],
        ["91320581000000000X", "ZL8", "x", "发明专利", "已授权", None, None, "", "是", "否", ""],
    ]  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        patents.import_xlsx(users["admin"], _xlsx(rows))
    text = " ".join(exc.value.messages)
    for words in (
        "第 2 行“申请日期”",
        "第 3 行缺少“编号”",
        "第 3 行“类型”未知",
        "“状态”未知",
        "“自主研发”应为 是/否",
        "“高价值情形”未知",
        "第 4 行企业不存在",
    ):
        assert words in text
    assert not IPAsset.objects.exists()
    # an enterprise may not import another enterprise's patents
    with pytest.raises(ValidationError) as exc:
        patents.import_xlsx(
            users["enterprise"],
            _xlsx([[b.uscc, "ZL7", "x", "发明专利", "已授权", None, None, "", "是", "否", ""]]),
        )
    assert "无权" in " ".join(exc.value.messages)
    with pytest.raises(PermissionDenied):
        patents.save_patent(users["partner"], a, {"编号": "ZL1", "类型": "发明专利"})


def test_patent_pages_are_scoped(users, enterprises, client):
    a, b = enterprises
    IPAsset.objects.create(enterprise=b, kind="invention_patent", number="ZL-B", title="乙企业专利")
    client.force_login(users["enterprise"])
    page = client.get("/innovation/patents/").content.decode()
    assert "乙企业专利" not in page and "待核实" in page
    assert client.get("/innovation/patents/template/").status_code == 200


def test_patent_navigation_is_asked_for_as_a_routed_request(users, enterprises, client):
    """专利导航 / 优先审查 (plan 二(五)) become requests of the service system, routed to the
    department its routing table names; another enterprise's page answers 404."""
    from srdi.support.models import ServiceRequest

    a, b = enterprises
    IPAsset.objects.create(enterprise=a, kind="invention_patent", number="ZL-A", title="甲企业专利",
                           status=IPAsset.Status.GRANTED)  # fmt: skip
    client.force_login(users["enterprise"])
    page = client.get("/innovation/patents/").content.decode()
    assert f"/innovation/patents/{a.uscc}/request/patent_navigation/" in page
    r = client.post(f"/innovation/patents/{a.uscc}/request/patent_navigation/", {"note": "请协助"})
    req = ServiceRequest.objects.get(enterprise=a, subkind="patent_navigation")
    assert r.status_code == 302 and r.url == f"/support/requests/{req.pk}/"
    assert (
        req.category == "technology" and req.department == "scjgj" and "请协助" in req.description
    )
    page = client.get("/innovation/patents/").content.decode()
    assert "申请专利导航" in page and f"/support/requests/{req.pk}/" in page
    # out of scope: 404, nothing filed; an unknown service: 404
    assert (
        client.post(f"/innovation/patents/{b.uscc}/request/patent_navigation/").status_code == 404
    )
    assert client.post(f"/innovation/patents/{a.uscc}/request/nothing/").status_code == 404
    assert ServiceRequest.objects.filter(enterprise=b).count() == 0
    # a bank may not file for an enterprise: no button, and the door refuses
    client.force_login(users["partner"])
    assert client.post(f"/innovation/patents/{a.uscc}/request/patent_navigation/").status_code in (
        403,
        404,
    )
    assert ServiceRequest.objects.filter(enterprise=a).count() == 1
