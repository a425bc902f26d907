# Existing records: one run per (date, review, operator, second of creation), their profile
# JSON as content-hashed snapshots (one per distinct document of an enterprise).

import hashlib
import json

from django.db import migrations


def _text(profile) -> str:
    return json.dumps(profile, ensure_ascii=False, separators=(",", ":"))


def forward(apps, schema_editor):
    Record = apps.get_model("evaluation", "EvaluationRecord")
    Run = apps.get_model("evaluation", "EvaluationRun")
    Snapshot = apps.get_model("evaluation", "InputSnapshot")
    runs: dict[tuple, object] = {}
    snaps: dict[tuple, int] = {}
    batch = []
    qs = Record.objects.filter(run__isnull=True).order_by("id")
    for rec in qs.iterator(chunk_size=2000):
        key = (rec.as_of, rec.review, rec.created_by_id, rec.created_at.replace(microsecond=0))
        run = runs.get(key)
        if run is None:
            run = runs[key] = Run.objects.create(
                as_of=rec.as_of,
                review=rec.review,
                mode="full",
                created_at=rec.created_at,
                created_by_id=rec.created_by_id,
            )
            run._std, run._ents, run._n = {}, set(), 0
        text = _text(rec.profile)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        sid = snaps.get((rec.enterprise_id, digest))
        if sid is None:
            snap, _ = Snapshot.objects.get_or_create(
                enterprise_id=rec.enterprise_id,
                digest=digest,
                defaults={"document": text, "created_at": rec.created_at},
            )
            sid = snaps[(rec.enterprise_id, digest)] = snap.pk
            run.new_snapshots += 1
        rec.run_id, rec.snapshot_id = run.pk, sid
        run._std[rec.standard] = rec.version
        run._ents.add(rec.enterprise_id)
        run._n += 1
        batch.append(rec)
        if len(batch) >= 2000:
            Record.objects.bulk_update(batch, ["run", "snapshot"])
            batch = []
    if batch:
        Record.objects.bulk_update(batch, ["run", "snapshot"])
    for run in runs.values():
        run.standards = list(run._std)
        run.versions = run._std
        run.enterprises = len(run._ents)
        run.results = run._n
        run.save()


def backward(apps, schema_editor):
    Record = apps.get_model("evaluation", "EvaluationRecord")
    batch = []
    qs = Record.objects.select_related("run", "snapshot", "enterprise").order_by("id")
    for rec in qs.iterator(chunk_size=2000):
        rec.as_of = rec.run.as_of
        rec.review = rec.run.review
        rec.created_by_id = rec.run.created_by_id
        rec.created_at = rec.run.created_at
        rec.profile = json.loads(rec.snapshot.document)
        full = {"uscc": rec.enterprise.uscc, "standard": rec.standard, "outcome": rec.outcome, "score": rec.score}
        full.update(rec.result or {})
        rec.result = full
        batch.append(rec)
        if len(batch) >= 2000:
            Record.objects.bulk_update(
                batch, ["as_of", "review", "created_by", "created_at", "profile", "result"]
            )
            batch = []
    if batch:
        Record.objects.bulk_update(
            batch, ["as_of", "review", "created_by", "created_at", "profile", "result"]
        )


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0002_runs_and_snapshots'),
    ]

    operations = [migrations.RunPython(forward, backward)]
