"""The one cleaning of form and API values: what is kept, and the Chinese message for what is not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from srdi.core import cleaning


def _msg(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


def test_text_strips_requires_and_limits() -> None:
    assert cleaning.text("  需求  ", "标题") == "需求"
    assert cleaning.text(None, "标题") == ""
    with pytest.raises(ValidationError) as e:
        cleaning.text(" ", "标题", required=True)
    assert _msg(e) == "请填写“标题”。"
    with pytest.raises(ValidationError) as e:
        cleaning.text("长" * 11, "标题", max_len=10)
    assert _msg(e) == "“标题”不能超过 10 字。"


def test_date_accepts_iso_dates_and_names_what_it_received() -> None:
    assert cleaning.date("2026-06-30", "走访日期") == dt.date(2026, 6, 30)
    assert cleaning.date(dt.datetime(2026, 6, 30, 9, 0), "走访日期") == dt.date(2026, 6, 30)
    assert cleaning.date("", "走访日期") is None
    assert cleaning.date("  ", "走访日期") is None  # a blank form field is an empty one
    with pytest.raises(ValidationError) as e:
        cleaning.date("30/06/2026", "走访日期")
    assert "“走访日期”不是有效日期" in _msg(e) and "30/06/2026" in _msg(e)
    with pytest.raises(ValidationError) as e:
        cleaning.date(" ", "走访日期", required=True)
    assert _msg(e) == "请填写“走访日期”。"


def test_date_text_with_a_time_of_day_is_that_date() -> None:
    assert cleaning.date("2026-06-30 00:00:00", "日期") == dt.date(2026, 6, 30)
    with pytest.raises(ValidationError, match="不是有效日期"):
        cleaning.date("2026-06-31 00:00:00", "日期")


def test_collected_adds_the_message_after_where_and_returns_none() -> None:
    problems: list[str] = []
    assert cleaning.collected(cleaning.date, "2024-13-01", "申请日期", problems, "第 2 行") is None
    assert cleaning.collected(cleaning.integer, "7", "件数", problems, "第 3 行", low=1) == 7
    assert problems == ["第 2 行“申请日期”不是有效日期（应如 2026-06-30）：2024-13-01"]


def test_integer_takes_text_and_excel_numbers_within_bounds() -> None:
    assert cleaning.integer(" 36 ", "期限（月）") == 36
    assert cleaning.integer(36.0, "期限（月）") == 36  # a number cell read from Excel
    assert cleaning.integer(0, "期限（月）") == 0  # zero is a number, not an empty value
    assert cleaning.integer(" ", "期限（月）") is None
    with pytest.raises(ValidationError) as e:
        cleaning.integer(None, "期限（月）", required=True)
    assert _msg(e) == "请填写“期限（月）”。"
    for bad in ("三十六", "36.5", True):
        with pytest.raises(ValidationError) as e:
            cleaning.integer(bad, "期限（月）")
        assert _msg(e) == f"“期限（月）”应为整数：{bad}"
    with pytest.raises(ValidationError) as e:
        cleaning.integer("0", "期限（月）", low=1, high=600)
    assert _msg(e) == "“期限（月）”应在 1 到 600 之间：0"
    with pytest.raises(ValidationError) as e:
        cleaning.integer(-1, "人数", low=0)
    assert _msg(e) == "“人数”不能小于 0：-1"
    with pytest.raises(ValidationError) as e:
        cleaning.integer(601, "期限（月）", high=600)
    assert _msg(e) == "“期限（月）”不能大于 600：601"
    assert cleaning.integer(600, "期限（月）", low=1, high=600) == 600


def test_decimal_takes_separators_and_refuses_what_is_not_a_finite_number() -> None:
    assert cleaning.decimal("1,200.50", "金额（万元）") == Decimal("1200.50")
    assert cleaning.decimal("1，200", "金额（万元）") == Decimal(1200)
    assert cleaning.decimal(3.5, "年利率（%）") == Decimal("3.5")
    assert cleaning.decimal(0, "金额（万元）") == 0  # zero is a number, not an empty value
    assert cleaning.decimal("  ", "金额（万元）") is None
    with pytest.raises(ValidationError) as e:
        cleaning.decimal("", "金额（万元）", required=True)
    assert _msg(e) == "请填写“金额（万元）”。"
    for bad in ("abc", "NaN", "Infinity", "1.2.3", False):
        with pytest.raises(ValidationError) as e:
            cleaning.decimal(bad, "金额（万元）")
        assert _msg(e) == f"“金额（万元）”应为数字：{bad}"
    with pytest.raises(ValidationError) as e:
        cleaning.decimal("36.01", "年利率（%）", low=Decimal(0), high=Decimal(36))
    assert _msg(e) == "“年利率（%）”应在 0 到 36 之间：36.01"
    with pytest.raises(ValidationError) as e:
        cleaning.decimal("-1", "金额（万元）", low=Decimal("0.01"))
    assert _msg(e) == "“金额（万元）”不能小于 0.01：-1"
    assert cleaning.decimal("36", "年利率（%）", high=Decimal(36)) == 36


def test_year_takes_excel_numbers_and_refuses_typing_errors() -> None:
    assert cleaning.year("2024", "年度") == 2024
    assert cleaning.year(2024.0, "年度") == 2024  # a number cell read from Excel
    assert cleaning.year(None, "年度") is None
    assert cleaning.year(" ", "年度") is None
    for bad, words in (("二〇二四", "应为年份"), ("20245", "超出范围"), ("1899", "超出范围")):
        with pytest.raises(ValidationError) as e:
            cleaning.year(bad, "年度")
        assert f"“年度”{words}" in _msg(e) and bad in _msg(e)
    with pytest.raises(ValidationError) as e:
        cleaning.year("", "年度", required=True)
    assert _msg(e) == "请填写“年度”。"


def test_option_date_defaults_and_refuses_with_the_option_named() -> None:
    from django.core.management.base import CommandError

    assert cleaning.option_date("2026-06-30") == dt.date(2026, 6, 30)
    assert cleaning.option_date(None, default=lambda: dt.date(2025, 1, 2)) == dt.date(2025, 1, 2)
    assert cleaning.option_date("", default=None) is None
    with pytest.raises(CommandError) as e:
        cleaning.option_date("2026/06/30", "--since", returncode=2)
    assert str(e.value) == "“--since”不是有效日期（应如 2026-06-30）：2026/06/30"
    assert e.value.returncode == 2


COMMANDS_WITH_AS_OF = [  # (arguments before --as-of, exit status of unusable input)
    (["chains", "coverage"], 2),
    (["chains", "clusters"], 2),
    (["targets"], 1),
    (["alerts"], 1),
    (["match"], 1),
    (["report", "--region", "梅李镇"], 2),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "status"),
    COMMANDS_WITH_AS_OF,
    ids=lambda a: " ".join(a) if isinstance(a, list) else str(a),
)
def test_a_bad_as_of_is_refused_in_chinese_naming_option_and_value(args, status) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as e:
        call_command(*args, "--as-of", "2025-13-01")
    assert str(e.value) == "“--as-of”不是有效日期（应如 2026-06-30）：2025-13-01"
    assert e.value.returncode == status


@pytest.mark.slow
def test_the_srdi_command_prints_it_as_an_error(tmp_path) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "srdi.cli", "match", "--as-of", "30/06/2026"],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 1
    assert r.stderr.strip() == "错误：“--as-of”不是有效日期（应如 2026-06-30）：30/06/2026"
