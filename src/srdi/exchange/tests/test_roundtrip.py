import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srdi.exchange import (
    ProfileErrors,
    build_template,
    make_uscc,
    read_profiles,
    read_records,
    to_json_obj,
    write_json,
    write_jsonl,
    write_xlsx,
)
from srdi.exchange import schema as S
from srdi.exchange.writers import dumps_profile

WRITERS = {"json": write_json, "jsonl": write_jsonl, "xlsx": write_xlsx}


def filled(profiles):
    return [to_json_obj(p) for p in profiles]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "xlsx"])
def test_examples_round_trip(examples_path, tmp_path, fmt):
    profiles = read_profiles(examples_path)
    out = tmp_path / f"out.{fmt}"
    WRITERS[fmt](profiles, out)
    back = read_profiles(out)
    assert filled(back) == filled(profiles)
    # and the same as the contract's file itself, declarations written out
    original = json.loads(examples_path.read_text(encoding="utf-8"), parse_float=Decimal)
    assert filled(back) == filled(original)


def test_export_writes_declarations_but_not_measurements(examples_path):
    profiles = read_profiles(examples_path)
    obj = to_json_obj(profiles[4])  # only a few figures given
    assert obj["priority_field"] is False and obj["sei_code"] is None
    assert obj["rd_institution"] == "none" and obj["awards"] == [] and obj["titles"] == []
    assert obj["ip"] == {
        k: 0
        for k in (
            "class1",
            "class1_self_developed",
            "class1_high_value",
            "class1_applied",
            "class2",
        )
    }
    assert obj["years"]["2024"] == {
        "employees": 1000,
        "revenue": 40000,
        "total_assets": 30000,
        "equity_financing": 0,
    }
    assert (
        "digital_level" not in obj and "niche_since" not in obj and "development_scores" not in obj
    )
    assert "share_pct" not in obj["market"]
    plain = to_json_obj(profiles[4], fill_declarations=False)
    assert (
        "priority_field" not in plain
        and "ip" not in plain
        and "equity_financing" not in plain["years"]["2024"]
    )


def test_json_output_is_exact_for_decimals():
    p = {
        "uscc": "91320581712345672C",
        "name": "x",
        "years": {"2024": {"revenue": Decimal("12345678901234567.25")}},
    }
    text = dumps_profile(to_json_obj(p))
    assert '"revenue": 12345678901234567.25' in text
    assert json.loads(text, parse_float=Decimal)["years"]["2024"]["revenue"] == Decimal(
        "12345678901234567.25"
    )


def test_template_layout(tmp_path):
    from openpyxl import load_workbook

    f = tmp_path / "t.xlsx"
    build_template(f)
    wb = load_workbook(f)
    assert wb.sheetnames == [
        "填写说明",
        "企业基本信息",
        "市场",
        "质量",
        "知识产权",
        "科技奖励",
        "创客中国",
        "荣誉",
        "称号",
        "发展评价得分",
        "合规",
        "年度数据",
        "扩展",
    ]
    base = wb["企业基本信息"]
    assert base["A1"].value == "统一社会信用代码*" and base["A2"].value == "uscc"
    years = wb["年度数据"]
    assert [c.value for c in years[2]][:3] == ["uscc", "year", "employees"]
    assert years["E1"].value == "营业收入（万元）"
    lists = {dv.formula1 for dv in base.data_validations.dataValidation}
    assert '"是,否"' in lists
    assert any(
        "专精特新中小企业" in (dv.formula1 or "")
        for dv in wb["称号"].data_validations.dataValidation
    )
    assert "测量值" in {c.value for c in wb["填写说明"]["E"]}
    assert read_records(f) == [] and read_records(f).problems == []


def _xlsx(rows_by_sheet, keys_row=True):
    """A workbook in the template layout with the given data rows."""
    from openpyxl import Workbook

    from srdi.exchange.xlsx import SHEETS

    wb = Workbook()
    wb.remove(wb.active)
    for spec in SHEETS:
        if spec.title not in rows_by_sheet:
            continue
        ws = wb.create_sheet(spec.title)
        ws.append([c.header for c in spec.cols])
        if keys_row:
            ws.append([c.key for c in spec.cols])
        for row in rows_by_sheet[spec.title]:
            ws.append(row)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


USCC = "91320581712345672C"


