import pytest

from srdi.evaluation.templatetags.evaluation_zh import zh_value

pytestmark = pytest.mark.django_db


def test_values_are_shown_in_chinese():
    assert zh_value(True) == "是" and zh_value(False) == "否"
    assert zh_value("ineligible") == "不符合"
    assert zh_value("micro") == "微型"
    assert zh_value(None) == "（缺）"
    assert "创新型中小企业" in zh_value(
        [{"tier": "innovative_sme", "granted": "2024-01-01", "valid_until": "2026-12-31"}]
    )


def test_evaluation_page_shows_no_raw_outcome_codes(client, users, enterprises):
    client.force_login(users["enterprise"])
    page = client.get(f"/evaluation/{enterprises[0].uscc}/").content.decode()
    for raw in (">ineligible<", ">eligible<", ">undetermined<", "=False", "=True"):
        assert raw not in page, raw
