import datetime as dt
import json
from decimal import Decimal

import pytest

from srdi.exchange import ProfileErrors, read_profiles
from srdi.exchange.problems import Problem
from srdi.exchange.validate import (
    derive_size_sector,
    normalize_industry_code,
    validate_records,
)
from srdi.reference import codes

REGIONS = codes("regions")


def problems_of(*records, **kw):
    profiles, problems = validate_records(list(records), **kw)
    return problems


def fields_of(problems):
    return [p.field for p in problems]


def only(problems):
    assert len(problems) == 1, [p.format_zh() for p in problems]
    return problems[0]


# ---------------------------------------------------------------- the good cases


def test_complete_record_passes_and_is_normalised(good):
    good["uscc"] = good["uscc"].lower()
    good["industry_code"] = "3451"
    profiles, problems = validate_records([good], regions=REGIONS, industries={"C3451"})
    assert problems == []
    (p,) = profiles
    assert p["uscc"] == "91320581712345672C"
    assert p["industry_code"] == "C3451"
    assert p["established"] == dt.date(2010, 5, 4)
    assert p["titles"][0]["valid_until"] == dt.date(2026, 11, 30)
    assert p["years"]["2024"]["rd_expense"] == Decimal("420.5")
    assert p["ext"] == {"anything": {"goes": [1, "two", None]}}
    assert "size_sector" not in p  # derived, but not written back


def test_contract_examples_pass(examples):
    profiles, problems = validate_records(examples, regions=REGIONS)
    assert problems == []
    assert len(profiles) == len(examples)


def test_numbers_are_never_float(examples):
    profiles, _ = validate_records(examples)

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        else:
            assert not isinstance(v, float)

    walk(profiles)
    # a float handed in by Python code becomes a Decimal of its shortest repr
    ok, _ = validate_records(
        [{"uscc": "91320581712345672C", "name": "x", "market": {"share_pct": 8.1}}]
    )
    assert ok[0]["market"]["share_pct"] == Decimal("8.1")


def test_absent_and_null_measurements_stay_absent(good):
    good["years"]["2024"]["revenue"] = None
    good["digital_level"] = None
    good["sei_code"] = None  # a declaration: null is a value ("not in the catalogue")
    (p,), problems = validate_records([good])
    assert problems == []
    assert "revenue" not in p["years"]["2024"]
    assert "digital_level" not in p
    assert p["sei_code"] is None


# ---------------------------------------------------------------- identity


def test_bad_uscc_check_character(good):
    good["uscc"] = "91320581712345672D"
    p = only(problems_of(good))
    assert p.field == "uscc" and "应为“C”" in p.message
    assert p.uscc == "91320581712345672D"


def test_missing_required_fields():
    problems = problems_of({"region": "梅李镇"})
    assert sorted(fields_of(problems)) == ["name", "uscc"]
    assert all("缺少必填字段" in p.message for p in problems)


def test_blank_name_is_missing(good):
    good["name"] = "   "
    assert only(problems_of(good)).field == "name"


def test_duplicated_uscc_in_one_file(good):
    other = dict(good, uscc=good["uscc"].lower(), name="另一家")
    profiles, problems = validate_records([good, other])
    p = only(problems)
    assert p.record == 2 and p.field == "uscc" and "第1条记录" in p.message
    assert len(profiles) == 1


def test_unknown_region_only_when_regions_given(good):
    good["region"] = "火星镇"
    assert only(problems_of(good, regions=REGIONS)).field == "region"
    assert problems_of(good) == []


def test_unknown_industry_only_when_industries_given(good):
    good["industry_code"] = "C3459"
    p = only(problems_of(good, industries={"3451", "C3452"}))
    assert p.field == "industry_code" and "C3459" in p.message
    assert problems_of(good) == []


@pytest.mark.parametrize("code", ["X3451", "D3451", "3", "C34512", "99", "C-34"])
def test_malformed_industry_code(good, code):
    good["industry_code"] = code
    assert "格式错误" in only(problems_of(good)).message


def test_normalize_industry_code():
    assert normalize_industry_code("3484") == "C3484"
    assert normalize_industry_code(" c3484 ") == "C3484"
    assert normalize_industry_code("6513") == "I6513"
    assert normalize_industry_code("01") == "A01"
    assert normalize_industry_code("C") == "C"
    assert normalize_industry_code("D3484") is None
    assert normalize_industry_code("9999") is None


@pytest.mark.parametrize(
    "code,sector",
    [
        ("C3484", "industry"),
        ("0610", "industry"),
        ("D4411", "industry"),
        ("A0111", "agriculture"),
        ("E4710", "construction"),
        ("5191", "wholesale"),
        ("5211", "retail"),
        ("5810", "transport"),
        ("5920", "warehousing"),
        ("6010", "postal"),
        ("6110", "hotel"),
        ("6210", "catering"),
        ("6311", "telecom"),
        ("6422", "telecom"),
        ("6513", "software_it"),
        ("K7010", "real_estate"),
        ("7020", "property_management"),
        ("7090", "other"),
        ("L7212", "leasing_business"),
        ("M7320", "other"),
    ],
)
def test_derive_size_sector(code, sector):
    assert derive_size_sector(code) == sector


