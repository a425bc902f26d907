from collections import Counter

import pytest

from srdi.exchange import validate_records
from srdi.exchange.schema import ENUMS
from srdi.exchange.validate import derive_size_sector, normalize_industry_code
from srdi.reference import NAMES, codes, load, walk

STATUSES = {"verified", "verified-derived", "partial", "unverified"}


@pytest.mark.parametrize("name", NAMES)
def test_every_item_has_a_status(name):
    data = load(name)
    assert data["status"] in STATUSES
    for item, _, _ in walk(data["items"]):
        assert item["status"] in STATUSES, item


def test_regions_are_8_towns_6_streets_and_zones():
    kinds = Counter(i["kind"] for i in load("regions")["items"])
    assert kinds["town"] == 8 and kinds["street"] == 6 and kinds["zone"] >= 2
    names = codes("regions")
    assert {
        "梅李镇",
        "海虞镇",
        "碧溪街道",
        "常福街道",
        "常熟经济技术开发区",
        "常熟高新技术产业开发区",
    } <= names


def test_sei_2018_has_9_and_40_codes():
    items = load("sei2018")["items"]
    assert len(items) == 9
    assert sum(len(i["children"]) for i in items) == 40
    assert {"2.1", "1.1", "9.2"} <= codes("sei2018")


def test_foundation_fields_match_the_schema_enum():
    assert [i["code"] for i in load("foundation_fields")["items"]] == [
        v for v, _ in ENUMS["foundation_field"]
    ]


def test_industry_systems():
    systems = {s["code"]: s for s in load("industry_systems")["items"]}
    assert systems["changshu_354"]["status"] == "unverified"
    assert len(systems["changshu_3main_6new"]["children"]) == 9
    assert len(systems["jiangsu_16_clusters"]["children"]) == 16
    chains = systems["jiangsu_50_chains"]["children"]
    assert len([c for c in chains if c["tier"] == "卓越提升"]) == 10
    assert len(systems["national_clusters_jiangsu"]["children"]) == 10


def test_industries_tree_is_consistent():
    data = load("industries")
    items = data["items"]
    by_code = {i["code"]: i for i in items}
    assert len(by_code) == len(items)
    levels = Counter(i["level"] for i in items)
    assert (levels["section"], levels["division"], levels["group"]) == (20, 97, 473)
    assert 1380 <= levels["class"] <= 1382
    for i in items:
        assert normalize_industry_code(i["code"]) == i["code"], i
        if i["parent"] is not None:
            assert i["code"].startswith(i["parent"]) or i["level"] == "division"
            assert by_code[i["parent"]]["level"] != i["level"]
    # the manufacturing divisions are the verified ones of context.md §5.2
    c_divisions = [i for i in items if i["level"] == "division" and i["code"][0] == "C"]
    assert len(c_divisions) == 31 and all(i["status"] == "verified" for i in c_divisions)
    assert by_code["C15"]["name"] == "酒、饮料和精制茶制造业"
    assert by_code["C3484"]["name"] == "机械零部件加工"
    # the two transcribed copies agree on every code; items whose wording differs are partial
    partial = [i for i in items if i["status"] != "verified"]
    assert 0 < len(partial) <= 20 and all("alt_name" in i for i in partial)


def test_every_industry_class_derives_a_size_sector():
    for code in codes("industries"):
        if len(code) == 5:
            assert derive_size_sector(code) is not None


def test_contract_examples_use_known_industries_and_regions(examples):
    profiles, problems = validate_records(
        examples, regions=codes("regions"), industries=codes("industries")
    )
    assert problems == []


def test_walk_gives_the_parent_of_flat_and_nested_items():
    parents = {item["code"]: parent for item, _, parent in walk(load("industries")["items"])}
    assert parents["C3484"] == "C348" and parents["C34"] == "C" and parents["C"] is None
    sei = {item["code"]: parent for item, _, parent in walk(load("sei2018")["items"])}
    assert sei["2.1"] == "2" and sei["2"] is None


def test_industries_yaml_is_generated_from_the_transcriptions():
    from srdi.reference.sources.build_industries import TARGET, build

    text, _counts = build()
    assert TARGET.read_text(encoding="utf-8") == text
