"""Saving evaluations: runs, content-hashed snapshots, compact records, reproducible verdicts."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from srdi import rules
from srdi.audit.models import AuditLog
from srdi.evaluation.models import EvaluationRecord, EvaluationRun, InputSnapshot, RuleVersion
from srdi.evaluation.services import (
    evaluate_enterprises,
    latest_results,
    reproduce,
    standard_at,
)
from srdi.registry.models import AnnualFigures, Enterprise

pytestmark = pytest.mark.django_db

DAY = "2026-06-30"


@pytest.fixture
def demo(db):
    from srdi.registry.demo import build_demo
    from srdi.registry.refdata import load_reference

    load_reference()
    build_demo(120, seed=3)
    return Enterprise.objects.all()


def _key(r: dict) -> tuple:
    return (r["uscc"], r["standard"])


def test_a_population_run_saves_compact_records_equal_to_the_results(demo, make_user):
    from srdi.accounts.roles import Role

    admin = make_user("gxj", Role.ADMIN)
    doc = evaluate_enterprises(demo, None, DAY, True, summary=True, user=admin)
    n, k = demo.count(), len(doc["standards"])
    assert k == len(rules.standards_in_force(dt.date(2026, 6, 30), True)) and n == 120
    run = EvaluationRun.objects.get(pk=doc["run"])
    assert (run.mode, run.enterprises, run.results, run.new_snapshots) == ("summary", n, n * k, n)
    assert run.created_by == admin and run.review and run.as_of == dt.date(2026, 6, 30)
    assert set(run.versions) == set(doc["standards"]) | {rules.SIZE_STANDARD}
    assert RuleVersion.objects.filter(pk__in=run.versions.values()).count() == len(run.versions)
    assert InputSnapshot.objects.count() == n
    records = list(
        EvaluationRecord.objects.filter(run=run).select_related("enterprise").order_by("id")
    )
    assert len(records) == n * k == len(doc["results"])
    returned = {_key(r): r for r in doc["results"]}
    for rec in records:
        want = {key: v for key, v in returned[(rec.enterprise.uscc, rec.standard)].items()}
        assert want.pop("name") == rec.enterprise.name
        assert rec.as_result() == want
        for name, v in (rec.result.get("dimensions") or {}).items():
            assert type(v) is type(want["dimensions"][name])  # 20, not 20.0
    outcomes = {rec.outcome for rec in records}
    assert {"eligible", "ineligible"} <= outcomes
    # stored in the enterprise order, standards as asked
    assert [r.standard for r in records[:k]] == doc["standards"]
    log = AuditLog.objects.get(action="evaluation.run")
    assert log.object_id == str(run.pk) and log.after["results"] == n * k


def test_unchanged_enterprises_reuse_their_snapshot(demo):
    first = evaluate_enterprises(demo, None, DAY, summary=True)
    again = evaluate_enterprises(demo, None, DAY, summary=True, results=False)
    n = demo.count()
    assert EvaluationRun.objects.get(pk=again["run"]).new_snapshots == 0
    assert InputSnapshot.objects.count() == n
    assert sum(again["counts"][rules.SIZE_STANDARD].values()) == n
    a = demo.order_by("pk").first()
    fig = AnnualFigures.objects.filter(enterprise=a, year=2025).first()
    fig.revenue = (fig.revenue or 0) + 1
    fig.save()
    third = evaluate_enterprises(demo, None, DAY, summary=True, results=False)
    assert EvaluationRun.objects.get(pk=third["run"]).new_snapshots == 1
    assert InputSnapshot.objects.count() == n + 1
    assert InputSnapshot.objects.filter(enterprise=a).count() == 2
    # newest record per standard, from the newest run
    latest = latest_results(a)
    assert {r.standard for r in latest} == set(first["standards"])
    assert {r.run_id for r in latest} == {third["run"]}


def test_every_saved_summary_verdict_is_reproduced_from_its_snapshot(demo):
    doc = evaluate_enterprises(demo, None, DAY, True, summary=True, results=False)
    for rec in EvaluationRecord.objects.filter(run_id=doc["run"]).select_related("run", "snapshot"):
        again = reproduce(rec)
        assert (again["outcome"], again["score"]) == (rec.outcome, rec.score), rec
        if "size_class" in rec.result:
            assert again["size_class"] == rec.result["size_class"]
        assert "gaps" in again and "trace" in again  # the full result, with explanations


def test_an_old_verdict_is_reproduced_after_the_data_and_the_rules_changed(
    enterprises, monkeypatch
):
    a = enterprises[0]  # 260 people, revenue 10,000: small
    evaluate_enterprises(
        Enterprise.objects.filter(pk=a.pk), ["sme-size@2011", "innovative-sme@2022"], "2025-06-30"
    )
    size_rec = EvaluationRecord.objects.get(enterprise=a, standard="sme-size@2011")
    inno_rec = EvaluationRecord.objects.get(enterprise=a, standard="innovative-sme@2022")
    assert size_rec.outcome == "eligible" and size_rec.result["size_class"] == "small"
    assert size_rec.profile["years"]["2024"]["employees"] == 260  # the whole document
    # the data change: now a large enterprise
    AnnualFigures.objects.filter(enterprise=a, year=2024).update(employees=5000, revenue=900000)
    now = evaluate_enterprises(
        Enterprise.objects.filter(pk=a.pk), ["sme-size@2011"], "2025-06-30", save=False
    )
    assert now["results"][0]["outcome"] == "ineligible"
    assert reproduce(size_rec)["outcome"] == "eligible"
    assert reproduce(size_rec)["size_class"] == "small"
    # the rule change: innovative-sme@2022 with another pass score is a new version
    old = rules.load_standard("innovative-sme@2022")
    text = old.path.read_text(encoding="utf-8").replace("  pass: 60\n", "  pass: 0\n")
    changed = rules.load_file(old.path, text)
    assert changed.version != old.version
    real = rules.load_standard
    monkeypatch.setattr(
        rules, "load_standard", lambda s: changed if s == "innovative-sme@2022" else real(s)
    )
    assert standard_at(inno_rec.version) is not changed
    assert standard_at(inno_rec.version).version == inno_rec.version  # from RuleVersion
    again = reproduce(inno_rec)
    assert (again["outcome"], again["score"]) == (inno_rec.outcome, inno_rec.score)


def test_full_and_summary_runs_of_one_enterprise(enterprises, users):
    a = enterprises[0]
    qs = Enterprise.objects.filter(pk=a.pk)
    evaluate_enterprises(qs, None, "2025-06-30", user=users["admin"])
    evaluate_enterprises(qs, None, "2025-06-30", summary=True, user=users["admin"])
    full, summary = EvaluationRun.objects.order_by("pk")
    assert (full.mode, summary.mode) == ("full", "summary")
    assert InputSnapshot.objects.filter(enterprise=a).count() == 2  # whole / inputs read
    logs = AuditLog.objects.filter(action="evaluation.run").order_by("pk")
    assert [x.enterprise_uscc for x in logs] == [a.uscc, a.uscc]
    for rec in EvaluationRecord.objects.filter(enterprise=a):
        assert reproduce(rec)["outcome"] == rec.outcome


def test_nothing_saved_without_save(enterprises):
    doc = evaluate_enterprises(Enterprise.objects.all(), None, DAY, summary=True, save=False)
    assert len(doc["results"]) and "run" not in doc
    assert not EvaluationRecord.objects.exists() and not InputSnapshot.objects.exists()
    assert not AuditLog.objects.filter(action="evaluation.run").exists()


def test_deleting_an_enterprise_takes_its_records_and_snapshots(enterprises):
    evaluate_enterprises(Enterprise.objects.all(), None, DAY, summary=True)
    a, b = enterprises
    a.delete()
    assert not EvaluationRecord.objects.filter(enterprise_id=a.pk).exists()
    assert not InputSnapshot.objects.filter(enterprise_id=a.pk).exists()
    assert EvaluationRecord.objects.filter(enterprise=b).exists()
    EvaluationRun.objects.all().delete()
    assert not EvaluationRecord.objects.exists()


def test_cli_whole_population_with_progress(enterprises):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "evaluate", "--from-db", "--summary", "--as-of", DAY, "--format", "json",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert "保存" in err.getvalue() and "100%" in err.getvalue()
    run = EvaluationRun.objects.get()
    assert run.enterprises == 2 and run.mode == "summary"
    # streamed a chunk at a time, the same document as in one piece
    doc = evaluate_enterprises(Enterprise.objects.all(), None, DAY, summary=True, save=False)
    doc["run"] = run.pk
    assert json.loads(out.getvalue()) == doc
    assert out.getvalue().strip() == json.dumps(
        {k: doc[k] for k in ("as_of", "review", "standards", "run", "results")},
        ensure_ascii=False,
        indent=2,
    )
    table = io.StringIO()
    call_command(
        "evaluate", "--from-db", "--summary", "--no-save", "--as-of", DAY, stdout=table,
        stderr=io.StringIO(),
    )  # fmt: skip
    assert enterprises[0].name in table.getvalue() and "结论" in table.getvalue()
    assert EvaluationRun.objects.count() == 1


def test_admin_lists_runs_records_and_snapshots(client, enterprises, make_user):
    from srdi.accounts.roles import Role

    evaluate_enterprises(Enterprise.objects.all(), None, DAY, summary=True)
    admin = make_user("root", Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    for name in ("evaluationrun", "evaluationrecord", "inputsnapshot", "ruleversion"):
        r = client.get(f"/admin/evaluation/{name}/")
        assert r.status_code == 200, name
    rec = EvaluationRecord.objects.first()
    assert client.get(f"/admin/evaluation/evaluationrecord/{rec.pk}/change/").status_code == 200


def test_a_failed_save_leaves_nothing(enterprises, monkeypatch):
    """Everything of a run is in one transaction, the records written beside the result list
    (a thread on PostgreSQL) included."""
    from srdi.evaluation import services

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_finish_run", boom)
    with pytest.raises(RuntimeError):
        evaluate_enterprises(Enterprise.objects.all(), None, DAY, summary=True)
    assert not EvaluationRecord.objects.exists()
    assert not InputSnapshot.objects.exists() and not EvaluationRun.objects.exists()
