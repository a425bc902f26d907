"""`srdi match` on a file and on the database."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import growth_profile


def test_match_file_json_with_reasons(tmp_path, capsys, db):
    f = tmp_path / "p.json"
    f.write_text(json.dumps([growth_profile()]), encoding="utf-8")
    call_command("match", str(f), "--catalogue", "--as-of", "2026-03-01", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    (r,) = out["results"]
    by_key = {m["policy"]: m for m in r["matches"]}
    g = by_key["plan-growth-reward"]
    assert g["status"] == "eligible" and g["amount"] == 40
    assert [c["met"] for c in g["conditions"]] == [True, True]
    near = [m for m in r["matches"] if m["status"] == "near"]
    assert near and all(m["lacking"] for m in near)
    unknown = [m for m in r["matches"] if m["status"] == "unknown"]
    assert unknown and all(m["missing"] for m in unknown)


def test_match_from_db_uses_published_policies_and_store(users, enterprises, give_title, capsys):
    from srdi.policies.models import PolicyMatch

    a, _b = enterprises
    import datetime as dt

    give_title(a, tier="srdi_sme", valid_until=dt.date.today() + dt.timedelta(days=400))
    call_command("policycatalogue", "--publish")
    call_command("match", "--from-db", "--format", "table")
    out = capsys.readouterr().out
    assert a.uscc in out and "专精特新企业专属信贷产品" in out
    PolicyMatch.objects.all().delete()
    call_command("match", "--from-db", "--store")
    assert PolicyMatch.objects.filter(enterprise=a, status="eligible").exists()


def test_match_argument_errors(tmp_path, db):
    with pytest.raises(CommandError):
        call_command("match", "--format", "json")
    f = tmp_path / "p.json"
    f.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("match", str(f), "--store")
    with pytest.raises(CommandError):
        call_command("match", str(f), "--as-of", "2026/01/01")
