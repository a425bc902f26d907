"""Migrations 0002–0004: records saved before runs and snapshots existed move over (and back)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = [("evaluation", "0001_initial")]
NEW = [("evaluation", "0004_compact_records")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_old_records_move_to_runs_and_snapshots_and_back():
    apps = _migrate(OLD)
    try:
        Enterprise = apps.get_model("registry", "Enterprise")
        Record = apps.get_model("evaluation", "EvaluationRecord")
        a = Enterprise.objects.create(uscc="91320581712345672C", name="甲")
        b = Enterprise.objects.create(uscc="91320581723456781R", name="乙")
        doc_a = {"uscc": a.uscc, "name": "甲", "years": {"2024": {"employees": 260}}}
        doc_b = {"uscc": b.uscc, "name": "乙", "years": {"2024": {"employees": 45}}}
        when = dt.datetime(2026, 5, 1, 8, 0, 0, tzinfo=dt.UTC)

        def old(ent, doc, std, outcome, at, as_of="2025-06-30"):
            rec = Record.objects.create(
                enterprise=ent,
                standard=std,
                version=f"{std}#abc",
                as_of=as_of,
                outcome=outcome,
                score=None,
                result={
                    "uscc": ent.uscc,
                    "standard": std,
                    "outcome": outcome,
                    "size_class": "small",
                },
                profile=doc,
            )
            Record.objects.filter(pk=rec.pk).update(created_at=at)

        # one call: two enterprises × two standards within the same second
        for ent, doc in ((a, doc_a), (b, doc_b)):
            old(ent, doc, "sme-size@2011", "eligible", when)
            old(ent, doc, "srdi-sme@2022", "ineligible", when)
        # a later call on the same, unchanged document of A
        old(a, doc_a, "sme-size@2011", "eligible", when + dt.timedelta(days=1), "2025-12-31")

        apps = _migrate(NEW)
        Run = apps.get_model("evaluation", "EvaluationRun")
        Snapshot = apps.get_model("evaluation", "InputSnapshot")
        Record = apps.get_model("evaluation", "EvaluationRecord")
        runs = list(Run.objects.order_by("created_at"))
        assert [(r.as_of, r.enterprises, r.results) for r in runs] == [
            (dt.date(2025, 6, 30), 2, 4),
            (dt.date(2025, 12, 31), 1, 1),
        ]
        assert runs[0].versions == {
            "sme-size@2011": "sme-size@2011#abc",
            "srdi-sme@2022": "srdi-sme@2022#abc",
        }
        assert runs[0].created_at == when
        assert Snapshot.objects.count() == 2  # A's document stored once
        snap_a = Snapshot.objects.get(enterprise_id=a.pk)
        assert json.loads(snap_a.document) == doc_a
        assert Record.objects.filter(snapshot=snap_a).count() == 3
        assert {r.run_id for r in Record.objects.filter(enterprise_id=b.pk)} == {runs[0].pk}

        apps = _migrate(OLD)
        Record = apps.get_model("evaluation", "EvaluationRecord")
        back = Record.objects.filter(enterprise_id=a.pk).order_by("created_at", "standard")
        assert [(r.as_of, r.profile, r.outcome) for r in back] == [
            (dt.date(2025, 6, 30), doc_a, "eligible"),
            (dt.date(2025, 6, 30), doc_a, "ineligible"),
            (dt.date(2025, 12, 31), doc_a, "eligible"),
        ]
        assert back[0].result["size_class"] == "small" and back[0].created_at == when
    finally:
        _migrate(NEW)