def test_xlsx_values_as_a_clerk_types_them():
    base = [
        USCC,
        "甲公司",
        "梅李镇",
        3451,
        "工业",
        dt.datetime(2010, 5, 4),
        "2016/3/1",
        "轴承",
        2.1,
        "核心基础零部件",
        "是",
        "否",
    ]
    data = _xlsx(
        {
            "企业基本信息": [base],
            "年度数据": [[USCC, 2024, 260, 39, 10000.5, "9,000", None, None, -5]],
            "称号": [[USCC.lower(), "专精特新中小企业", "省级", "2023-12-01", 46356]],
            "扩展": [[USCC, "note", "自由文本"], [USCC, "n", "[1, 2.5]"]],
        }
    )
    (p,) = read_profiles(data)
    assert p["industry_code"] == "C3451" and p["size_sector"] == "industry"
    assert p["established"] == dt.date(2010, 5, 4) and p["niche_since"] == dt.date(2016, 3, 1)
    assert p["sei_code"] == "2.1" and p["foundation_field"] == "components"
    assert p["priority_field"] is True and p["modern_industry_field"] is False
    assert p["years"]["2024"] == {
        "employees": 260,
        "rd_staff": 39,
        "revenue": Decimal("10000.5"),
        "main_revenue": 9000,
        "net_profit": -5,
    }
    assert p["titles"] == [
        {
            "tier": "srdi_sme",
            "level": "provincial",
            "granted": dt.date(2023, 12, 1),
            "valid_until": dt.date(2026, 11, 30),
        }
    ]
    assert p["ext"] == {"note": "自由文本", "n": [1, Decimal("2.5")]}


def test_xlsx_without_the_keys_row_maps_chinese_headers():
    data = _xlsx({"企业基本信息": [[USCC, "甲公司"]], "市场": [[USCC, 8, 5]]}, keys_row=False)
    (p,) = read_profiles(data)
    assert p["market"] == {"share_pct": 8, "domestic_rank": 5}


def test_xlsx_problems_name_sheet_and_row():
    data = _xlsx(
        {
            "企业基本信息": [[USCC, "甲公司"], ["91320581723456781R", "乙公司", "火星镇"]],
            "年度数据": [
                [USCC, 2023, 10],
                [USCC, 2024, 10, 2, -5],
                [USCC, 2024, 1],
                ["913205817345678907", 2024],
            ],
            "市场": [[USCC, 120]],
        }
    )
    with pytest.raises(ProfileErrors) as e:
        read_profiles(data, regions={"梅李镇"})
    got = {(p.sheet, p.row, p.field) for p in e.value.problems}
    assert got == {
        ("企业基本信息", 4, "region"),
        ("年度数据", 4, "years.2024.revenue"),
        ("年度数据", 5, "years.2024"),  # the year twice
        ("年度数据", 6, "uscc"),  # not on the base sheet
        ("市场", 3, "market.share_pct"),
    }
    msgs = [p.format_zh() for p in e.value.problems]
    assert (
        "工作表「年度数据」第4行（第1条记录，统一社会信用代码 91320581712345672C）字段 years.2024.revenue：营业收入不能为负数（-5）"
        in msgs
    )


def test_xlsx_unknown_column_and_sheet():
    from openpyxl import load_workbook

    data = _xlsx({"企业基本信息": [[USCC, "甲公司"]]})
    wb = load_workbook(io.BytesIO(data))
    wb["企业基本信息"]["Z1"] = "颜色"
    wb.create_sheet("草稿")
    b = io.BytesIO()
    wb.save(b)
    recs = read_records(b.getvalue())
    msgs = [p.message for p in recs.problems]
    assert any("未知列「颜色」" in m for m in msgs) and any("未知工作表「草稿」" in m for m in msgs)


def test_xlsx_enum_and_bool_typos_are_reported():
    data = _xlsx(
        {
            "企业基本信息": [
                [USCC, "甲公司", None, None, "工厂", None, None, None, None, None, "可能"]
            ]
        }
    )
    with pytest.raises(ProfileErrors) as e:
        read_profiles(data)
    assert {p.field for p in e.value.problems} == {"size_sector", "priority_field"}


# ---------------------------------------------------------------- property: any profile round-trips

_text = (
    st.text(
        alphabet=st.sampled_from("常熟市精工轴承有限公司ABCxyz0123 -&<>\"'（）"),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
_money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
_date = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))
_year = st.integers(2000, 2030).map(str)


def _opt(d):
    """A dict strategy where every key is optional."""
    return st.fixed_dictionaries({}, optional=d)


def _enum(key):
    return st.sampled_from([v for v, _ in S.ENUMS[key]])