def test_derive_size_sector_without_code():
    assert derive_size_sector(None) is None
    assert derive_size_sector("junk") is None


# ---------------------------------------------------------------- money, percent, ranges


def test_negative_money(good):
    good["years"]["2024"]["revenue"] = -5
    good["years"]["2024"]["main_revenue"] = -6
    p = problems_of(good)
    assert fields_of(p) == ["years.2024.revenue", "years.2024.main_revenue"]
    assert p[0].message == "营业收入不能为负数（-5）"


def test_negative_net_profit_is_allowed(good):
    good["years"]["2024"]["net_profit"] = Decimal("-12.5")
    assert problems_of(good) == []


@pytest.mark.parametrize(
    "path,value",
    [
        (("market", "share_pct"), Decimal("100.01")),
        (("market", "share_pct"), -1),
        (("years", "2024", "cnc_rate"), 101),
    ],
)
def test_percent_out_of_range(good, path, value):
    target = good
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    p = only(problems_of(good))
    assert p.field == ".".join(path) and "0–100" in p.message


def test_percent_edges_pass(good):
    good["market"]["share_pct"] = 100
    good["years"]["2024"]["cnc_rate"] = 0
    assert problems_of(good) == []


@pytest.mark.parametrize(
    "key,value",
    [("digital_level", 5), ("digital_level", 0), ("local_featured_points", 16)],
)
def test_top_level_ranges(good, key, value):
    good[key] = value
    assert only(problems_of(good)).field == key


def test_rank_must_be_positive(good):
    good["market"]["domestic_rank"] = 0
    assert only(problems_of(good)).field == "market.domestic_rank"


def test_negative_ip_count(good):
    good["ip"]["class2"] = -1
    assert only(problems_of(good)).field == "ip.class2"


# ---------------------------------------------------------------- consistency


def test_main_revenue_greater_than_revenue(good):
    good["years"]["2024"]["main_revenue"] = 10001
    p = only(problems_of(good))
    assert p.field == "years.2024.main_revenue" and "大于营业收入" in p.message
    good["years"]["2024"]["main_revenue"] = 10000  # equal is fine
    assert problems_of(good) == []


def test_liabilities_with_no_assets(good):
    good["years"]["2024"]["total_assets"] = 0
    p = only(problems_of(good))
    assert p.field == "years.2024.total_liabilities"
    good["years"]["2024"]["total_liabilities"] = 0
    assert problems_of(good) == []


def test_liabilities_with_unknown_assets_is_not_an_error(good):
    del good["years"]["2024"]["total_assets"]
    assert problems_of(good) == []


def test_rd_staff_more_than_employees(good):
    good["years"]["2024"]["rd_staff"] = 261
    assert only(problems_of(good)).field == "years.2024.rd_staff"


def test_ip_parts_exceed_total(good):
    good["ip"]["class1_high_value"] = 4
    assert only(problems_of(good)).field == "ip.class1_high_value"


def test_title_valid_until_before_granted(good):
    good["titles"][0]["valid_until"] = "2020-01-01"
    assert only(problems_of(good)).field == "titles[0].valid_until"


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize("key", ["2024a", "24", "20x4", "1800", ""])
def test_year_key_that_is_not_a_year(good, key):
    good["years"][key] = {"revenue": 1}
    p = only(problems_of(good))
    assert p.field == f"years.{key}" and "不是有效年份" in p.message


def test_development_score_year_key(good):
    good["development_scores"]["next"] = 50
    assert only(problems_of(good)).field == "development_scores.next"


@pytest.mark.parametrize(
    "where,key",
    [((), "revenu"), (("market",), "share"), (("years", "2024"), "revenu"), (("quality",), "x")],
)
def test_unknown_key(good, where, key):
    target = good
    for k in where:
        target = target[k]
    target[key] = 1
    p = only(problems_of(good))
    assert p.field == ".".join((*where, key)) and "未知字段" in p.message


def test_unknown_key_suggests_the_near_one(good):
    good["years"]["2024"]["revenu"] = 1
    assert "是否应为 revenue" in only(problems_of(good)).message


def test_unknown_key_in_array_item(good):
    good["awards"][0]["prize"] = "gold"
    assert only(problems_of(good)).field == "awards[0].prize"


def test_anything_goes_under_ext(good):
    good["ext"] = {"revenu": -5, "nested": {"years": "x"}}
    assert problems_of(good) == []
    good["ext"] = [1]
    assert only(problems_of(good)).field == "ext"


# ---------------------------------------------------------------- types, enums, dates


