"""Clusters (status from recognitions, DOCX fact sheet) and the xlsx import of chains."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srdi.chains import services, xlsx_io


def test_cluster_status_follows_recognition_years(users):
    c = services.save_cluster(users["admin"], {"name": "新集群", "provincial_year": "2024"})
    assert c.get_status_display() == "省级"
    c = services.save_cluster(users["admin"], {"name": "新集群", "provincial_year": "2024",
                                               "national_year": "2025"}, c)  # fmt: skip
    assert c.status == "national"
    with pytest.raises(ValidationError, match="应为年份"):
        services.save_cluster(users["admin"], {"name": "坏集群", "provincial_year": "去年"})
    with pytest.raises(PermissionDenied):
        services.save_cluster(users["region_officer"], {"name": "x"})


def test_docx_fact_sheet_lists_members_and_statistics(chain_setup, users, as_user):
    from docx import Document

    r = as_user(users["admin"]).get(f"/chains/clusters/{chain_setup['cluster'].pk}/docx/")
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "测试特色产业集群" in text and chain_setup["a"].name in text
    from decimal import Decimal

    from srdi.core.formatting import wan

    assert "成员营业收入合计" in text and wan(Decimal(12000)) in text
    assert (
        as_user(users["enterprise"])
        .get(f"/chains/clusters/{chain_setup['cluster'].pk}/docx/")
        .status_code
        == 403
    )


def _book(rows):
    from srdi.core import xlsx

    return xlsx.workbook([xlsx.Sheet(xlsx_io.SHEET, xlsx_io.HEADERS, rows)])


def test_import_round_trip_and_update(chain_setup, users):
    from srdi.chains.models import Chain, Node

    content = xlsx_io.export(Chain.objects.filter(pk=chain_setup["chain"].pk))
    n = xlsx_io.import_xlsx(users["admin"], content)
    assert n == {"chains": 1, "nodes": 3}
    assert Node.objects.filter(chain=chain_setup["chain"]).count() == 3
    rows = [["new", "新链", "", "新环节", "上游", "甲、乙", "", "关键基础材料", "C26", "甲", "是"]]
    xlsx_io.import_xlsx(users["admin"], _book(rows))
    node = Node.objects.get(chain__code="new")
    assert node.products == ["甲", "乙"] and node.foundation == "basic_material" and node.key_link


def test_import_is_all_or_nothing_with_row_messages(users):
    from srdi.chains.models import Chain

    rows = [["ok", "好链", "a", "好环节", "中游", "", "", "", "", "", ""],
            ["ok", "好链", "b", "坏环节", "旁游", "", "", "", "C99999", "", ""],
            ["ok", "", "c", "", "上游", "", "", "", "", "", ""]]  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        xlsx_io.import_xlsx(users["admin"], _book(rows))
    msgs = "\n".join(exc.value.messages)
    assert "未导入任何数据" in msgs and "第 3 行" in msgs and "上中下游" in msgs
    assert "第 4 行“产业链名称”为空" in msgs
    assert not Chain.objects.filter(code="ok").exists()
    with pytest.raises(ValidationError, match="无法读取"):
        xlsx_io.import_xlsx(users["admin"], b"not a workbook")
    with pytest.raises(PermissionDenied):
        xlsx_io.import_xlsx(users["region_officer"], _book(rows[:1]))