_years = st.dictionaries(
    _year,
    _opt(
        {
            "employees": st.integers(0, 10**6),
            "revenue": _money,
            "total_assets": _money,
            "net_profit": st.decimals(min_value=-(10**6), max_value=10**6, places=2),
            "rd_expense": _money,
            "equity_financing": _money,
            "cnc_rate": st.decimals(min_value=0, max_value=100, places=1),
            "digital_management": st.booleans(),
        }
    ),
    max_size=3,
)
_profile = st.builds(
    lambda body, rest: {"uscc": make_uscc("91320581", body), **rest},
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
    st.fixed_dictionaries(
        {"name": _text},
        optional={
            "region": _text,
            "industry_code": st.sampled_from(["C3484", "I6513", "C13", "A0111", "K7010"]),
            "size_sector": _enum("size_sector"),
            "established": _date,
            "niche_since": _date,
            "main_product": _text,
            "sei_code": st.sampled_from([None, "1.1", "2.1", "9.2"]),
            "foundation_field": st.none() | _enum("foundation_field"),
            "priority_field": st.booleans(),
            "digital_level": st.integers(1, 4),
            "rd_institution": _enum("rd_institution"),
            "local_featured_points": st.decimals(min_value=0, max_value=15, places=1),
            "market": _opt(
                {
                    "share_pct": st.decimals(min_value=0, max_value=100, places=2),
                    "domestic_rank": st.integers(1, 1000),
                    "leading": st.booleans(),
                }
            ),
            "quality": _opt({"iso9001": st.booleans(), "standards": st.booleans()}),
            "ip": _opt({"class1": st.integers(0, 0), "class2": st.integers(0, 500)}),
            "awards": st.lists(
                st.fixed_dictionaries(
                    {"level": _enum("awards.level"), "year": st.integers(2000, 2030)},
                    optional={"rank": st.integers(1, 20)},
                ),
                max_size=2,
            ),
            "maker_china": st.lists(
                st.fixed_dictionaries(
                    {"year": st.integers(2000, 2030), "group": _enum("maker_china.group")}
                ),
                max_size=2,
            ),
            "honors": st.lists(
                st.fixed_dictionaries(
                    {"type": _enum("honors.type")}, optional={"valid_until": _date}
                ),
                max_size=2,
            ),
            "titles": st.lists(
                st.fixed_dictionaries(
                    {"tier": _enum("titles.tier"), "level": _enum("titles.level")},
                    optional={
                        "granted": st.just(dt.date(2023, 1, 1)),
                        "valid_until": st.just(dt.date(2026, 1, 1)),
                    },
                ),
                max_size=2,
            ),
            "development_scores": st.dictionaries(
                _year, st.decimals(min_value=0, max_value=100, places=1), max_size=2
            ),
            "compliance": _opt({"abnormal_list": st.booleans()}),
            "years": _years,
            "ext": st.dictionaries(
                st.text(alphabet="abc_", min_size=1, max_size=5),
                st.none()
                | st.booleans()
                | st.integers(-5, 5)
                | _text
                | st.lists(st.integers(0, 3), max_size=2),
                max_size=3,
            ),
        },
    ),
)


def _unique(profiles):
    seen, out = set(), []
    for p in profiles:
        if p["uscc"] not in seen:
            seen.add(p["uscc"])
            out.append(p)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_profile, max_size=4).map(_unique))
def test_any_profiles_round_trip_json_and_jsonl(profiles):
    want = filled(profiles)
    for fmt in ("json", "jsonl"):
        buf = io.BytesIO()
        WRITERS[fmt](profiles, buf)
        back = read_profiles(io.BytesIO(buf.getvalue()), fmt)
        assert filled(back) == want


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_profile, max_size=3).map(_unique), st.booleans())
def test_any_profiles_round_trip_xlsx(profiles, fill):
    buf = io.BytesIO()
    write_xlsx(profiles, buf, fill_declarations=fill)
    back = read_profiles(io.BytesIO(buf.getvalue()))
    assert filled(back) == filled(profiles)


def test_xlsx_cells_with_other_attribute_layouts_are_read(examples_path):
    """Writers other than ours put cell attributes in other orders (and add some): same result."""
    import re
    import zipfile

    profiles = read_profiles(examples_path)
    buf = io.BytesIO()
    write_xlsx(profiles, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode()
                # <c r="A3" t="inlineStr"> → <c t="inlineStr" cm="1" r="A3">
                text = re.sub(r'<c r="([A-Z]+\d+)" t="(\w+)">', r'<c t="\2" cm="1" r="\1">', text)
                data = text.encode()
            z.writestr(info, data)
    back = read_profiles(io.BytesIO(out.getvalue()))
    assert filled(back) == filled(profiles)
