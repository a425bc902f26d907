"""`srdi purge_evaluations`: old runs go, the last run of each month stays, orphan snapshots go."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from srdi.audit.models import AuditLog
from srdi.evaluation.models import EvaluationRecord, EvaluationRun, InputSnapshot
from srdi.evaluation.services import evaluate_enterprises
from srdi.registry.models import AnnualFigures, Enterprise

pytestmark = pytest.mark.django_db


def _run(qs, when, *, summary=True):
    evaluate_enterprises(qs, None, "2025-06-30", summary=summary)
    run = EvaluationRun.objects.order_by("-id").first()
    EvaluationRun.objects.filter(pk=run.pk).update(created_at=when)
    return run.pk


def test_purge_keeps_recent_runs_and_the_last_run_of_each_month(enterprises):
    qs = Enterprise.objects.all()
    now = timezone.now()
    old_month = (now - dt.timedelta(days=200)).replace(day=10)
    first = _run(qs, old_month)
    # the enterprise changes: the next run stores a new snapshot, the first one's is orphaned
    fig = AnnualFigures.objects.filter(enterprise=enterprises[0]).order_by("-year").first()
    fig.revenue = (fig.revenue or 0) + 1
    fig.save()
    last_of_that_month = _run(qs, old_month + dt.timedelta(days=5))
    recent = _run(qs, now - dt.timedelta(days=2), summary=False)
    snaps_before = InputSnapshot.objects.count()

    out = io.StringIO()
    call_command("purge_evaluations", "--days", "90", "--dry-run", stdout=out)
    assert "将删除 1 个评估批次" in out.getvalue()
    assert EvaluationRun.objects.filter(pk=first).exists()

    call_command("purge_evaluations", "--days", "90", stdout=out)
    runs = set(EvaluationRun.objects.values_list("pk", flat=True))
    assert runs == {last_of_that_month, recent}
    assert not EvaluationRecord.objects.filter(run_id=first).exists()
    # every remaining record still has its snapshot; the orphan one is gone
    used = set(EvaluationRecord.objects.values_list("snapshot_id", flat=True))
    assert used <= set(InputSnapshot.objects.values_list("pk", flat=True))
    assert InputSnapshot.objects.count() < snaps_before
    assert AuditLog.objects.filter(action="evaluation.purge").count() == 1


def test_purge_refuses_a_non_positive_period(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="保留天数"):
        call_command("purge_evaluations", "--days", "0")
