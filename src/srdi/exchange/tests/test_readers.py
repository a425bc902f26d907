import io
import json

import pytest

from srdi.exchange import UNREADABLE, ProfileErrors, read_profiles, read_records
from srdi.exchange.readers import sniff_format

GOOD = {"uscc": "91320581712345672C", "name": "甲"}
GOOD2 = {"uscc": "91320581723456781R", "name": "乙"}


def text(*records) -> str:
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"


def test_json_array_records_and_their_lines(tmp_path):
    f = tmp_path / "a.json"
    f.write_text(text(GOOD, GOOD2), encoding="utf-8")
    recs = read_records(f)
    assert recs.fmt == "json" and list(recs) == [GOOD, GOOD2]
    assert recs.locations == [2, 3] and recs.problems == []


def test_json_numbers_with_fraction_are_decimal():
    from decimal import Decimal

    recs = read_records(b'[{"uscc": "x", "v": 1.10, "i": 3}]', "json")
    assert recs[0]["v"] == Decimal("1.10") and type(recs[0]["v"]) is Decimal
    assert type(recs[0]["i"]) is int


def test_bad_json_is_a_problem_with_its_line():
    data = '[\n{"uscc": "91320581712345672C", "name": "甲"},\n{"uscc": "x" "name": 1}\n]'
    with pytest.raises(ProfileErrors) as e:
        read_profiles(io.BytesIO(data.encode()))
    (p,) = e.value.problems
    assert p.row == 3 and p.record is None
    assert p.format_zh().startswith("第3行：JSON 格式错误（第3行第14列）：缺少逗号")


def test_bad_json_across_read_chunks(monkeypatch):
    from srdi.exchange import readers

    real = readers._text_chunks
    monkeypatch.setattr(readers, "_text_chunks", lambda src: real(src, size=7))
    data = text(GOOD, GOOD2, GOOD) + "x"
    recs = read_records(io.BytesIO(data.encode()), "json")
    assert len(recs) == 3 and recs.locations == [2, 3, 4]
    (p,) = recs.problems
    assert p.row == 6 and "多余的内容" in p.message


@pytest.mark.parametrize(
    "data,word",
    [
        ("", "文件为空"),
        ('{"a": 1}', None),  # a single object is read as JSON Lines
        ("[1, 2", "意外结束"),
        ("[{}] [", "多余的内容"),
        ("[{} {}]", "应为逗号或 ]"),
        ("nope", "应以 [ 开始"),
    ],
)
def test_malformed_json_arrays(data, word):
    recs = read_records(io.BytesIO(data.encode()))
    if word is None:
        assert recs.problems == [] and list(recs) == [{"a": 1}]
    else:
        assert any(word in p.message for p in recs.problems), [p.message for p in recs.problems]


def test_jsonl_bad_line_keeps_record_numbers(tmp_path):
    f = tmp_path / "a.jsonl"
    lines = [json.dumps(GOOD, ensure_ascii=False), "", "{oops", json.dumps(dict(GOOD2, name=5))]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recs = read_records(f)
    assert recs.fmt == "jsonl"
    assert recs[1] is UNREADABLE and recs.locations == [1, 3, 4]
    with pytest.raises(ProfileErrors) as e:
        read_profiles(f)
    p1, p2 = e.value.problems
    assert (p1.record, p1.row) == (2, 3) and "JSON 格式错误" in p1.message
    assert (p2.record, p2.row, p2.field) == (3, 4, "name")
    assert p2.format_zh().startswith(
        "第3条记录（第4行，统一社会信用代码 91320581723456781R）字段 name"
    )


def test_utf8_bom_is_accepted():
    data = "\ufeff" + text(GOOD)
    assert read_profiles(io.BytesIO(data.encode("utf-8"))) == [GOOD]


def test_not_utf8_is_a_problem():
    data = text(GOOD).encode("gbk")
    with pytest.raises(ProfileErrors) as e:
        read_profiles(io.BytesIO(data), "json")
    assert "UTF-8" in e.value.problems[0].message


def test_sniff_format():
    assert sniff_format("a.xlsx", b"") == "xlsx"
    assert sniff_format(None, b"PK\x03\x04...") == "xlsx"
    assert sniff_format("a.ndjson", b"[") == "jsonl"
    assert sniff_format(None, b"  \n[") == "json"
    assert sniff_format("a.json", b'{"uscc"') == "jsonl"


def test_text_stream_and_bytes():
    assert read_profiles(io.StringIO(text(GOOD))) == [GOOD]
    assert read_profiles(text(GOOD).encode()) == [GOOD]


def test_unknown_format_name():
    with pytest.raises(ValueError):
        read_records(b"[]", "csv")
