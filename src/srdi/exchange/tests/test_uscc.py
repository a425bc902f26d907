import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srdi.exchange.uscc import (
    USCC_ALPHABET,
    check_uscc,
    make_uscc,
    org_code_check_char,
    random_uscc,
    uscc_check_char,
)


def test_contract_examples_are_valid_including_embedded_org_code(examples_path):
    for p in json.loads(examples_path.read_text(encoding="utf-8")):
        assert check_uscc(p["uscc"]) is None, p["uscc"]
        assert org_code_check_char(p["uscc"][8:16]) == p["uscc"][16]


def test_make_uscc_builds_the_contract_example():
    assert make_uscc("91320581", "71234567") == "91320581712345672C"
    assert make_uscc("9132058172345679") == "9132058172345679XH"  # org check 10 -> X
    assert make_uscc("91320581", "73456789") == "913205817345678907"  # org check 11 -> 0


def test_lower_case_is_accepted():
    assert check_uscc("91320581712345672c") is None


def test_wrong_length():
    msg = check_uscc("91320581712345672")
    assert msg and "18位" in msg and "17位" in msg


def test_empty_and_non_text():
    assert "为空" in check_uscc("  ")
    assert "文本" in check_uscc(913205817123456720)


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_illegal_character_is_named_with_position(bad):
    code = "9132058171234567" + bad + "C"
    msg = check_uscc(code)
    assert msg and "第17位" in msg and bad in msg and "非法字符" in msg


def test_wrong_check_character_names_the_expected_one():
    msg = check_uscc("91320581712345672D")
    assert msg == "统一社会信用代码校验位错误：第18位应为“C”，实际为“D”"


def test_wrong_embedded_organisation_code_check_digit():
    first17 = "9132058171234567" + "5"  # org check should be 2
    code = first17 + uscc_check_char(first17)  # 18th character itself is right
    msg = check_uscc(code)
    assert msg and "组织机构代码" in msg and "应为“2”" in msg and "实际为“5”" in msg


def test_uscc_check_char_needs_17():
    with pytest.raises(ValueError):
        uscc_check_char("123")


_BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@given(_BODY)
def test_made_codes_are_valid(body):
    code = make_uscc("91320581", body)
    assert check_uscc(code) is None


@given(_BODY, st.sampled_from(USCC_ALPHABET))
def test_any_other_18th_character_is_rejected(body, ch):
    code = make_uscc("91320581", body)
    if ch != code[17]:
        assert "校验位错误" in check_uscc(code[:17] + ch)


def test_random_uscc_is_valid():
    import random

    rng = random.Random(3)
    assert all(check_uscc(random_uscc(rng)) is None for _ in range(200))


def test_make_uscc_from_17_characters():
    assert make_uscc("91320581712345672") == "91320581712345672C"
    with pytest.raises(ValueError):
        make_uscc("91320581712345675")  # wrong organisation-code check
    with pytest.raises(ValueError):
        make_uscc("9132058I", "71234567")