@pytest.mark.parametrize(
    "path,value,word",
    [
        (("years", "2024", "revenue"), "100", "应为数字"),
        (("years", "2024", "revenue"), True, "应为数字"),
        (("years", "2024", "employees"), Decimal("12.5"), "整数"),
        (("priority_field",), "true", "true 或 false"),
        (("priority_field",), 1, "true 或 false"),
        (("name",), 123, "应为文本"),
        (("market",), [], "应为对象"),
        (("awards",), {}, "应为数组"),
        (("years",), [], "以年份为键"),
        (("awards",), [1], "应为对象"),
    ],
)
def test_wrong_types(good, path, value, word):
    target = good
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    p = only(problems_of(good))
    assert word in p.message


def test_integral_decimal_is_an_integer(good):
    good["years"]["2024"]["employees"] = Decimal("260.0")
    (p,), problems = validate_records([good])
    assert problems == [] and p["years"]["2024"]["employees"] == 260
    assert type(p["years"]["2024"]["employees"]) is int


@pytest.mark.parametrize(
    "path,value",
    [
        (("size_sector",), "factory"),
        (("foundation_field",), "parts"),
        (("rd_institution",), "city"),
        (("titles", 0, "tier"), "giant"),
        (("titles", 0, "level"), "county"),
        (("honors", 0, "type"), "famous"),
        (("awards", 0, "level"), "municipal"),
        (("maker_china", 0, "group"), "top10"),
    ],
)
def test_enum_values(good, path, value):
    target = good
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    p = only(problems_of(good))
    assert "无效" in p.message and "应为" in p.message


def test_enum_valid_values_pass(good):
    good["size_sector"] = "software_it"
    good["foundation_field"] = None
    good["rd_institution"] = "none"
    assert problems_of(good) == []


@pytest.mark.parametrize("value", ["2024-13-01", "2024/03/01", "20240301", "2024-02-30", 2024])
def test_bad_dates(good, value):
    good["niche_since"] = value
    assert only(problems_of(good)).field == "niche_since"


def test_array_item_required_fields(good):
    del good["awards"][0]["level"]
    del good["titles"][0]["tier"]
    assert sorted(fields_of(problems_of(good))) == ["awards[0].level", "titles[0].tier"]


@pytest.mark.parametrize("code", ["2.1", "9.2", "2.1.3", "1"])
def test_sei_codes_valid(good, code):
    good["sei_code"] = code
    assert problems_of(good) == []


@pytest.mark.parametrize("code", ["2.9", "10", "x", "2.1.3.4", "9.3"])
def test_sei_codes_invalid(good, code):
    good["sei_code"] = code
    assert only(problems_of(good)).field == "sei_code"


def test_non_object_record():
    p = only(problems_of([1, 2]))
    assert p.record == 1 and "JSON 对象" in p.message


# ---------------------------------------------------------------- reporting


def test_every_problem_at_once(good):
    bad = dict(good, uscc="91320581712345672D", region="火星镇", foo=1)
    bad["years"] = {"2024": {"revenue": -1, "cnc_rate": 300}, "20x4": {}}
    problems = problems_of(good, bad, regions=REGIONS)
    assert {p.field for p in problems} == {
        "uscc",
        "region",
        "foo",
        "years.2024.revenue",
        "years.2024.cnc_rate",
        "years.20x4",
    }
    assert {p.record for p in problems} == {2}


def test_problem_format_zh_json():
    p = Problem(
        record=3,
        uscc="91320581712345672C",
        field="years.2024.revenue",
        message="营业收入不能为负数（-5）",
    )
    assert p.format_zh() == (
        "第3条记录（统一社会信用代码 91320581712345672C）字段 years.2024.revenue：营业收入不能为负数（-5）"
    )


def test_problem_format_zh_xlsx():
    p = Problem(
        file="a.xlsx",
        record=3,
        row=7,
        sheet="年度数据",
        uscc="91320581712345672C",
        field="years.2024.revenue",
        message="营业收入不能为负数（-5）",
    )
    assert p.format_zh() == (
        "工作表「年度数据」第7行（第3条记录，统一社会信用代码 91320581712345672C）"
        "字段 years.2024.revenue：营业收入不能为负数（-5）"
    )
    assert p.format_zh(with_file=True).startswith("文件 a.xlsx 工作表")


def test_contract_case_three_problems_named_and_nothing_returned(tmp_path, good):
    a = dict(good, uscc="91320581712345672D")  # wrong check character
    b = dict(good, uscc="91320581723456781R")
    b["years"] = {"2024": {"revenue": -5}}  # negative revenue
    c = dict(good, uscc="9132058172345679XH", colour="red")  # unknown key
    f = tmp_path / "bad.json"
    f.write_text(json.dumps([a, b, c], default=float, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProfileErrors) as e:
        read_profiles(f)
    problems = e.value.problems
    assert [(p.record, p.field) for p in problems] == [
        (1, "uscc"),
        (2, "years.2024.revenue"),
        (3, "colour"),
    ]
    text = "\n".join(p.format_zh() for p in problems)
    assert (
        "校验位错误" in text and "营业收入不能为负数（-5）" in text and "未知字段“colour”" in text
    )
    assert all(p.file == str(f) for p in problems)
