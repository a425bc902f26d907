"""The plan's growth reward at its edges (exact arithmetic), and `srdi rewards`."""

import json
from fractions import Fraction

import pytest
from django.core.management import call_command

from srdi.policies import conditions as C
from srdi.policies.catalogue import catalogue_spec
from srdi.policies.rewards import growth_reward

from .conftest import growth_profile


def reward(**kw):
    return growth_reward(
        C.normalise(growth_profile(**kw)), 2025, catalogue_spec("plan-growth-reward")
    )


def test_parameters_come_from_the_yaml():
    spec = catalogue_spec("plan-growth-reward")
    assert spec.benefit.rate_pct == 50 and spec.benefit.cap == 200
    assert spec.reference == "year_end"
    assert ">= 20" in spec.conditions[1].expr
    assert "2023" in spec.source and "三(二)" in spec.source


def test_growth_exactly_20_percent_is_included():
    r = reward(rev=(1000, 1200), lc=(100, 180))
    assert r["eligible"] is True
    assert r["revenue_growth_pct"] == 20
    assert r["amount"] == 40  # 50 % of 80


def test_growth_exactly_20_percent_with_decimals_no_float_error():
    # 0.7 → 0.84 is exactly +20 %; in binary floating point 0.84 / 0.7 - 1 < 0.2
    assert 0.84 / 0.7 - 1 < 0.2
    r = reward(rev=(0.7, 0.84), lc=(10.1, 10.3))
    assert r["eligible"] is True
    assert r["amount"] == 0.1


def test_growth_just_below_20_percent_gets_nothing():
    r = reward(rev=(1000, 1199.9999), lc=(100, 180))
    assert r["eligible"] is False
    assert r["amount"] == 0


def test_contribution_fell_gets_nothing():
    r = reward(rev=(1000, 1500), lc=(180, 100))
    assert r["eligible"] is True
    assert r["amount"] == 0
    assert r["contribution_increase"] == -80
    assert "未增长" in r["note"]


def test_contribution_unchanged_gets_nothing():
    assert reward(rev=(1000, 1500), lc=(100, 100))["amount"] == 0


def test_cap_reached():
    r = reward(rev=(1000, 2000), lc=(100, 600))  # 50 % of 500 = 250 > 200
    assert r["amount"] == 200
    assert "上限" in r["note"]


def test_exactly_at_cap():
    assert reward(rev=(1000, 2000), lc=(100, 500))["amount"] == 200


def test_title_expired_on_30_december():
    r = reward(valid_until="2025-12-30")
    assert r["eligible"] is False
    assert r["amount"] == 0
    assert r["conditions"][0]["met"] is False


def test_title_valid_until_31_december_counts():
    assert reward(valid_until="2025-12-31")["amount"] == 40


def test_title_granted_after_31_december_does_not_count():
    assert reward(granted="2026-01-05", valid_until="2029-01-04")["eligible"] is False


def test_srdi_sme_title_counts_innovative_does_not():
    assert reward(tier="srdi_sme")["amount"] == 40
    assert reward(tier="innovative_sme")["amount"] == 0


def test_missing_revenue_gives_null_and_names_it():
    r = reward(rev=(None, 1200))
    assert r["amount"] is None and r["eligible"] is None
    assert "years.2024.revenue" in r["missing"]


def test_missing_contribution_gives_null():
    r = reward(lc=(None, 180))
    assert r["eligible"] is True
    assert r["amount"] is None


def test_no_title_and_missing_data_is_zero_not_null():
    # AND with one false part is false, whatever else is unknown
    r = reward(tier=None, rev=(None, None), lc=(None, None))
    assert r["eligible"] is False and r["amount"] == 0


def test_zero_revenue_last_year_is_unknown_growth():
    r = reward(rev=(0, 1200))
    assert r["amount"] is None


def test_command_json_on_a_file(tmp_path, capsys):
    f = tmp_path / "p.json"
    f.write_text(json.dumps([growth_profile(lc=(100.25, 180.5))]), encoding="utf-8")
    call_command("rewards", "--year", "2025", str(f), "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2025
    (r,) = out["results"]
    assert r["uscc"] == "91320581712345672C"
    assert r["amount"] == pytest.approx(40.125) and Fraction(str(r["amount"])) == Fraction("40.125")
    assert r["revenue"] == 1200 and r["revenue_prev"] == 1000


def test_command_jsonl_and_bad_file(tmp_path, capsys):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(growth_profile()) + "\n", encoding="utf-8")
    call_command("rewards", "--year", "2025", str(f), "--format", "json")
    assert json.loads(capsys.readouterr().out)["results"][0]["amount"] == 40
    bad = tmp_path / "bad.json"
    bad.write_text('[{"uscc": "123", "name": "x"}]', encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("rewards", "--year", "2025", str(bad), "--format", "json")
    assert exc.value.code == 2
    assert "统一社会信用代码应为18位" in capsys.readouterr().err


def test_command_from_db(enterprises, give_title, capsys):
    from srdi.registry.models import AnnualFigures

    a, b = enterprises
    give_title(a)
    AnnualFigures.objects.create(enterprise=a, year=2025, revenue=12000, local_contribution=900)
    AnnualFigures.objects.filter(enterprise=a, year=2024).update(local_contribution=500)
    call_command("rewards", "--year", "2025", "--from-db", "--format", "json")
    res = {r["uscc"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert res[a.uscc]["amount"] == 200  # 10000 → 12000 (+20 %), 50 % of 400 = 200
    assert res[b.uscc]["amount"] == 0  # no title


def test_command_table(tmp_path, capsys):
    f = tmp_path / "p.json"
    f.write_text(json.dumps([growth_profile()]), encoding="utf-8")
    call_command("rewards", "--year", "2025", str(f), "--format", "table")
    out = capsys.readouterr().out
    assert "91320581712345672C" in out and "40" in out
