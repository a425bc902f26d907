"""The shared patterns every domain builds on: formatting, the safe xlsx writer, lookup-and-scope."""

import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from srdi.core import access, xlsx
from srdi.core import formatting as fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (37988.384, "37,988.38万元"),
        (Decimal("999.0000"), "999万元"),
        (2756.1, "2,756.1万元"),
        (Decimal("0.005"), "0.01万元"),
        (Decimal("-1234567.5"), "-1,234,567.5万元"),
        (None, "—"),
    ],
)
def test_money_in_wan_with_separators_and_at_most_two_decimals(value, text):
    assert fmt.wan(value) == text


def test_percent_count_and_dates():
    assert fmt.pct(Fraction(1, 3) * 100) == "33.33%"
    assert fmt.pct(7) == "7.0%"
    assert fmt.count(Decimal("1234.4")) == "1,234"
    assert fmt.count(12, unit="家") == "12家"
    assert fmt.date_zh(dt.date(2026, 12, 6)) == "2026年12月6日"
    assert fmt.date_iso("2026-12-06T10:00:00") == "2026-12-06"
    assert fmt.number(None, unknown="未知") == "未知"


def test_xlsx_writer_stores_formula_like_text_as_text():
    content = xlsx.workbook(
        [
            xlsx.Sheet(
                "名录",
                ["名称", "数"],
                [
                    ['=HYPERLINK("http://x","点我")', 1],
                    ["-2+3", Decimal("2.5")],
                    ["@SUM(A1)", None],
                ],
            )
        ]
    )
    ws = openpyxl.load_workbook(io.BytesIO(content))["名录"]
    assert [c.data_type for c in ws[2]] == ["s", "n"]
    assert ws["A2"].value.startswith("=HYPERLINK")
    assert ws["A3"].data_type == "s" and ws["B3"].value == 2.5
    assert ws["A4"].data_type == "s" and ws["B4"].value is None
    assert xlsx.csv_text("=1+1") == "'=1+1" and xlsx.csv_text("正常") == "正常"


def test_access_out_of_scope_is_404_and_read_only_is_403(users, enterprises):
    from srdi.registry.models import Enterprise

    a, b = enterprises
    officer = users["region_officer"]  # 板块 A
    assert access.get(officer, Enterprise, pk=a.pk, write=True) == a
    with pytest.raises(Http404):
        access.get(officer, Enterprise, pk=b.pk)
    with pytest.raises(Http404):
        access.get(officer, Enterprise, pk="not-a-number")
    bank = users["partner"]  # shared: may read enterprise A, never write
    assert access.get(bank, Enterprise, pk=a.pk) == a
    with pytest.raises(PermissionDenied):
        access.get(bank, Enterprise, pk=a.pk, write=True)
    assert list(access.visible(users["enterprise"], Enterprise)) == [a]
